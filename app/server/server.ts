/**
 * Browser mode: one HTTP + WebSocket server for the built renderer and the API, for headless servers reached
 * through `ssh -L PORT:127.0.0.1:PORT`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { extname, join, resolve, basename } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Engine, EngineClient } from '../api/engine';
import { errorReply, replyTo, type WireRequest, type WireResponse } from '../api/contract';
import { boundHostNames, hostAllowed, newToken, originAllowed, tokenMatches } from './security';
import { contentDisposition, parseRequestUrl, requestToken, staticPathSegments } from './requests';
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
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  res.end(message + '\n');
}

/** What a handler that failed anyway answers: a 500 while nothing was sent, else the socket is dropped. */
function failed(res: ServerResponse, e: unknown): void {
  try {
    deny(res, 500, `internal error: ${(e as Error)?.message ?? String(e)}`);
  } catch {
    res.destroy();
  }
}

/**
 * Streams one file. The file is opened first and stat'ed through the open handle, so a file deleted between the
 * listing and the download is a 404 and never a throw, and what is sent is the file that was checked.
 */
async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return deny(res, 404, 'not found');
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      return deny(res, 404, 'not found');
    }
    res.writeHead(200, { ...headers, 'Content-Length': String(st.size) });
  } catch (e) {
    await handle.close().catch(() => undefined);
    return failed(res, e);
  }
  if (req.method === 'HEAD') {
    await handle.close().catch(() => undefined);
    return void res.end();
  }
  // pipeline closes the file and the response on an error of either side (a client gone mid-download).
  pipeline(handle.createReadStream(), res, () => undefined);
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

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseRequestUrl(req.url);
    if (!url) return deny(res, 400, 'bad request: the request target is not a URL');
    if (!hostAllowed(req.headers.host, extraHosts))
      return deny(res, 403, 'forbidden: Host header must name a loopback address');
    if (!tokenMatches(token, requestToken(req.headers, url)))
      return deny(res, 401, 'unauthorized: open the URL with ?token=… printed by `aio-tuner serve`');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');

    if (url.pathname === '/download') return download(opts.engine, url, req, res);

    const parts = staticPathSegments(url.pathname);
    if (!parts) return deny(res, 400, 'bad request: not a file path');
    const file = join(rendererDir, ...parts);
    const headers: Record<string, string> = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      ...SECURITY_HEADERS,
    };
    // Pages loaded with ?token= keep working when they fetch assets without it.
    if (url.searchParams.get('token'))
      headers['Set-Cookie'] =
        `aio_tuner_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    return sendFile(req, res, file, headers);
  };

  // Nothing a client sends may end the server: every handler catches, and every socket has an 'error' listener.
  const server = createServer((req, res) => {
    res.on('error', () => res.destroy());
    handleHttp(req, res).catch((e: unknown) => failed(res, e));
  });
  server.on('clientError', (_err, socket: Duplex) => {
    // Unparseable HTTP (node's parser refused it): answer 400 when the socket can still take it, else drop it.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  // Loaded here, not at the top: every CLI command shares one bundle, and `run` must not pay for a socket
  // server it never opens (`npm run bench`, the capture's peak memory).
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', () => undefined); // only ever re-emitted server errors; the HTTP server reports those
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, why: string) => {
      if (socket.writable)
        socket.write(
          `HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`,
        );
      socket.destroy();
    };
    try {
      const url = parseRequestUrl(req.url);
      if (!url) return refuse(400, 'Bad Request');
      if (url.pathname !== '/api') return refuse(404, 'Not Found');
      if (!hostAllowed(req.headers.host, extraHosts)) return refuse(403, 'Forbidden Host');
      if (!originAllowed(req.headers.origin, req.headers.host)) return refuse(403, 'Forbidden Origin');
      if (!tokenMatches(token, requestToken(req.headers, url))) return refuse(401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => serveSocket(opts.engine, ws));
    } catch {
      refuse(400, 'Bad Request');
    }
  });

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, host, () => res());
  });
  // Later server errors (accept failing for lack of file descriptors…) are reported, never thrown.
  server.on('error', (e) => process.stderr.write(`aio-tuner: server error: ${e.message}\n`));
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

/** Unsent bytes on a socket past which its display updates (run.lines) are sent without their lines. */
const EVENT_BACKLOG_BYTES = 1 << 20;

/** Largest WebSocket message taken (a pasted log, `log.openText`); a larger frame closes that socket only. */
const MAX_FRAME_BYTES = 300 * 1024 * 1024;

function sendJson(ws: WebSocket, value: unknown): void {
  if (ws.readyState !== ws.OPEN) return;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    const id = (value as { id?: unknown })?.id;
    if (typeof id !== 'number') return; // an event that cannot be sent is dropped, never thrown into the engine
    const reply: WireResponse = {
      type: 'res',
      id,
      ...errorReply(`the answer could not be sent: ${(e as Error).message}`, 'failed'),
    };
    text = JSON.stringify(reply);
  }
  ws.send(text, () => undefined);
}

function serveSocket(engine: Engine, ws: WebSocket): void {
  // A protocol error (bad opcode, unmasked or RSV frame, invalid UTF-8, a frame over maxPayload) is emitted
  // here; ws closes that connection itself. Without a listener it would be thrown and end the process.
  ws.on('error', () => ws.terminate());
  const unsubscribe = engine.subscribe((event, data) => {
    // A page that cannot keep up (a slow link, a busy tab) gets a run's line count without its lines: it reads
    // what it shows from the log, and the server does not queue display text nobody has read yet.
    const behind = event === 'run.lines' && ws.bufferedAmount > EVENT_BACKLOG_BYTES;
    sendJson(ws, { type: 'event', event, data: behind ? { ...(data as object), lines: [] } : data });
  });
  // Each connection is a client of its own: what it holds (load watches) ends when it closes.
  const client = engine.connect();
  ws.on('close', () => {
    unsubscribe();
    client.close();
  });
  ws.on('message', (raw) => {
    handleMessage(client, ws, raw).catch(() => ws.terminate());
  });
}

async function handleMessage(engine: EngineClient, ws: WebSocket, raw: RawData): Promise<void> {
  let msg: WireRequest;
  try {
    msg = JSON.parse(rawText(raw)) as WireRequest;
    if (msg?.type !== 'req' || typeof msg.id !== 'number' || typeof msg.method !== 'string')
      throw new Error('shape');
  } catch {
    const malformed: WireResponse = {
      type: 'res',
      id: -1,
      ...errorReply('malformed request frame', 'bad-request'),
    };
    return sendJson(ws, malformed);
  }
  const reply: WireResponse = {
    type: 'res',
    id: msg.id,
    ...(await replyTo(() => engine.handle(msg.method, msg.params))),
  };
  sendJson(ws, reply);
}

function rawText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString();
  if (Array.isArray(raw)) return Buffer.concat(raw).toString();
  return Buffer.from(new Uint8Array(raw)).toString();
}

async function download(engine: Engine, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = url.searchParams.get('path');
  if (!path || path.includes('\0') || !engine.isServable(resolve(path))) return deny(res, 404, 'not found');
  await sendFile(req, res, path, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': contentDisposition(basename(path)),
    ...SECURITY_HEADERS,
  });
}
