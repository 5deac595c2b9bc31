/**
 * The Electron window's security rules as plain data and functions, so they are unit-tested here although
 * Electron itself never starts on the build machines. app/main.ts only wires them to Electron's hooks.
 */

/** The window's renderer settings: isolated, sandboxed, no Node in the page (the preload is added by main). */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/** Sent with every response the window loads: only the app's own files run, nothing is framed or posted. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes (bar heights, chart positions); no inline <script> is ever allowed.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Only the shipped renderer folder is ours: not a sibling folder that shares its name as a prefix. */
export function isOwnPage(frameUrl: string, rendererIndexUrl: string): boolean {
  const dir = rendererIndexUrl.slice(0, rendererIndexUrl.lastIndexOf('/') + 1);
  let u: URL;
  try {
    u = new URL(frameUrl);
  } catch {
    return false;
  }
  // URL normalises "..", so a path that climbs out of the folder no longer starts with it.
  return u.protocol === 'file:' && u.href.startsWith(dir);
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
