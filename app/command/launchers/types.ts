/**
 * One launcher's syntax (issue 17): how the same run plan is spelled for taskset, docker --cpuset-cpus,
 * systemd-run, Slurm, PyTorch's run_cpu or OpenMP's own variables, and how such a line is read back by
 * `--import`. Each launcher lives in its own module of this folder; index.ts lists them.
 */
import type { RunSettings } from '../../shared/command';
import type { Topology } from '../../shared/topology';
import type { EnvPlan } from '../plan';

export interface LauncherInput {
  settings: RunSettings;
  /** The environment the tool sets (derived AIO_ and OMP_ variables first) and the names it unsets: the same plan numactl uses. */
  plan: EnvPlan;
  /** The CPUs bound, in order, each once (boundCpus). Empty = no CPU binding. */
  cpus: number[];
  /** Memory nodes of the policy (explicit or the selected CPUs' nodes); empty when the policy is none/local. */
  memNodes: number[];
  topology: Topology | null;
  /** Image for the docker-cpuset form; absent = DEFAULT_IMAGE, as the docker run form. */
  image?: string;
  /** How the interpreter's run_cpu spells its flags (from its --help); absent = not known, documented default. */
  runCpuSpelling?: 'underscore' | 'hyphen';
}

export interface LauncherParse {
  /** What the line sets; the caller merges it over defaults, exactly as the numactl importer does. */
  settings: Partial<RunSettings>;
  /** What could not be carried over or was read with an assumption, one sentence each. */
  notes: string[];
}

export interface Launcher {
  /** The `--format` value and UI tab id, e.g. "taskset" (public contract). */
  format: string;
  /** Tab label. */
  label: string;
  /** The command text, without trailing newline. */
  render(input: LauncherInput): string;
  /** What this launcher cannot express (e.g. taskset has no memory policy), shown beside the text and in the README. */
  limits(input: LauncherInput): string[];
  /**
   * Reads a line of this launcher back (already split into shell words, environment assignments first);
   * null when the words are not this launcher's.
   */
  parse(words: string[]): LauncherParse | null;
}
