/**
 * The window's page over the app:// scheme: which file a request names, and the response that serves it with
 * its CSP as a real header. No Electron here (main.ts hands requests to `serveRendererRequest` from
 * `protocol.handle`), so all of it is unit-tested in plain Node.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { isSafeSegment } from '../util/pathsegment';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './policy';

/**
 * What the scheme may do, for `protocol.registerSchemesAsPrivileged`. `standard` gives it real origins, relative
 * URLs and the same path normalisation as https; `secure` makes the page a secure context (the clipboard API
 * needs one); `codeCache` keeps V8's compiled-script cache, as file:// had. Nothing that widens what the page
 * may do: no `bypassCSP`, `corsEnabled`, `supportFetchAPI`, service workers or extensions.
 */
export const SCHEME_PRIVILEGES = { standard: true, secure: true, codeCache: true } as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Escaped characters that would be a separator, a NUL or a control character once decoded. */
const ENCODED_FORBIDDEN = /%(?:2f|5c|00|[01][0-9a-f]|7f)/i;

/**
 * The file below `rendererDir` that an app:// URL names, or null when it names none: another scheme or host, a
 * port or user, an encoded separator (`%2F`, `%5C`), a malformed escape, or any segment that is not one safe
 * path segment once decoded (`..`, `%2e%2e`, `.hidden`, a backslash). `app://aio-tuner/` is the index page.
 * Chromium has already resolved plain `..` segments before the request arrives; this refuses whatever is left.
 */
export function rendererFile(requestUrl: string, rendererDir: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.hostname !== APP_HOST) return null;
  if (u.port !== '' || u.username !== '' || u.password !== '') return null;
  const raw = u.pathname;
  if ((raw !== '' && !raw.startsWith('/')) || raw.includes('\\') || ENCODED_FORBIDDEN.test(raw)) return null;
  const parts: string[] = [];
  for (const segment of raw.split('/').slice(1)) {
    if (segment === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (!isSafeSegment(name)) return null;
    parts.push(name);
  }
  const root = resolve(rendererDir);
  const file = join(root, ...(parts.length ? parts : ['index.html']));
  // Safe segments cannot climb, so this holds by construction; checked anyway since it is the one rule here.
  return file.startsWith(root + sep) ? file : null;
}

/** The headers every file of the page is served with. */
export function rendererHeaders(file: string): Record<string, string> {
  return {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

/** The parts of a protocol request the handler reads (Electron passes a fetch `Request`). */
export interface SchemeRequest {
  method: string;
  url: string;
}

function plain(status: number, text: string): Response {
  return new Response(text + '\n', {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

/** The answer to one app:// request: the file with its headers, or a 404/405 that names nothing on disk. */
export async function serveRendererRequest(request: SchemeRequest, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
  const file = rendererFile(request.url, rendererDir);
  if (file === null) return plain(404, 'not found');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return plain(404, 'not found');
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: rendererHeaders(file),
  });
}
