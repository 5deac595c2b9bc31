/** Run and sweep history: list, filter, open, delete, compare, export. */
export * from '../shared/history';
export { HistoryStore } from './store';
export { SweepFiles } from '../sweep/store';
export { RunFiles } from '../run/store';
export { compareRuns, settingsDiff, resultDeltas } from './compare';
export { runEntry, sweepEntry, sweepOfRuns, matches, entriesToCsv, ENTRY_COLUMNS } from './entries';
export { toCsv, csvField, type Cell } from '../util/csv';
