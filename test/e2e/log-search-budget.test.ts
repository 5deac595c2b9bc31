// A catastrophic search pattern against a running workload, through the real server's Engine API: the search
// answers with a timeout error within its budget, and the workload writing into the engine's pipes meanwhile is
// never stalled (its own record of the longest pause between two writes says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServe, type Served } from '../helpers/serve';
import { need } from '../helpers/require';

const PYTHON = '/usr/bin/python3';
const BUDGET_S = 1;
let served: Served;
const scratch = mkdtempSync(join(tmpdir(), 'aio-search-budget-e2e-'));

before(async () => {
  served = await startServe([], { env: { AIO_TUNER_SEARCH_TIMEOUT_S: String(BUDGET_S) } });
});
after(async () => {
  await served?.stop();
});

/** Between two polls of a state (not a timed assertion). */
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: { message: string; code: string };
}

/** A bare Engine API client over the server's WebSocket: requests by id, events ignored. */
async function connect(s: Served) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, {
    headers: { Origin: s.origin },
  });
  await new Promise((r) => ws.on('open', r));
  const waiting = new Map<number, (r: Reply) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Reply & { type: string; id: number };
    if (m.type === 'res') waiting.get(m.id)?.(m);
  });
  let id = 0;
  const ask = (method: string, params: unknown): Promise<Reply> =>
    new Promise((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      ws.send(JSON.stringify({ type: 'req', id: n, method, params }));
    });
  const call = async <T>(method: string, params: unknown): Promise<T> => {
    const r = await ask(method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error?.message}`);
    return r.result as T;
  };
  return { ask, call, close: () => ws.close() };
}

test('a catastrophic search pattern times out with a clear error and never stalls a running workload', async (t) => {
  if (!need(t, existsSync(PYTHON), `${PYTHON}`)) return;
  const stopFile = join(scratch, 'stop');
  const script = join(scratch, 'writer.py');
  // 32 a's then "!": `^(a+)+$` backtracks 2^32 ways over this line (seconds to minutes in V8). Then 1 KB lines
  // every 2 ms: when nobody drains the pipe, its 64 KB fill within a fraction of a second and write() blocks,
  // which the workload sees as a long gap between two of its own writes.
  writeFileSync(
    script,
    [
      'import os, sys, time',
      "print('a' * 32 + '!', flush=True)",
      "pad = 'x' * 1000",
      'last = time.monotonic(); worst = 0.0; n = 0',
      'while not os.path.exists(sys.argv[1]):',
      "    sys.stdout.write(f'{n} {pad}\\n'); sys.stdout.flush()",
      '    now = time.monotonic(); worst = max(worst, now - last); last = now; n += 1',
      '    time.sleep(0.002)',
      "print(f'WORST_GAP_MS {worst * 1000:.0f}', flush=True)",
      '',
    ].join('\n'),
  );
  const api = await connect(served);
  try {
    const run = await api.call<{ runId: string; logId: string; logFile: string }>('run.start', {
      settings: {
        cpus: [],
        threads: null,
        memPolicy: 'none',
        memNodes: null,
        debugMode: null,
        env: {},
        workload: [PYTHON, script, stopFile],
        cwd: null,
      },
    });
    // Wait for the workload to be well into its writing (a state, not a time).
    for (;;) {
      const q = await api.call<{ totalLines: number }>('log.query', { logId: run.logId, from: 0, count: 1 });
      if (q.totalLines > 200) break;
      await pause();
    }
    const search = await api.ask('log.search', {
      logId: run.logId,
      regex: '^(a+)+$',
      fromIndex: -1,
      direction: 'next',
    });
    assert.equal(search.ok, false);
    assert.equal(search.error?.code, 'timeout');
    assert.equal(search.error?.message, `search timed out after ${BUDGET_S} s; simplify the pattern`);
    // The same pattern as a filter ("only matching lines") is refused the same way.
    const filtered = await api.ask('log.query', {
      logId: run.logId,
      from: 0,
      count: 10,
      filter: { regex: '^(a+)+$' },
    });
    assert.equal(filtered.error?.code, 'timeout');
    // An ordinary search still answers while the run goes on.
    const ok = await api.call<{ n: number | null }>('log.search', {
      logId: run.logId,
      regex: '^1 x',
      fromIndex: -1,
      direction: 'next',
    });
    assert.equal(ok.n, 3);

    writeFileSync(stopFile, '');
    for (;;) {
      const runs = await api.call<{ runId: string; state: string }[]>('run.list', {});
      if (runs.find((r) => r.runId === run.runId)?.state === 'exited') break;
      await pause();
    }
    const worst = Number(/WORST_GAP_MS (\d+)/.exec(readFileSync(run.logFile, 'utf8'))?.[1]);
    assert.ok(Number.isFinite(worst), 'the workload reported its longest pause');
    // Generous on purpose (a loaded machine delays a 2 ms sleep, never by a whole second): with the search on
    // the engine's thread the pause was the pattern's whole run time, far above the budget.
    assert.ok(worst < BUDGET_S * 1000, `the workload's longest pause between writes was ${worst} ms`);
  } finally {
    writeFileSync(stopFile, '');
    api.close();
  }
});
