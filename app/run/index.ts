export {
  startRun,
  stopAllRuns,
  killAllRunsSync,
  exitStatusCode,
  describeExit,
  type RunSpec,
  type RunHandle,
  type RunLine,
  type RunResult,
  type RunEvents,
} from './runner';
export {
  ResultsParser,
  OutputResults,
  parseResults,
  hasMetrics,
  type RunMetrics,
  type LatencyStats,
  type Throughput,
  type ResultBlock,
  type ResultsFormat,
} from './results';
export {
  readResultsDir,
  overlapThroughput,
  instanceResults,
  latencyStats,
  percentile,
  type PassDump,
  type InstanceResults,
  type OverlapResult,
  type ResultsDir,
} from './resultsdir';
export { LoadTally, type CpuLoadSummary } from './loadtally';
export { LoadSampler, outsideSelection, parseProcStat, loadBetween, type CpuLoad } from './load';
export { processAffinity, type ProcessAffinity, type ThreadCpu } from './affinity';
export {
  groupMembers,
  groupRssBytes,
  groupMemory,
  rssBytes,
  parseStat,
  cmdline,
  type GroupMemory,
  type ProcStat,
} from './proctree';
export { parseResultsFromLog } from './fromlog';
