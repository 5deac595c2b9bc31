// The Electron window's security rules (app/shell/policy.ts), which app/main.ts wires to Electron's hooks.
// Electron cannot start on the build machines, so the rules themselves are what is tested here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  CONTENT_SECURITY_POLICY,
  WEB_PREFERENCES,
  isOwnPage,
  navigationAllowed,
  openExternally,
  permissionAllowed,
} from '../../app/shell/policy';

const index = pathToFileURL('/opt/AIO Tuner/resources/app.asar/dist/renderer/index.html').href;

test('the window is isolated and sandboxed, with no Node in the page', () => {
  assert.equal(WEB_PREFERENCES.contextIsolation, true);
  assert.equal(WEB_PREFERENCES.sandbox, true);
  assert.equal(WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(WEB_PREFERENCES.nodeIntegrationInSubFrames, false);
  assert.equal(WEB_PREFERENCES.webviewTag, false);
  assert.equal(WEB_PREFERENCES.webSecurity, true);
  // main.ts spreads exactly these (plus the preload), and nothing in it turns one back off.
  const main = readFileSync('app/main.ts', 'utf8');
  assert.match(main, /webPreferences: \{ \.\.\.WEB_PREFERENCES, preload: [^}]*\}/);
  assert.doesNotMatch(main, /nodeIntegration: true|contextIsolation: false|sandbox: false/);
});

test('only our own page may talk to the engine', () => {
  assert.ok(isOwnPage(index, index));
  assert.ok(isOwnPage(index.replace('index.html', 'assets/x.js'), index));
  assert.ok(!isOwnPage('file:///etc/passwd', index));
  assert.ok(
    !isOwnPage(index.replace('/renderer/', '/renderer-evil/'), index),
    'a sibling folder with our prefix',
  );
  assert.ok(!isOwnPage(index.replace('index.html', '../../x.html'), index), 'climbing out of the folder');
  assert.ok(!isOwnPage('https://example.com/', index));
  assert.ok(!isOwnPage('', index));
});

test('links open in the browser only when they are web links; the window never navigates away', () => {
  assert.ok(openExternally('https://ampere.com/docs'));
  assert.ok(openExternally('http://127.0.0.1:8765/'));
  for (const u of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url'])
    assert.ok(!openExternally(u), u);
  assert.ok(navigationAllowed(index, index));
  assert.ok(!navigationAllowed(index, 'https://example.com/'));
  assert.ok(!navigationAllowed(index, 'file:///etc/passwd'));
});

test('one permission: writing the clipboard', () => {
  assert.ok(permissionAllowed('clipboard-sanitized-write'));
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'])
    assert.ok(!permissionAllowed(p), p);
});

test("the content security policy runs only the app's own scripts, in the window and in browser mode", () => {
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k!, v]),
    );
  const page = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
    readFileSync('renderer/index.html', 'utf8'),
  )?.[1];
  assert.ok(page, 'renderer/index.html carries its own policy (browser mode has no Electron header)');
  for (const csp of [CONTENT_SECURITY_POLICY, page]) {
    const d = directives(csp);
    assert.deepEqual(d.get('script-src'), ["'self'"], csp);
    assert.deepEqual(d.get('object-src'), ["'none'"], csp);
    assert.deepEqual(d.get('frame-ancestors'), ["'none'"], csp);
    assert.deepEqual(d.get('base-uri'), ["'none'"], csp);
    assert.ok(!csp.includes('unsafe-eval'), csp);
  }
});
