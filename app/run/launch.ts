/**
 * What a remote target gets to start a run: the port's input, next to the `RemoteLaunch` it answers with
 * (app/run/runner.ts). app/remote/ implements the port; run/ and bundle/ only describe the run.
 */
export interface LaunchSpec {
  /** The built argv (numactl … workload …). */
  argv: string[];
  env: Record<string, string>;
  unset?: string[];
  /** Working directory on the target; null = the login directory (or the container's working directory). */
  cwd: string | null;
  /** The workload's program (settings.workload[0]), checked on the target before starting. */
  program?: string;
}
