// Requests that used to end `aio-tuner serve` (and SIGKILL every run it had started): each one now gets a 4xx
// or a dropped socket, the server keeps serving, and a run started before them is still alive afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type Served } from '../helpers/serve';
import {
  alive,
  apiClient,
  rawExchange,
  runNow,
  startLongRun,
  workloadPid,
  wsFrame,
  wsRawExchange,
  type ApiClient,
} from '../helpers/wire';
import { defaultSettings } from '../../app/shared/command';
import type { BundleInfo, RunInfo } from '../../app/api/contract';

let s: Served;
let api: ApiClient;
let pid: number;
let run: RunInfo;
const tmp = mkdtempSync(join(tmpdir(), 'aio-hostile-'));

before(async () => {
  s = await startServe();
  api = await apiClient(s);
  const pidFile = join(tmp, 'workload.pid');
  run = await startLongRun(api, pidFile);
  pid = await workloadPid(pidFile);
});

after(async () => {
  await api?.call('run.stop', { runId: run.runId }).catch(() => undefined);
  api?.close();
  await s?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** After every hostile request: the server answers an authenticated request and the run is untouched. */
async function stillServing(what: string): Promise<void> {
  assert.equal(s.proc.exitCode, null, `${what}: serve exited\n${s.output()}`);
  const page = await rawExchange(
    s.port,
    `GET /?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
  );
  assert.match(page.statusLine, /^HTTP\/1\.1 200/, `${what}: the page still loads`);
  const info = await runNow(api, run.runId);
  assert.equal(info.state, 'running', `${what}: the run is still running`);
  assert.ok(alive(pid), `${what}: the workload process is alive`);
}

const httpCases: [string, (token: string, port: number) => string, RegExp][] = [
  [
    'an unparseable request target',
    (_t, p) => `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`,
    /^HTTP\/1\.1 400/,
  ],
  [
    'an overlong UTF-8 escape',
    (t, p) => `GET /%c0%ae?token=${t} HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`,
    /^HTTP\/1\.1 400/,
  ],
  [
    'a truncated escape',
    (t, p) => `GET /%E0%A4%A?token=${t} HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`,
    /^HTTP\/1\.1 400/,
  ],
  [
    'a cookie token that does not decode',
    (_t, p) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nCookie: aio_tuner_token=%E0%A4%A\r\n\r\n`,
    /^HTTP\/1\.1 401/,
  ],
  [
    'an escaped ".." path',
    (t, p) => `GET /%2e%2e/%2e%2e/etc/passwd?token=${t} HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`,
    /^HTTP\/1\.1 40[04] /,
  ],
  [
    'a bad upgrade target',
    (_t, p) =>
      `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    /^HTTP\/1\.1 400/,
  ],
  ['garbage instead of HTTP', () => '\u0000\u0001\u0002 not http at all\r\n\r\n', /^(HTTP\/1\.1 400 |$)/],
];

for (const [name, request, expected] of httpCases)
  test(`HTTP: ${name} is refused and the server keeps serving`, async () => {
    const reply = await rawExchange(s.port, request(s.token, s.port));
    assert.match(reply.statusLine, expected, reply.text);
    await stillServing(name);
  });

const frameCases: [string, () => Buffer][] = [
  ['a reserved opcode', () => wsFrame({ opcode: 0x3, payload: Buffer.from('x') })],
  ['an unmasked frame', () => wsFrame({ opcode: 0x1, payload: Buffer.from('{}'), masked: false })],
  ['RSV bits set', () => wsFrame({ opcode: 0x1, rsv: 0x6, payload: Buffer.from('{}') })],
  ['invalid UTF-8 in a text frame', () => wsFrame({ opcode: 0x1, payload: Buffer.from([0xc0, 0xae]) })],
  ['a frame over maxPayload', () => wsFrame({ opcode: 0x2, len: 2n ** 40n })],
  ['a fragmented control frame', () => wsFrame({ opcode: 0x9, fin: false })],
];

for (const [name, frame] of frameCases)
  test(`WebSocket: ${name} closes that socket only`, async () => {
    const r = await wsRawExchange(s, [frame()]);
    assert.ok(r.upgraded, 'the upgrade itself was valid');
    assert.ok(r.closedByServer, 'the server closed the offending socket');
    await stillServing(name);
  });

test('a bundle deleted after it was listed: its download is a 404 and the server keeps serving', async () => {
  const short = await api.call<RunInfo>('run.start', {
    settings: { ...defaultSettings(), memPolicy: 'none', workload: ['true'] },
  });
  while ((await runNow(api, short.runId)).state !== 'exited') await new Promise((r) => setTimeout(r, 50));
  const bundle = await api.call<BundleInfo>('bundle.create', { fromRunId: short.runId });
  assert.ok(existsSync(bundle.path));
  const download = `/download?path=${encodeURIComponent(bundle.path)}&token=${s.token}`;
  const get = () =>
    rawExchange(s.port, `GET ${download} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`);
  assert.match((await get()).statusLine, /^HTTP\/1\.1 200/, 'downloadable while it exists');
  rmSync(bundle.path);
  assert.match((await get()).statusLine, /^HTTP\/1\.1 404/);
  await stillServing('a deleted bundle');
});
