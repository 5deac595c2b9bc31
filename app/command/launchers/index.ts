/**
 * Every launcher syntax (issue 17) beside numactl: the `--format` values and UI tabs, the builder's
 * `launchers` field, and the importer's fallback when a line is not numactl.
 */
import type { RunSettings } from '../../shared/command';
import type { Topology } from '../../shared/topology';
import { boundCpus, envFor, policyNodes } from '../plan';
import { dockerCpusetLauncher } from './docker-cpuset';
import { ompLauncher } from './omp';
import { runCpuLauncher, type RunCpuSpelling } from './run-cpu';
import { slurmLauncher } from './slurm';
import { systemdRunLauncher } from './systemd-run';
import { tasksetLauncher } from './taskset';
import type { Launcher, LauncherInput, LauncherParse } from './types';

export type { Launcher, LauncherInput, LauncherParse } from './types';
export { type RunCpuSpelling, DEFAULT_RUN_CPU_SPELLING, RUN_CPU_MODULE, runCpuFlag } from './run-cpu';

export const LAUNCHERS: Launcher[] = [
  tasksetLauncher,
  dockerCpusetLauncher,
  systemdRunLauncher,
  runCpuLauncher,
  ompLauncher,
  slurmLauncher,
];

export interface LauncherOptions {
  /** Image of the docker-cpuset form (default DEFAULT_IMAGE, as the docker run form). */
  image?: string;
  /** run_cpu flag spelling read from the interpreter's --help; undefined = not known (documented default). */
  runCpuSpelling?: RunCpuSpelling;
}

/** The run plan as every launcher sees it: the same environment, CPUs and memory nodes numactl would use. */
export function launcherInput(s: RunSettings, t: Topology | null, opts: LauncherOptions = {}): LauncherInput {
  const input: LauncherInput = {
    settings: s,
    plan: envFor(s, t),
    cpus: boundCpus(s),
    memNodes: policyNodes(s, t),
    topology: t,
  };
  if (opts.image !== undefined) input.image = opts.image;
  if (opts.runCpuSpelling !== undefined) input.runCpuSpelling = opts.runCpuSpelling;
  return input;
}

export interface LauncherForm {
  text: string;
  limits: string[];
}

/** Every launcher's text and limits, by format. */
export function renderLaunchers(input: LauncherInput): Record<string, LauncherForm> {
  const out: Record<string, LauncherForm> = {};
  for (const l of LAUNCHERS) out[l.format] = { text: l.render(input), limits: l.limits(input) };
  return out;
}

export function launcherFor(format: string): Launcher | undefined {
  return LAUNCHERS.find((l) => l.format === format);
}

/** The first launcher that reads these words, with its reading; null when none does. */
export function parseLauncherWords(words: string[]): { launcher: Launcher; parsed: LauncherParse } | null {
  for (const launcher of LAUNCHERS) {
    const parsed = launcher.parse(words);
    if (parsed !== null) return { launcher, parsed };
  }
  return null;
}
