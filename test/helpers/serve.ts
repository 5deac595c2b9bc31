/**
 * Starts the real `aio-tuner serve` (the built CLI, as users run it) and headless Debian Chromium for
 * end-to-end tests. Nothing here is mocked: the browser talks to the real server over loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import './dist';

export const CLI = join(process.cwd(), 'bin', 'aio-tuner.cjs');

export interface Served {
  url: string;
  token: string;
  port: number;
  origin: string;
  home: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'aio-tuner-test-'));
}

export async function startServe(
  args: string[] = [],
  opts: { home?: string; env?: Record<string, string> } = {},
): Promise<Served> {
  const home = opts.home ?? freshHome();
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: { ...process.env, AIO_TUNER_HOME: home, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print a URL in 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  const u = new URL(url);
  return {
    url,
    token: u.searchParams.get('token')!,
    port: Number(u.port),
    origin: u.origin,
    home,
    proc,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export const CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
