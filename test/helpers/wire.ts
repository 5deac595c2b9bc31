/**
 * Talking to a real `aio-tuner serve` below the level of a well-behaved client: raw bytes over TCP (request
 * lines node's own client refuses to send, WebSocket frames no library would build) and a plain API client.
 * Everything goes to 127.0.0.1 only.
 */
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import type { RunSettings } from '../../app/shared/command';
import { defaultSettings } from '../../app/shared/command';
import type { RunInfo } from '../../app/api/contract';
import type { Served } from './serve';

/** What came back on a raw socket: the status line (or '' when none) once the server ended the connection. */
export interface RawReply {
  statusLine: string;
  text: string;
}

/**
 * Sends `bytes` and collects the reply until the server closes the socket or `idleMs` pass without data after its
 * first byte (a server that keeps an HTTP/1.1 connection open is not a failure). Before the first byte it gets
 * `firstByteMs`: on a loaded machine a refusal can take more than a moment, and an empty reply must mean the
 * server said nothing, not that it was slow. Socket errors count as a dropped socket.
 */
export function rawExchange(
  port: number,
  bytes: Buffer | string,
  idleMs = 300,
  firstByteMs = 10_000,
): Promise<RawReply> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ statusLine: text.split('\r\n')[0] ?? '', text });
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    };
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      idle();
    });
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => {
      s.write(bytes);
      timer = setTimeout(done, firstByteMs);
    });
  });
}

export function upgradeRequest(s: Served, path = `/api?token=${s.token}`): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nOrigin: ${s.origin}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
    `Sec-WebSocket-Version: 13\r\n\r\n`
  );
}

/** One client frame, masked unless told otherwise; `len` overrides the length field (a lie about the size). */
export function wsFrame(
  opts: { fin?: boolean; rsv?: number; opcode: number; payload?: Buffer; masked?: boolean; len?: bigint },
  rnd: () => number = Math.random,
): Buffer {
  const payload = opts.payload ?? Buffer.alloc(0);
  const masked = opts.masked ?? true;
  const len = opts.len ?? BigInt(payload.length);
  const b0 = ((opts.fin ?? true) ? 0x80 : 0) | (((opts.rsv ?? 0) & 7) << 4) | (opts.opcode & 0x0f);
  let head: Buffer;
  if (len < 126n) head = Buffer.from([b0, Number(len)]);
  else if (len < 65536n) {
    head = Buffer.alloc(4);
    head[0] = b0;
    head[1] = 126;
    head.writeUInt16BE(Number(len), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = 127;
    head.writeBigUInt64BE(len, 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  head[1] = head[1]! | 0x80;
  const key = Buffer.from([0, 0, 0, 0].map(() => Math.floor(rnd() * 256)));
  const body = Buffer.from(payload.map((x, i) => x ^ key[i % 4]!));
  return Buffer.concat([head, key, body]);
}

/**
 * Upgrades a raw socket to a WebSocket, then sends `frames` and reports whether the server answered the
 * upgrade and when it dropped the connection (a protocol error must close that socket, nothing more).
 */
export function wsRawExchange(
  s: Served,
  frames: Buffer[],
  idleMs = 300,
): Promise<{ upgraded: boolean; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const sock = connect(s.port, '127.0.0.1');
    let head = '';
    let upgraded = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ upgraded, closedByServer });
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    sock.on('data', (d: Buffer) => {
      idle();
      if (upgraded) return;
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      upgraded = head.startsWith('HTTP/1.1 101');
      if (upgraded) for (const f of frames) sock.write(f);
    });
    sock.on('error', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('connect', () => {
      sock.write(upgradeRequest(s));
      idle();
    });
  });
}

/** A well-behaved API client over the server's WebSocket. */
export interface ApiClient {
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
  close(): void;
}

export async function apiClient(s: Served): Promise<ApiClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, {
    headers: { Origin: s.origin },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString()) as {
      type: string;
      id: number;
      ok: boolean;
      result?: unknown;
      error?: { message: string; code: string };
    };
    if (msg.type !== 'res') return;
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (!w) return;
    if (msg.ok) w.resolve(msg.result);
    else w.reject(Object.assign(new Error(msg.error?.message), { code: msg.error?.code }));
  });
  ws.on('close', () => {
    for (const w of waiting.values()) w.reject(new Error('socket closed'));
    waiting.clear();
  });
  return {
    call<T>(method: string, params: unknown = {}): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ type: 'req', id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

/** A run as the server lists it now (the UI's way to see runs: `run.list`). */
export async function runNow(api: ApiClient, runId: string): Promise<RunInfo> {
  const run = (await api.call<RunInfo[]>('run.list')).find((r) => r.runId === runId);
  if (!run) throw new Error(`run ${runId} is not listed`);
  return run;
}

/**
 * Starts `sleep 60` through the API with no binding (no numactl needed) in a shell that first writes its pid to
 * `pidFile`, so the test can check the workload itself is alive, not just what the server says about it.
 */
export async function startLongRun(api: ApiClient, pidFile: string): Promise<RunInfo> {
  const settings: RunSettings = {
    ...defaultSettings(),
    memPolicy: 'none',
    workload: ['sh', '-c', 'echo $$ > "$0"; exec sleep 60', pidFile],
  };
  const info = await api.call<RunInfo>('run.start', { settings });
  return info;
}

/** The workload's pid once its shell wrote it (wait on the file, not on a clock). */
export async function workloadPid(pidFile: string): Promise<number> {
  for (;;) {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) return pid;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
