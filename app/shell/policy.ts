/**
 * The Electron window's security rules as plain data and functions, so they are unit-tested here although
 * Electron itself never starts on the build machines. app/main.ts only wires them to Electron's hooks.
 */

/**
 * The window's page is served from this scheme and host (app/shell/scheme.ts), not from file://: a page on
 * file:// is in a null origin that every other local file shares, and it gets no response headers, so its CSP
 * could only be a <meta> tag.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'aio-tuner';
export const RENDERER_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Sent as a response header with every file of the window's page. Only the app's own files run; nothing is
 * framed, posted or fetched: the page talks to the engine over IPC through the preload, so `connect-src` is
 * 'none' (browser mode's page, which does need its WebSocket, carries its own policy in renderer/index.html).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes (bar heights, chart positions); no inline <script> is ever allowed.
  "style-src 'self' 'unsafe-inline'",
  // The page shows no data: or blob: images (saved files are blob: downloads, which img-src does not govern).
  "img-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Whether a URL (a frame's page, or a permission's requesting origin) is the window's own page: the app scheme
 * and host, with no user, password or port that could make it another origin.
 */
export function isOwnPage(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === `${APP_SCHEME}:` &&
    u.hostname === APP_HOST &&
    u.port === '' &&
    u.username === '' &&
    u.password === ''
  );
}

/** Links the page opens go to the user's browser, and only web links: never file:, javascript:, or apps. */
export function openExternally(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The window never navigates away from the page it loaded (a reload of the same page is fine). */
export function navigationAllowed(currentUrl: string, nextUrl: string): boolean {
  return nextUrl === currentUrl;
}

/** The one permission the page may get: writing to the clipboard (Copy buttons). */
export function permissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

/**
 * Both of Electron's permission hooks answer with this: a permission *request* (`setPermissionRequestHandler`,
 * with the requesting frame's URL) and a permission *check* (`setPermissionCheckHandler`, with its origin; most
 * web APIs check before they request, and an unhandled check is granted). Same allow-list, and only for the
 * window's own page.
 */
export function permissionGranted(permission: string, requestingUrlOrOrigin: string): boolean {
  return permissionAllowed(permission) && isOwnPage(requestingUrlOrOrigin);
}
