/** The op-coverage report (issue 17): graph helper, op table, matching rules and coverage maths. */
export { analyzeModel, OpsError, OPS_PASSES, OPS_WARMUP, shapesText, type AnalyzeOptions } from './analyze';
export { buildReport, coverageOf, heaviestUnaccelerated, opEntries, type GraphNodeCount } from './coverage';
export { bareName, isStructural, OpMatcher, opKey } from './match';
export { aioOpTable, OpTableError, parseOpTable, type OpRow } from './table';
