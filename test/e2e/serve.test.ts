// Browser mode end to end: the real `aio-tuner serve` and real headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { WebSocket } from 'ws';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { readSysfsTopology } from '../../app/topology';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsOpen(url: string, headers: Record<string, string>): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('serve on this machine: Chromium shows this machine’s CPUs', async () => {
  const s = await startServe();
  try {
    const host = await readSysfsTopology('/');
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(s.url);
    await page.waitForSelector('[data-cpu]');
    const ids = await page.$$eval('[data-cpu]', (els) => els.map((e) => Number(e.getAttribute('data-cpu'))));
    assert.deepEqual(
      [...new Set(ids)].sort((a, b) => a - b),
      host.cpus.map((c) => c.id),
    );
    assert.match((await page.textContent('body')) ?? '', /this host/);
    await page.close();
  } finally {
    await s.stop();
  }
});

test('light and dark themes follow the operating system', async () => {
  const s = await startServe();
  try {
    const background = async (colorScheme: 'light' | 'dark') => {
      const page = await browser.newPage({ colorScheme });
      await page.goto(s.url);
      await page.waitForSelector('[data-cpu]');
      const rgb = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.close();
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return (r! + g! + b!) / 3;
    };
    assert.ok((await background('dark')) < 80, 'dark background under a dark OS theme');
    assert.ok((await background('light')) > 200, 'light background under a light OS theme');
  } finally {
    await s.stop();
  }
});

test('serve --sysroot on the 2-socket fixture shows both packages and 160 CPUs', async () => {
  const root = fixtureRoot('arm64-altra-2p-160c-2node');
  const s = await startServe(['--sysroot', root]);
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(s.url);
    await page.waitForSelector('[data-cpu="159"]');
    assert.equal(await page.locator('[data-cpu]').count(), 160);
    assert.equal(await page.locator('[data-package]').count(), 2);
    assert.equal(await page.locator('.node-box[data-node]').count(), 2);
    const body = (await page.textContent('body')) ?? '';
    assert.match(body, /Ampere Altra/);
    assert.ok(body.includes(root), 'the map names the sysroot it shows');
    await page.close();
  } finally {
    await s.stop();
  }
});

test('the page says so when the server stops', async () => {
  const s = await startServe();
  try {
    const page = await browser.newPage();
    await page.goto(s.url);
    await page.waitForSelector('[data-cpu]');
    assert.equal(await page.locator('[role=alert]').count(), 0);
    await s.stop();
    const banner = page.locator('[role=alert]');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /connection to the AIO Tuner server closed/);
    await page.close();
  } finally {
    await s.stop();
  }
});

test('requests without the token, with a foreign Host, or a foreign Origin are refused', async () => {
  const s = await startServe();
  try {
    assert.equal((await get(s.port, '/')).status, 401);
    assert.equal((await get(s.port, '/?token=wrong')).status, 401);
    assert.equal((await get(s.port, `/?token=${s.token}`)).status, 200);
    assert.equal((await get(s.port, `/?token=${s.token}`, { Host: `evil.example:${s.port}` })).status, 403);
    assert.equal((await get(s.port, `/?token=${s.token}`, { Host: `localhost:${s.port}` })).status, 200);

    const api = `ws://127.0.0.1:${s.port}/api?token=${s.token}`;
    assert.deepEqual(await wsOpen(api, { Origin: s.origin }), { opened: true });
    assert.equal((await wsOpen(api, { Origin: 'http://evil.example' })).status, 403);
    assert.equal((await wsOpen(api, {})).status, 403, 'no Origin at all is refused too');
    assert.equal((await wsOpen(`ws://127.0.0.1:${s.port}/api?token=nope`, { Origin: s.origin })).status, 401);
    assert.equal((await wsOpen(api, { Origin: s.origin, Host: `evil.example:${s.port}` })).status, 403);
  } finally {
    await s.stop();
  }
});

test("--host 0.0.0.0 warns, answers to this machine's own addresses, still refuses a foreign Host", async () => {
  const s = await startServe(['--host', '0.0.0.0']);
  try {
    // The extra addresses follow the URL line; its last line says the start-up text is complete.
    while (!s.output().includes('From another machine')) await new Promise((r) => setTimeout(r, 20));
    assert.match(s.output(), /WARNING: listening on 0\.0\.0\.0, which is not a loopback address/);
    // What the token grants is said plainly, not implied (issue 10 item 32).
    assert.match(s.output(), /can run any command and read or write any file as this user/);
    // Every non-loopback IPv4 address of this machine is printed and served (what a colleague would type).
    const ips = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((a) => a.family === 'IPv4' && !a.internal)
      .map((a) => a.address);
    for (const ip of ips) {
      assert.ok(s.output().includes(`also at http://${ip}:${s.port}/?token=${s.token}`), ip);
      assert.equal((await get(s.port, `/?token=${s.token}`, { Host: `${ip}:${s.port}` })).status, 200, ip);
    }
    assert.equal((await get(s.port, `/?token=${s.token}`, { Host: `evil.example:${s.port}` })).status, 403);
    assert.equal(
      (await get(s.port, '/', { Host: ips[0] ?? 'localhost' })).status,
      401,
      'the token still counts',
    );
  } finally {
    await s.stop();
  }
});

test('a fresh random token per start, at least 32 bytes', async () => {
  const a = await startServe();
  const b = await startServe();
  try {
    assert.notEqual(a.token, b.token);
    assert.ok(Buffer.from(a.token, 'base64url').length >= 32);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('invalid API input is rejected with a clear message', async () => {
  const s = await startServe();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, {
      headers: { Origin: s.origin },
    });
    await new Promise((r) => ws.on('open', r));
    const ask = (msg: unknown) =>
      new Promise<{ ok: boolean; error?: { message: string; code: string } }>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString())));
        ws.send(JSON.stringify(msg));
      });
    const bad = await ask({
      type: 'req',
      id: 1,
      method: 'cpus.preset',
      params: { preset: 'first', count: -3 },
    });
    assert.equal(bad.ok, false);
    assert.equal(bad.error?.code, 'bad-request');
    assert.match(bad.error!.message, /count/);
    const unknown = await ask({ type: 'req', id: 2, method: 'rm.rf', params: {} });
    assert.equal(unknown.error?.code, 'unknown-method');
    ws.close();
  } finally {
    await s.stop();
  }
});
