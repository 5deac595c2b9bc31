// Fuzz: a real `aio-tuner serve` on 127.0.0.1 takes over a thousand random and malformed HTTP requests and
// WebSocket frames while a run goes on; afterwards it still answers an authenticated request and the run's
// workload is still alive. Seeded, so a failure replays: FUZZ_SEED=n to try another sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng } from '../helpers/prng';
import { startServe, type Served } from '../helpers/serve';
import {
  alive,
  apiClient,
  rawExchange,
  runNow,
  startLongRun,
  upgradeRequest,
  workloadPid,
  wsFrame,
  wsRawExchange,
} from '../helpers/wire';
import type { RunInfo } from '../../app/api/contract';

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const HTTP_CASES = 700;
const WS_CASES = 400;
/** Cases in flight at once: enough to keep the server busy, bounded so the test stays well under 30 s. */
const PARALLEL = 16;

type Rnd = () => number;
const int = (r: Rnd, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const bytes = (r: Rnd, n: number) => Buffer.from(Array.from({ length: n }, () => int(r, 256)));

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'G\u00e9T',
  '',
  'GET GET',
];
const PIECES = [
  '/',
  '/index.html',
  '/assets/',
  '/download',
  '/api',
  '/%',
  '/%E0%A4%A',
  '/%c0%ae',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2f',
  '/%00',
  '/%ff%fe',
  'http://[',
  'http://127.0.0.1/',
  '*',
  '//evil.example/x',
  '\\..\\..\\',
  '?token=',
  '?path=/etc/passwd',
  '?path=%E0%A4%A',
  '&token=',
  '#frag',
  '\u00e9',
  '\ud83d\ude00',
];
const HEADERS = [
  'Host: 127.0.0.1:PORT',
  'Host: evil.example',
  'Host: [',
  'Host:',
  'Cookie: aio_tuner_token=%E0%A4%A',
  'Cookie: aio_tuner_token=TOKEN',
  'Cookie: ;;;=;',
  'Authorization: Bearer TOKEN',
  'Authorization: Bearer',
  'Origin: http://127.0.0.1:PORT',
  'Origin: null',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==',
  'Sec-WebSocket-Key: !!',
  'Content-Length: 5',
  'Content-Length: -1',
  'Content-Length: 99999999999999999999',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: chunked, identity',
  'Range: bytes=9-1',
  'X: \u0001\u0002',
  ': no name',
];

/** One HTTP request: built from hostile pieces, then sometimes cut short or with random bytes spliced in. */
function httpCase(r: Rnd, s: Served): Buffer {
  const fill = (x: string) => x.replaceAll('PORT', String(s.port)).replaceAll('TOKEN', s.token);
  let target = '';
  for (let k = 1 + int(r, 4); k > 0; k--) target += pick(r, PIECES);
  if (r() < 0.5) target += `${target.includes('?') ? '&' : '?'}token=${s.token}`;
  const path = `/download?path=${encodeURIComponent(pick(r, ['/etc/passwd', s.home, '', '\u0000']))}`;
  if (r() < 0.1) target = path + `&token=${s.token}`;
  const lines = [`${pick(r, METHODS)} ${fill(target)} ${pick(r, ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9', ''])}`];
  for (let k = int(r, 6); k > 0; k--) lines.push(fill(pick(r, HEADERS)));
  if (!lines.some((l) => l.startsWith('Host')) && r() < 0.8) lines.push(`Host: 127.0.0.1:${s.port}`);
  let req = Buffer.from(lines.join('\r\n') + '\r\n\r\n' + (r() < 0.2 ? 'hello' : ''), 'utf8');
  const mutation = r();
  if (mutation < 0.15) req = req.subarray(0, int(r, req.length));
  else if (mutation < 0.3) {
    const at = int(r, req.length);
    req = Buffer.concat([req.subarray(0, at), bytes(r, 1 + int(r, 16)), req.subarray(at)]);
  } else if (mutation < 0.35) req = bytes(r, 1 + int(r, 200));
  return req;
}

