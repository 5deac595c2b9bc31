// Load watches are counted per client, engine-side (issue 16): the map and the run panel of one page each ask
// and let go, other pages (WebSocket connections) hold their own, and a client that goes away takes its watches
// with it. Sampling runs while anyone watches and stops when nobody does. A real engine reading this host's
// /proc/stat.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import type { ApiEvents } from '../../app/shared/contract';

const tmp = mkdtempSync(join(tmpdir(), 'aio-loadwatch-test-'));
const engine = new Engine({ shell: 'browser', dataDir: join(tmp, 'home') });
after(async () => {
  await engine.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const watch = (c: { handle(m: string, p: unknown): Promise<unknown> }, on: boolean) =>
  c.handle('load.watch', { on });

/** The next load sample the engine sends, or null after `ms`. */
function nextSample(ms: number): Promise<ApiEvents['load.sample'] | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(null);
    }, ms);
    const off = engine.subscribe((event, data) => {
      if (event !== 'load.sample') return;
      clearTimeout(timer);
      off();
      resolve(data as ApiEvents['load.sample']);
    });
  });
}

test('one page: the run panel letting go of its watch does not stop the map’s', async () => {
  const page = engine.connect();
  assert.deepEqual(engine.loadWatchState(), { clients: 0, sampling: false });
  await watch(page, true); // the map
  await watch(page, true); // the run panel
  await watch(page, false); // the run panel's run ended
  assert.deepEqual(engine.loadWatchState(), { clients: 1, sampling: true });
  const s = await nextSample(3000);
  assert.ok(s && s.cpus.length > 0, 'samples keep coming');
  // This host's free memory per node rides along (the map's node bars).
  assert.ok(s.nodes && s.nodes.length > 0 && s.nodes.every((n) => n.freeBytes > 0), JSON.stringify(s.nodes));
  await watch(page, false); // the map left the screen
  assert.deepEqual(engine.loadWatchState(), { clients: 0, sampling: false });
  assert.equal(await nextSample(1200), null, 'nobody watches: no sample');
  page.close();
});

test('two pages: each holds its own watch; a page that goes away takes its watches with it', async () => {
  const a = engine.connect();
  const b = engine.connect();
  await watch(a, true);
  await watch(b, true);
  await watch(a, true);
  await watch(a, false);
  assert.deepEqual(engine.loadWatchState(), { clients: 2, sampling: true });
  // An "off" with no watch open (a page's retry after a reconnect, say) ends nobody else's.
  const c = engine.connect();
  await watch(c, false);
  assert.deepEqual(engine.loadWatchState(), { clients: 2, sampling: true });
  a.close(); // its connection closed with one watch still open
  assert.deepEqual(engine.loadWatchState(), { clients: 1, sampling: true });
  b.close();
  assert.deepEqual(engine.loadWatchState(), { clients: 0, sampling: false });
  // The CLI and in-process callers are one client of their own.
  await engine.handle('load.watch', { on: true });
  assert.equal(engine.loadWatchState().sampling, true);
  await engine.handle('load.watch', { on: false });
  assert.deepEqual(engine.loadWatchState(), { clients: 0, sampling: false });
});
