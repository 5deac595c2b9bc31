/**
 * Browser-mode access rules. The server listens on loopback and is reached through `ssh -L`, like Jupyter, so:
 * every request carries a random token; the Host header must name a loopback address (a DNS-rebinding page
 * cannot forge it); a WebSocket upgrade must come from our own origin (browsers do not apply CORS to sockets).
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal so length does not leak either. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Split "host:port" / "[v6]:port" into the host part, lower-cased. */
export function hostOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function isLoopbackHost(host: string): boolean {
  if (LOOPBACK_NAMES.has(host)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host.endsWith('.localhost');
}

export function isLoopbackBind(host: string): boolean {
  return isLoopbackHost(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host) || host === '::1';
}

/**
 * The Host names a deliberate non-loopback bind answers to: that host itself, or for a wildcard bind
 * (0.0.0.0, ::) every address of this machine's interfaces and its host name — what a colleague or a
 * port mapping will type. A rebinding page's own domain is still none of them.
 */
export function boundHostNames(
  host: string,
  interfaces: NodeJS.Dict<{ address: string; family: string | number }[]>,
  hostname: string,
): string[] {
  const h = host.toLowerCase();
  if (isLoopbackBind(h)) return [];
  if (!['0.0.0.0', '::', '[::]'].includes(h)) return [h.includes(':') && !h.startsWith('[') ? `[${h}]` : h];
  const addrs = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .map((a) => (a.family === 'IPv6' || a.family === 6 ? `[${a.address.toLowerCase()}]` : a.address));
  const name = hostname.toLowerCase();
  return [...new Set([...addrs, name, name.split('.')[0]!])].filter((x) => x && !isLoopbackHost(x));
}

/**
 * Host header check. When the user deliberately binds a non-loopback --host, that exact host is allowed too
 * (they were warned at start).
 */
export function hostAllowed(hostHeader: string | undefined, extraAllowed: string[] = []): boolean {
  if (!hostHeader) return false;
  const h = hostOf(hostHeader);
  return isLoopbackHost(h) || extraAllowed.includes(h);
}

export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (!origin || !hostHeader) return false;
  try {
    const u = new URL(origin);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      u.host.toLowerCase() === hostHeader.trim().toLowerCase()
    );
  } catch {
    return false;
  }
}
