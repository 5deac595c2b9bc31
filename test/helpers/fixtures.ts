/**
 * Access to the real machine dumps in test/fixtures. Tarballs are extracted once per content into a cache
 * under the OS temp dir; extraction goes to a private temp dir first and is renamed into place, so parallel
 * test processes never see a half-extracted tree.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(import.meta.dirname, '..', 'fixtures');
export const CACHE_DIR = join(os.tmpdir(), 'aio-tuner-fixtures');

/** Directory holding the extracted `test/fixtures/NAME.tar.gz` (NAME with or without ".tar.gz"). */
export function fixtureRoot(name: string): string {
  const base = name.replace(/\.tar\.gz$/, '');
  const tarball = join(FIXTURES_DIR, `${base}.tar.gz`);
  if (!existsSync(tarball)) throw new Error(`no fixture ${tarball}`);
  // Keyed by content so an updated fixture is never served from a stale cache.
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 12);
  const target = join(CACHE_DIR, `${base}-${digest}`);
  return cachedTree(target, (staging) =>
    execFileSync('tar', ['-xzf', tarball, '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
}

/**
 * `target` (a content-keyed path under the fixture cache), built once: `fill` writes a private staging dir that is
 * then renamed into place, so parallel test processes never see a half-built tree.
 */
export function cachedTree(target: string, fill: (staging: string) => void): string {
  if (existsSync(target)) return target;
  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = mkdtempSync(join(CACHE_DIR, '.stage-'));
  try {
    fill(staging);
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another process won the race: its complete tree is as good as ours.
    if (existsSync(target)) return target;
    throw err;
  }
  return target;
}

/** Text of a fixture file, path relative to test/fixtures (e.g. "lscpu/x86-1p-4c-smt.lscpu.txt"). */
export function fixtureText(relPath: string): string {
  return readFileSync(join(FIXTURES_DIR, relPath), 'utf8');
}

/** Every tarball fixture name (without ".tar.gz"), sorted. */
export function tarballFixtures(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.tar.gz'))
    .map((f) => f.replace(/\.tar\.gz$/, ''))
    .sort();
}

/** Every file under test/fixtures/lscpu, as paths relative to test/fixtures, sorted. */
export function lscpuFixtures(): string[] {
  return readdirSync(join(FIXTURES_DIR, 'lscpu'))
    .sort()
    .map((f) => `lscpu/${f}`);
}
