/**
 * Browser mode: one HTTP + WebSocket server for the built renderer and the API, for headless servers reached
 * through `ssh -L PORT:127.0.0.1:PORT`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep, basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../api/engine';
import { ApiError, type WireRequest, type WireResponse } from '../api/contract';
import { boundHostNames, hostAllowed, newToken, originAllowed, tokenMatches } from './security';
import { hostname, networkInterfaces } from 'node:os';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export interface ServeOptions {
  engine: Engine;
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  /** The same page under the other names a non-loopback bind answers to (empty on loopback). */
  otherUrls: string[];
  token: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  res.end(message + '\n');
}

function requestToken(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)aio_tuner_token=([^;]+)/.exec(cookie);
  return m ? decodeURIComponent(m[1]!) : null;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const rendererDir = resolve(opts.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `the UI is not built (${join(rendererDir, 'index.html')} is missing): run \`npm run build\``,
    );
  }
  const extraHosts = boundHostNames(host, networkInterfaces(), hostname());

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostAllowed(req.headers.host, extraHosts))
      return deny(res, 403, 'forbidden: Host header must name a loopback address');
    if (!tokenMatches(token, requestToken(req, url)))
      return deny(res, 401, 'unauthorized: open the URL with ?token=… printed by `aio-tuner serve`');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');

    if (url.pathname === '/download') return download(opts.engine, url, res);

    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep)) return deny(res, 403, 'forbidden');
    if (!existsSync(file) || !statSync(file).isFile()) return deny(res, 404, 'not found');
    const headers: Record<string, string> = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...SECURITY_HEADERS,
    };
    // Pages loaded with ?token= keep working when they fetch assets without it.
    if (url.searchParams.get('token'))
      headers['Set-Cookie'] =
        `aio_tuner_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 300 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: number, why: string) => {
      socket.write(
        `HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`,
      );
      socket.destroy();
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!hostAllowed(req.headers.host, extraHosts)) return refuse(403, 'Forbidden Host');
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuse(403, 'Forbidden Origin');
    if (!tokenMatches(token, requestToken(req, url))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(opts.engine, ws));
  });

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, host, () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    otherUrls: extraHosts.filter((h) => h !== shownHost).map((h) => `http://${h}:${port}/?token=${token}`),
    token,
    port,
    host,
    close: () =>
      new Promise<void>((res) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections?.();
        server.close(() => res());
      }),
  };
}

function serveSocket(engine: Engine, ws: WebSocket): void {
  const unsubscribe = engine.subscribe((event, data) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'event', event, data }));
  });
  ws.on('close', unsubscribe);
  ws.on('message', async (raw) => {
    let msg: WireRequest;
    try {
      msg = JSON.parse(raw.toString()) as WireRequest;
      if (msg?.type !== 'req' || typeof msg.id !== 'number' || typeof msg.method !== 'string')
        throw new Error('shape');
    } catch {
      ws.send(
        JSON.stringify({
          type: 'res',
          id: -1,
          ok: false,
          error: { message: 'malformed request frame', code: 'bad-request' },
        }),
      );
      return;
    }
    let reply: WireResponse;
    try {
      reply = { type: 'res', id: msg.id, ok: true, result: await engine.handle(msg.method, msg.params) };
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(String((e as Error)?.message ?? e), 'failed');
      reply = { type: 'res', id: msg.id, ok: false, error: { message: err.message, code: err.code } };
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
  });
}

function download(engine: Engine, url: URL, res: ServerResponse): void {
  const path = url.searchParams.get('path');
  if (!path || !engine.isServable(resolve(path))) return deny(res, 404, 'not found');
  const st = statSync(path);
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(st.size),
    'Content-Disposition': `attachment; filename="${basename(path).replace(/"/g, '')}"`,
    ...SECURITY_HEADERS,
  });
  createReadStream(path).pipe(res);
}
