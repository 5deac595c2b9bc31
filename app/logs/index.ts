export { stripAnsi, displayText } from './ansi';
export {
  classifyLine,
  LineClassifier,
  levelsForDebugMode,
  raisedAtFailure,
  FAILURE_TAIL_LINES,
  LEVELS,
  LEVEL_CODE,
  type Level,
} from './classify';
export {
  LOG_MAGIC,
  LOG_MAGIC_V1,
  streamLetter,
  MAX_LINE_BYTES,
  DISPLAY_MAX_CHARS,
  DISPLAY_MAX_BYTES,
  logHeader,
  parsePrefix,
  decodeDisplay,
  detectFormat,
  scanLines,
  readLogFile,
  readLogBatches,
  type LogRecord,
  type LogFormat,
  type Stream,
  type DisplayLine,
} from './logfile';
export { LogIndex, type LogLine, type FullLogLine, type FilterOptions } from './logindex';
export { SearchTimeoutError, SearchPatternError, searchBudgetMs } from './search';
