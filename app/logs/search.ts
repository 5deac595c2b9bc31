/**
 * Runs regex scans (logscan.ts) in a worker thread with a time budget. The engine's own thread drains the
 * workload's pipes; a pattern with catastrophic backtracking (`^(a+)+$` over a line of 31 `a`s and a `!` takes
 * seconds in V8) must not stall it, nor the benchmark writing into those pipes. A job that outlives its budget
 * ends with the whole worker (a running regex cannot be interrupted otherwise); the next job gets a new one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogSnapshot, ScanJob, ScanResult } from './logscan';
import type { WorkerReply, WorkerRequest } from './searchworker';

/** The pattern ran out of its time budget. */
export class SearchTimeoutError extends Error {
  constructor(readonly budgetMs: number) {
    super(`search timed out after ${+(budgetMs / 1000).toFixed(1)} s; simplify the pattern`);
    this.name = 'SearchTimeoutError';
  }
}

/** The pattern is not a regular expression. */
export class SearchPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchPatternError';
  }
}

const DEFAULT_BUDGET_MS = 5000;

/** The budget of one scan: AIO_TUNER_SEARCH_TIMEOUT_S seconds when set to a positive number, else 5 s. */
export function searchBudgetMs(): number {
  const v = Number(process.env.AIO_TUNER_SEARCH_TIMEOUT_S);
  return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : DEFAULT_BUDGET_MS;
}

function startWorker(): Worker {
  // __filename in CommonJS (the Electron main bundle, tsx), import.meta.url in the ESM CLI bundle.
  const here = typeof __filename === 'string' ? dirname(__filename) : dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'logsearch-worker.cjs');
  if (existsSync(bundled)) return new Worker(bundled);
  // From source (tests through tsx): Node 20 does not carry `--import tsx` into workers, so register it there.
  const tsx = createRequire(join(here, 'search.ts')).resolve('tsx/cjs');
  const entry = join(here, 'searchworker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { eval: true });
}

interface Pending {
  req: WorkerRequest;
  budgetMs: number;
  resolve(r: ScanResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout | null;
}

class SearchWorkers {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private nextId = 1;

  run(snapshot: LogSnapshot, job: ScanJob, budgetMs: number): Promise<ScanResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, snapshot, job }, budgetMs, resolve, reject, timer: null });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const p = (this.current = this.queue.shift()!);
    const w = this.ensureWorker();
    w.ref(); // a caller waits on it
    w.postMessage(p.req);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.on('message', (m: WorkerReply) => this.onReply(w, m));
    w.on('error', (e) => this.onGone(w, e));
    w.on('exit', (code) => this.onGone(w, new Error(`the search worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private settle(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    this.current = null;
    this.worker?.unref(); // an idle worker must not keep the process alive
    this.pump();
  }

  private onReply(w: Worker, m: WorkerReply): void {
    const p = this.current;
    if (w !== this.worker || !p || m.id !== p.req.id) return;
    if (m.kind === 'started') {
      p.timer = setTimeout(() => {
        this.worker = null;
        void w.terminate();
        this.settle(p);
        p.reject(new SearchTimeoutError(p.budgetMs));
      }, p.budgetMs);
      return;
    }
    this.settle(p);
    if (m.kind === 'done') p.resolve(m.result);
    else p.reject(m.syntax ? new SearchPatternError(m.message) : new Error(m.message));
  }

  private onGone(w: Worker, e: Error): void {
    if (w !== this.worker) return; // terminated on purpose
    this.worker = null;
    const p = this.current;
    if (p) {
      this.settle(p);
      p.reject(e);
    }
  }
}

const workers = new SearchWorkers();

/** Run one scan off this thread; rejects with SearchTimeoutError after the budget, SearchPatternError on a bad pattern. */
export function scanInWorker(
  snapshot: LogSnapshot,
  job: ScanJob,
  budgetMs: number = searchBudgetMs(),
): Promise<ScanResult> {
  return workers.run(snapshot, job, budgetMs);
}