const JSON_MESSAGES = [
  '{"type":"req","id":1,"method":"system.info","params":{}}',
  '{"type":"req","id":2,"method":"cpus.preset","params":{"preset":"first","count":-1}}',
  '{"type":"req","id":3,"method":"run.get","params":{"runId":".."}}',
  '{"type":"req","id":4,"method":"history.get","params":{"kind":"run","id":"../../etc"}}',
  '{"type":"req","id":5,"method":"profiles.load","params":{"name":"\\u0000"}}',
  '{"type":"req","id":6,"method":"log.query","params":{"logId":"nope","from":-1,"count":1e309}}',
  '{"type":"req","id":7,"method":"no.such","params":null}',
  '{"type":"req","id":"x"}',
  '{"type":"req","id":1e999,"method":"system.info"}',
  '[]',
  'null',
  '{',
  '',
];

/** One WebSocket exchange after a valid upgrade: a malformed frame, or valid frames carrying junk. */
function wsCase(r: Rnd): Buffer[] {
  const kind = int(r, 9);
  const payload = r() < 0.5 ? Buffer.from(pick(r, JSON_MESSAGES)) : bytes(r, int(r, 64));
  switch (kind) {
    case 0:
      return [wsFrame({ opcode: pick(r, [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload }, r)];
    case 1:
      return [wsFrame({ opcode: 1, payload, masked: false }, r)];
    case 2:
      return [wsFrame({ opcode: 1, rsv: 1 + int(r, 7), payload }, r)];
    case 3:
      return [wsFrame({ opcode: 1, payload: Buffer.concat([payload, Buffer.from([0xc0, 0xae, 0xff])]) }, r)];
    case 4:
      return [wsFrame({ opcode: 2, len: 2n ** BigInt(29 + int(r, 34)) }, r)];
    case 5: // continuation with nothing to continue, or a control frame that is fragmented or too long
      return [
        pick(r, [
          wsFrame({ opcode: 0, payload }, r),
          wsFrame({ opcode: 9, fin: false }, r),
          wsFrame({ opcode: 8, payload: bytes(r, 126) }, r),
        ]),
      ];
    case 6: // a close frame with a bad code or reason
      return [wsFrame({ opcode: 8, payload: Buffer.from([int(r, 256), int(r, 256), 0xff]) }, r)];
    case 7: // valid frames, junk JSON: the server answers each and keeps the socket
      return Array.from({ length: 1 + int(r, 5) }, () =>
        wsFrame({ opcode: pick(r, [1, 2]), payload: Buffer.from(pick(r, JSON_MESSAGES)) }, r),
      );
    default: // random bytes after the handshake
      return [bytes(r, 1 + int(r, 64))];
  }
}

async function inParallel(jobs: (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

test(`serve survives ${HTTP_CASES + WS_CASES} random and malformed requests and frames during a run`, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'aio-fuzz-'));
  const s = await startServe();
  const api = await apiClient(s);
  let run: RunInfo | undefined;
  try {
    const pidFile = join(tmp, 'workload.pid');
    run = await startLongRun(api, pidFile);
    const pid = await workloadPid(pidFile);

    const r = prng(SEED);
    const jobs: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < HTTP_CASES; i++) {
      const req = httpCase(r, s);
      // Fuzz replies are not checked, only that the server survives: no need to wait for slow ones.
      jobs.push(() => rawExchange(s.port, req, 100, 100));
    }
    for (let i = 0; i < WS_CASES; i++) {
      const frames = wsCase(r);
      // Some upgrades carry the frame in the same packet as the handshake (ws's `head`).
      if (r() < 0.1) {
        const packet = Buffer.concat([Buffer.from(upgradeRequest(s)), frames[0]!]);
        jobs.push(() => rawExchange(s.port, packet, 100, 100));
      } else jobs.push(() => wsRawExchange(s, frames, 100));
    }
    // Interleave HTTP and WebSocket cases (a fixed shuffle from the same seed).
    for (let i = jobs.length - 1; i > 0; i--) {
      const j = int(r, i + 1);
      [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
    }
    await inParallel(jobs, PARALLEL);

    assert.equal(s.proc.exitCode, null, `serve exited (seed ${SEED}):\n${s.output()}`);
    const page = await rawExchange(
      s.port,
      `GET /?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(page.statusLine, /^HTTP\/1\.1 200/, 'an authenticated request is still answered');
    const after = await runNow(api, run.runId);
    assert.equal(after.state, 'running', 'the run is still running');
    assert.ok(alive(pid), 'its workload process is alive');
    await api.call('run.stop', { runId: run.runId });
    run = undefined;
  } finally {
    if (run) await api.call('run.stop', { runId: run.runId }).catch(() => undefined);
    api.close();
    await s.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
