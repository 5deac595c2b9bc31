import { readLogBatches } from '../logs/logfile';
import { ResultsParser, type RunMetrics } from './results';

/** Results of a finished run straight from its log file (or any plain log), in bounded memory. */
export async function parseResultsFromLog(path: string): Promise<RunMetrics> {
  const p = new ResultsParser();
  for await (const batch of readLogBatches(path)) for (const rec of batch) p.feed(rec.text);
  return p.result();
}
