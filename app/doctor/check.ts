/**
 * One host check: what it reads through the place, and its verdict — a finding (a problem, with evidence and the
 * fix command), a pass (with what it read), or a skip (why it could not be made here).
 */
import type { RunSettings } from '../shared/command';
import type { Evidence, Finding } from '../shared/findings';
import type { Topology } from '../shared/topology';
import type { DoctorPlace } from './place';

export interface DoctorContext {
  place: DoctorPlace;
  /** The run about to start, when the doctor runs for one (binding, nodes, interpreter). */
  settings: RunSettings | null;
  /** The examined machine's topology (sockets, nodes, CPUs, allowed sets), already read. */
  topology: Topology | null;
  /** The workload's Python, when the run has one (or --python). */
  python: string | null;
}

export type CheckVerdict =
  { finding: Finding } | { passed: { message: string; evidence: Evidence[] } } | { skipped: string };

export interface HostCheck {
  /** The code its finding carries (a DoctorCode). */
  code: string;
  /** Where the rule comes from (README table of checks). */
  source: string;
  run(ctx: DoctorContext): Promise<CheckVerdict | CheckVerdict[]>;
}

export const NOT_FROM_A_DUMP = 'not checkable from a dump';
