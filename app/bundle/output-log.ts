/**
 * run/output.log: the run's log rewritten for people who do not have AIO Tuner, with every line's stream
 * marked, redacted line by line while it streams. The run log can be far larger than memory, so it is read
 * twice (once to learn the redacted size tar needs up front, once to write) rather than held or copied.
 */
import { readLogFile, type LogRecord } from '../logs';
import type { Redactor } from './redact';

/** `[stdout +1.234s] ` / `[stderr +1.234s] `, or without time for a plain log that has none. */
export function linePrefix(rec: Pick<LogRecord, 'stream' | 't'>): string {
  const time = rec.t === null ? '' : ` +${(rec.t / 1000).toFixed(3)}s`;
  return `[${rec.stream}${time}] `;
}

export const OUTPUT_LOG_FORMAT =
  'One line per output line: "[stdout +S.sss] " or "[stderr +S.sss] " (seconds since the run started), then ' +
  'the bytes exactly as the program wrote them, escape codes included.';

/** Each output line of the log as it goes into the bundle: prefix + redacted bytes + newline. */
export async function* outputLines(
  logFile: string,
  redactor: Redactor,
  onRecord?: (rec: LogRecord) => void,
  /** Stop after this many lines: a log still growing between the two passes must not outgrow its tar size. */
  maxLines = Infinity,
): AsyncGenerator<Buffer> {
  const nl = Buffer.from('\n');
  let n = 0;
  // Gather many short lines into one chunk: one archive write per log line would be slow for big logs.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const rec of readLogFile(logFile)) {
    if (++n > maxLines) break;
    onRecord?.(rec);
    const parts = [Buffer.from(linePrefix(rec)), redactor.bytes(rec.raw), nl];
    for (const p of parts) {
      pending.push(p);
      pendingBytes += p.length;
    }
    if (pendingBytes >= 256 * 1024) {
      yield Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** Size the redacted output.log will have, plus facts the first pass learns on the way. */
export async function measureOutput(
  logFile: string,
  redactor: Redactor,
  onRecord?: (rec: LogRecord) => void,
): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  for await (const chunk of outputLines(logFile, redactor, (rec) => {
    lines++;
    onRecord?.(rec);
  }))
    bytes += chunk.length;
  return { bytes, lines };
}
