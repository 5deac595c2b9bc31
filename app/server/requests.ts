/**
 * Reading the parts of a request that arrive as raw text (request target, percent-escapes, cookies). Anyone who
 * can reach the port sends these before any token check, and a page on another 127.0.0.1 port can make a browser
 * send them with our cookie: each reader returns null for what it cannot read and never throws, so no request
 * can take the server (and every run it owns) down.
 */
import { isSafeSegment } from '../util/pathsegment';

/** The request target as a URL, or null when it is not one (`GET http://[ HTTP/1.1`). */
export function parseRequestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target || '/', 'http://placeholder');
  } catch {
    return null;
  }
}

/** `decodeURIComponent` that answers null for a malformed escape (`%E0%A4%A`, overlong `%c0%ae`). */
export function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * The token a request carries: `?token=`, `Authorization: Bearer`, or our cookie, in that order. A cookie whose
 * value does not decode counts as no token (so the request is refused as unauthorized, not crashed on).
 */
export function requestToken(headers: { authorization?: string; cookie?: string }, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const cookie = typeof headers.cookie === 'string' ? headers.cookie : '';
  const m = /(?:^|;\s*)aio_tuner_token=([^;]+)/.exec(cookie);
  return m ? decodeComponent(m[1]!) : null;
}

/**
 * The path of a static file below the renderer folder, as segments, or null when the path cannot name one:
 * a malformed escape, or a segment that is not one safe path segment after decoding (`..`, `%2e%2e`, `a\\b`,
 * NUL). The built renderer's own names (`assets/index-1CE2mjXC.js`) all are.
 */
export function staticPathSegments(pathname: string): string[] | null {
  const decoded = decodeComponent(pathname);
  if (decoded === null) return null;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (!parts.every(isSafeSegment)) return null;
  return parts.length ? parts : ['index.html'];
}

/**
 * `attachment` with an ASCII fallback name and the real one in RFC 5987 form: a raw non-ASCII or control byte
 * in a header makes node throw, and a quote or CR/LF must not end the header early.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'download';
  let utf8: string;
  try {
    utf8 = encodeURIComponent(name);
  } catch {
    return `attachment; filename="${ascii}"`; // a lone surrogate has no UTF-8 form
  }
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
