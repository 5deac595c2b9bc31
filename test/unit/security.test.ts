import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  boundHostNames,
  hostAllowed,
  originAllowed,
  tokenMatches,
  newToken,
  isLoopbackBind,
} from '../../app/server/security';
import {
  contentDisposition,
  decodeComponent,
  parseRequestUrl,
  requestToken,
  staticPathSegments,
} from '../../app/server/requests';
import { validateHeaderValue } from 'node:http';

test('Host header must name loopback (DNS rebinding)', () => {
  for (const h of ['127.0.0.1:8765', 'localhost:1', '[::1]:80', '127.1.2.3:9', 'LOCALHOST:5'])
    assert.ok(hostAllowed(h), h);
  for (const h of ['evil.com:8765', '10.0.0.1:80', '127.0.0.1.evil.com:1', '', undefined])
    assert.ok(!hostAllowed(h as string | undefined), String(h));
  assert.ok(hostAllowed('myserver:8765', ['myserver']), 'an explicitly bound --host is accepted');
});

test('Origin must match the Host on socket upgrade', () => {
  assert.ok(originAllowed('http://127.0.0.1:8765', '127.0.0.1:8765'));
  assert.ok(!originAllowed('http://evil.com', '127.0.0.1:8765'));
  assert.ok(!originAllowed('http://127.0.0.1:9999', '127.0.0.1:8765'));
  assert.ok(!originAllowed(undefined, '127.0.0.1:8765'));
  assert.ok(!originAllowed('null', '127.0.0.1:8765'));
});

test('tokens: random, 32+ bytes, compared exactly', () => {
  const t = newToken();
  assert.ok(Buffer.from(t, 'base64url').length >= 32);
  assert.notEqual(t, newToken());
  assert.ok(tokenMatches(t, t));
  assert.ok(!tokenMatches(t, t.slice(0, -1)));
  assert.ok(!tokenMatches(t, ''));
  assert.ok(!tokenMatches(t, null));
});

test('loopback binds are recognised; others are not', () => {
  assert.ok(isLoopbackBind('127.0.0.1'));
  assert.ok(isLoopbackBind('::1'));
  assert.ok(isLoopbackBind('localhost'));
  assert.ok(!isLoopbackBind('0.0.0.0'));
  assert.ok(!isLoopbackBind('192.0.2.7'));
});

test('a deliberate non-loopback bind answers to its own names only', () => {
  // The shape os.networkInterfaces() returns on a server with one public address.
  const ifs = {
    lo: [
      { address: '127.0.0.1', family: 'IPv4' },
      { address: '::1', family: 'IPv6' },
    ],
    eth0: [
      { address: '10.1.2.3', family: 'IPv4' },
      { address: 'fe80::1', family: 'IPv6' },
    ],
  };
  assert.deepEqual(boundHostNames('127.0.0.1', ifs, 'altra'), []);
  assert.deepEqual(boundHostNames('10.1.2.3', ifs, 'altra'), ['10.1.2.3']);
  const wild = boundHostNames('0.0.0.0', ifs, 'altra.lab.example');
  assert.deepEqual(wild.sort(), ['10.1.2.3', '[fe80::1]', 'altra', 'altra.lab.example'].sort());
  assert.ok(hostAllowed('10.1.2.3:8765', wild));
  assert.ok(hostAllowed('altra:8765', wild));
  assert.ok(!hostAllowed('evil.example:8765', wild), 'a rebinding domain is still refused');
});

test('request parts that cannot be read are null, never a throw', () => {
  assert.equal(parseRequestUrl('http://['), null);
  assert.equal(parseRequestUrl('/ok?token=a')?.searchParams.get('token'), 'a');
  assert.equal(parseRequestUrl(undefined)?.pathname, '/');
  assert.equal(decodeComponent('%E0%A4%A'), null);
  assert.equal(decodeComponent('%c0%ae'), null);
  assert.equal(decodeComponent('caf%C3%A9'), 'café');
  const url = new URL('http://x/');
  assert.equal(requestToken({ cookie: 'aio_tuner_token=%E0%A4%A' }, url), null);
  assert.equal(requestToken({ cookie: 'a=b; aio_tuner_token=t%2Bk' }, url), 't+k');
  assert.equal(requestToken({ authorization: 'Bearer abc' }, url), 'abc');
});

test('a static path is safe segments below the renderer folder, or null', () => {
  assert.deepEqual(staticPathSegments('/'), ['index.html']);
  assert.deepEqual(staticPathSegments('/assets/index-1CE2mjXC.js'), ['assets', 'index-1CE2mjXC.js']);
  for (const bad of ['/%c0%ae', '/%E0%A4%A', '/a/%2e%2e/b', '/..', '/a%5Cb', '/a%00b', '/.hidden'])
    assert.equal(staticPathSegments(bad), null, bad);
});

test('a download name becomes a header value node accepts, whatever the file is called', () => {
  for (const name of ['bundle.tar.gz', 'café "x".tgz', 'a\r\nSet-Cookie: x=y', '日本.log', '', 'x\ud800.log'])
    assert.doesNotThrow(() => validateHeaderValue('Content-Disposition', contentDisposition(name)), name);
  assert.equal(
    contentDisposition('café.tgz'),
    `attachment; filename="caf_.tgz"; filename*=UTF-8''caf%C3%A9.tgz`,
  );
});
