/**
 * Entry of the log search worker (bundled as dist/logsearch-worker.cjs). One job at a time: it says when it
 * starts (the deadline counts from there, not from the worker's start-up) and answers with the result or the
 * error's message. A job that runs too long is not cancelled here: the owner terminates the whole worker.
 */
import { parentPort } from 'node:worker_threads';
import { runScan, type LogSnapshot, type ScanJob } from './logscan';

export interface WorkerRequest {
  id: number;
  snapshot: LogSnapshot;
  job: ScanJob;
}

export type WorkerReply =
  | { id: number; kind: 'started' }
  | { id: number; kind: 'done'; result: Awaited<ReturnType<typeof runScan>> }
  | { id: number; kind: 'failed'; message: string; syntax: boolean };

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    port.postMessage({ id: req.id, kind: 'started' } satisfies WorkerReply);
    runScan(req.snapshot, req.job).then(
      (result) => port.postMessage({ id: req.id, kind: 'done', result } satisfies WorkerReply),
      (e: unknown) =>
        port.postMessage({
          id: req.id,
          kind: 'failed',
          message: e instanceof Error ? e.message : String(e),
          syntax: e instanceof SyntaxError,
        } satisfies WorkerReply),
    );
  });
}
