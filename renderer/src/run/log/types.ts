import type { Level } from '../../../../app/shared/contract';

/** What the viewer shows: a run's log (growing while it runs) or a file the user opened. */
export interface LogSource {
  logId: string;
  /** "run 20250101T…" or the file's name. */
  label: string;
  /** The log file on the engine's side (for save and the browser download link). */
  path: string;
  growing: boolean;
  /** Lines known from run.lines events, ahead of the last query; 0 for opened files. */
  liveTotal: number;
  kind: 'run' | 'file';
}

export interface LogFilter {
  levels?: Level[];
  regex?: string;
  caseSensitive?: boolean;
}
