// The Electron window's security rules (app/shell/policy.ts, app/shell/scheme.ts), which app/main.ts wires to
// Electron's hooks. Electron cannot start on the build machines, so the rules themselves are what is tested
// here, and main.ts is read as source to check that it wires them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import {
  CONTENT_SECURITY_POLICY,
  RENDERER_INDEX_URL,
  isOwnPage,
  navigationAllowed,
  openExternally,
  permissionAllowed,
  permissionGranted,
} from '../../app/shell/policy';
import { SCHEME_PRIVILEGES, rendererFile, serveRendererRequest } from '../../app/shell/scheme';

const mainSource = readFileSync('app/main.ts', 'utf8');

/** The literal `webPreferences` of every `new BrowserWindow({...})` in main.ts, as name → source text. */
function windowPreferences(source: string): Map<string, string>[] {
  const file = ts.createSourceFile('main.ts', source, ts.ScriptTarget.Latest, true);
  const found: Map<string, string>[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && node.expression.getText() === 'BrowserWindow') {
      const options = node.arguments?.[0];
      assert.ok(options && ts.isObjectLiteralExpression(options), 'BrowserWindow options are written inline');
      const prefs = options.properties.find((p) => p.name?.getText() === 'webPreferences');
      assert.ok(prefs && ts.isPropertyAssignment(prefs) && ts.isObjectLiteralExpression(prefs.initializer));
      const map = new Map<string, string>();
      for (const p of prefs.initializer.properties) {
        // A spread could turn any of the values below back off without the test (or the scan) seeing it.
        assert.ok(ts.isPropertyAssignment(p), `only plain "name: value" entries: ${p.getText()}`);
        map.set(p.name.getText(), p.initializer.getText());
      }
      found.push(map);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test('the window is isolated and sandboxed, with no Node in the page', () => {
  const windows = windowPreferences(mainSource);
  assert.equal(windows.length, 1, 'one window');
  const prefs = windows[0]!;
  const expected: Record<string, string> = {
    contextIsolation: 'true',
    sandbox: 'true',
    nodeIntegration: 'false',
    nodeIntegrationInSubFrames: 'false',
    nodeIntegrationInWorker: 'false',
    webSecurity: 'true',
    allowRunningInsecureContent: 'false',
    experimentalFeatures: 'false',
    webviewTag: 'false',
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(prefs.get(name), value, name);
  assert.match(prefs.get('preload') ?? '', /preload\.cjs/);
  assert.ok(!prefs.has('enableBlinkFeatures') && !prefs.has('partition'), [...prefs.keys()].join(', '));
  assert.match(mainSource, /app\.enableSandbox\(\)/);
});

test('the page loads from the app scheme, never from file://', () => {
  assert.equal(RENDERER_INDEX_URL, 'app://aio-tuner/index.html');
  // On the page's own URL, with the last area in the hash (app/shell/window-state.ts).
  assert.match(mainSource, /loadURL\(urlForArea\(RENDERER_INDEX_URL, start\.area\)\)/);
  assert.doesNotMatch(mainSource, /loadFile|pathToFileURL|file:/);
  // Registered as privileged before 'ready' (top level), handled once ready.
  assert.match(
    mainSource,
    /^protocol\.registerSchemesAsPrivileged\(\[\{ scheme: APP_SCHEME, privileges: SCHEME_PRIVILEGES \}\]\);$/m,
  );
  assert.match(
    mainSource,
    /protocol\.handle\(APP_SCHEME, \(request\) => serveRendererRequest\(request, rendererDir\)\)/,
  );
  // A standard, secure scheme (real origin, secure context for the clipboard) that widens nothing else.
  assert.deepEqual(SCHEME_PRIVILEGES, { standard: true, secure: true, codeCache: true });
});

test('only our own page may talk to the engine', () => {
  assert.ok(isOwnPage(RENDERER_INDEX_URL));
  assert.ok(isOwnPage('app://aio-tuner/assets/index-1CE2mjXC.js'));
  assert.ok(isOwnPage('app://aio-tuner'), 'the origin itself, as permission checks give it');
  for (const u of [
    'file:///opt/AIO Tuner/resources/app.asar/dist/renderer/index.html',
    'file:///etc/passwd',
    'app://aio-tuner.evil/index.html',
    'app://evil/index.html',
    'app://aio-tuner:8080/index.html',
    'app://user@aio-tuner/index.html',
    'https://aio-tuner/index.html',
    'https://example.com/',
    'not a url',
    '',
  ])
    assert.ok(!isOwnPage(u), u);
  // main.ts checks every IPC sender with it, on the frame that sent the message.
  assert.match(mainSource, /isOwnPage\(e\.senderFrame\?\.url \?\? ''\)/);
});

test('links open in the browser only when they are web links; the window never navigates away', () => {
  assert.ok(openExternally('https://ampere.com/docs'));
  assert.ok(openExternally('http://127.0.0.1:8765/'));
  for (const u of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'app://aio-tuner/', 'no'])
    assert.ok(!openExternally(u), u);
  assert.ok(navigationAllowed(RENDERER_INDEX_URL, RENDERER_INDEX_URL));
  assert.ok(!navigationAllowed(RENDERER_INDEX_URL, 'https://example.com/'));
  assert.ok(!navigationAllowed(RENDERER_INDEX_URL, 'file:///etc/passwd'));
  assert.ok(!navigationAllowed(RENDERER_INDEX_URL, 'app://aio-tuner/download?path=/etc/passwd'));
});

test('one permission, writing the clipboard, and only for our page: requested or checked', () => {
  assert.ok(permissionAllowed('clipboard-sanitized-write'));
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem'])
    assert.ok(!permissionAllowed(p), p);
  // A request names the frame's URL, a check its origin (with or without the trailing slash).
  for (const from of [RENDERER_INDEX_URL, 'app://aio-tuner', 'app://aio-tuner/'])
    assert.ok(permissionGranted('clipboard-sanitized-write', from), from);
  for (const from of ['https://example.com', 'file:///', '', 'app://evil'])
    assert.ok(!permissionGranted('clipboard-sanitized-write', from), from);
  assert.ok(!permissionGranted('media', 'app://aio-tuner'));
  // Both of Electron's hooks are wired to the same rule.
  assert.match(
    mainSource,
    /setPermissionRequestHandler\([^]*?cb\(permissionGranted\(permission, details\.requestingUrl\)\)/,
  );
  assert.match(
    mainSource,
    /setPermissionCheckHandler\([^]*?permissionGranted\(permission, requestingOrigin\)/,
  );
});

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
const pagePolicy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
  readFileSync('renderer/index.html', 'utf8'),
)?.[1];

test("the content security policy runs only the app's own scripts, in the window and in browser mode", () => {
  assert.ok(pagePolicy, 'renderer/index.html carries its own policy (browser mode has no Electron header)');
  for (const csp of [CONTENT_SECURITY_POLICY, pagePolicy]) {
    const d = directives(csp);
    assert.deepEqual(d.get('script-src'), ["'self'"], csp);
    assert.deepEqual(d.get('object-src'), ["'none'"], csp);
    assert.deepEqual(d.get('frame-ancestors'), ["'none'"], csp);
    assert.deepEqual(d.get('base-uri'), ["'none'"], csp);
    assert.deepEqual(d.get('img-src'), ["'self'"], csp);
    assert.ok(!csp.includes('unsafe-eval'), csp);
  }
});

test('the page connects nowhere in the window, and only to its own server in browser mode', () => {
  // The window's page talks over IPC: no fetch, no WebSocket.
  assert.deepEqual(directives(CONTENT_SECURITY_POLICY).get('connect-src'), ["'none'"]);
  // Browser mode's page needs its WebSocket back to the server that served it: 'self' covers ws:/wss: to the
  // same host and port (CSP3); a bare `ws:` would allow a socket to any host.
  assert.deepEqual(directives(pagePolicy!).get('connect-src'), ["'self'"]);
});

/** A renderer folder with a secret beside it, as the packaged app has other files beside dist/renderer. */
function rendererFixture(): { dir: string; renderer: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aio-shell-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(renderer, 'assets', 'index-1CE2mjXC.js'), 'console.log(1)');
  writeFileSync(join(renderer, '.hidden'), 'hidden');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET');
  return { dir, renderer };
}

test('the app scheme serves the page with its CSP as a response header', async () => {
  const { dir, renderer } = rendererFixture();
  try {
    for (const url of [RENDERER_INDEX_URL, 'app://aio-tuner/', 'app://aio-tuner/index.html?x=1#y']) {
      const r = await serveRendererRequest(new Request(url), renderer);
      assert.equal(r.status, 200, url);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await r.text(), /<title>page<\/title>/);
    }
    // Module scripts need a JavaScript type, or Chromium refuses to run them.
    const js = await serveRendererRequest(new Request('app://aio-tuner/assets/index-1CE2mjXC.js'), renderer);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);

    const missing = await serveRendererRequest(new Request('app://aio-tuner/assets/nope.js'), renderer);
    assert.equal(missing.status, 404);
    const folder = await serveRendererRequest(new Request('app://aio-tuner/assets'), renderer);
    assert.equal(folder.status, 404);
    const post = await serveRendererRequest(
      new Request(RENDERER_INDEX_URL, { method: 'POST', body: 'x' }),
      renderer,
    );
    assert.equal(post.status, 405);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no app:// URL reaches a file outside the renderer folder', async () => {
  const { dir, renderer } = rendererFixture();
  try {
    const escapes = [
      'app://aio-tuner/%2e%2e/secret.txt',
      'app://aio-tuner/.%2E/secret.txt',
      'app://aio-tuner/..%2fsecret.txt',
      'app://aio-tuner/..%2Fsecret.txt',
      'app://aio-tuner/..%5csecret.txt',
      'app://aio-tuner/..\\secret.txt',
      'app://aio-tuner/%252e%252e/secret.txt',
      'app://aio-tuner/assets/%2e%2e/%2e%2e/secret.txt',
      'app://aio-tuner/..%00/secret.txt',
      'app://aio-tuner/%E0%A4%A',
      'app://aio-tuner/.hidden',
      'app://aio-tuner/%2ehidden',
      `app://aio-tuner/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      'app://evil/secret.txt',
      'app://aio-tuner:1/index.html',
      `file://${join(dir, 'secret.txt')}`,
    ];
    for (const url of escapes) {
      const r = await serveRendererRequest(new Request(url), renderer);
      assert.equal(r.status, 404, url);
      assert.doesNotMatch(await r.text(), /SECRET|hidden/, url);
    }
    // A plain `..` is resolved by the URL parser (as Chromium does before the request arrives): it stays inside.
    assert.equal(
      rendererFile('app://aio-tuner/assets/../../../secret.txt', renderer),
      join(renderer, 'secret.txt'),
    );
    assert.equal(rendererFile('app://aio-tuner//etc/passwd', renderer), join(renderer, 'etc', 'passwd'));
    assert.equal(
      rendererFile('app://aio-tuner/assets/index-1CE2mjXC.js', renderer),
      join(renderer, 'assets', 'index-1CE2mjXC.js'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the static Electron scan (npm run lint) fails on a weakened window', () => {
  // The real sources pass; the same sources with the sandbox turned off do not.
  const ok = spawnSync(process.execPath, ['scripts/electronegativity.mjs'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /no new ones/);

  const root = mkdtempSync(join(tmpdir(), 'aio-scan-'));
  try {
    for (const rel of ['app/preload.ts', 'app/shell', 'renderer/index.html'])
      cpSync(rel, join(root, rel), { recursive: true });
    writeFileSync(join(root, 'app/main.ts'), mainSource.replace('sandbox: true', 'sandbox: false'));
    const bad = spawnSync(process.execPath, ['scripts/electronegativity.mjs', '--root', root], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /SANDBOX_JS_CHECK app\/main\.ts:\d+/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
