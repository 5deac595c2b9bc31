/**
 * Property test: reading back a built command gives back the settings. Structural equality (after
 * normalisation) for settings that do not override derived variables; for any settings, rebuilding the parsed
 * result must produce the same argv and environment.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  buildCommand,
  normalizeSettings,
  parseCommandLine,
  type BuiltCommand,
  type MemPolicy,
  type RunSettings,
} from '../../app/command';
import { readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import { fixtureRoot } from '../helpers/fixtures';
import { prng } from '../helpers/prng';

const SEED = Number(process.env.AIO_PROPERTY_SEED ?? 7331);
const CASES = 2000;

const PIECES = [
  ...'abcXYZ019_-./:,=+@%^',
  ' ',
  "'",
  '"',
  '$',
  '`',
  '*',
  '?',
  '[',
  ']',
  '\\',
  '\n',
  '\t',
  '!',
  '#',
  '~',
];
const MORE = [
  '{',
  '}',
  '(',
  ')',
  ';',
  '&',
  '|',
  '<',
  '>',
  '&&',
  '||',
  'é',
  '日本',
  '🚀',
  '\r',
  '$(x)',
  '${X}',
  '\\\n',
  "$'",
];
const SPECIAL = [
  '',
  '--',
  '-',
  '-x',
  '-P',
  '--foo=bar',
  'A=b',
  '=',
  'numactl',
  'env',
  'exec',
  'cd',
  '#',
  '\n',
  ' ',
];
const ARGV0 = [
  'python3',
  '/usr/bin/python3',
  './run.py',
  'my prog',
  "it's",
  '-dash',
  'a=b',
  '日本',
  'x\ny',
  '',
];
const POLICIES: MemPolicy[] = ['bind', 'preferred', 'interleave', 'local', 'none'];
const DERIVED = ['AIO_NUM_THREADS', 'OMP_NUM_THREADS', 'AIO_NUMA_CPUS', 'AIO_DEBUG_MODE'];

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  str(): string {
    if (this.r() < 0.15) return this.pick(SPECIAL);
    let s = '';
    for (let i = this.int(8); i > 0; i--) s += this.pick(this.r() < 0.8 ? PIECES : MORE);
    return s;
  }
  subset(ids: readonly number[], max: number): number[] {
    const pool = [...ids];
    const out: number[] = [];
    for (let n = this.int(max + 1); n > 0 && pool.length > 0; n--)
      out.push(pool.splice(this.int(pool.length), 1)[0]!);
    return out;
  }
  settings(t: Topology | null, overrideDerived: boolean): RunSettings {
    const ids = t ? t.cpus.map((c) => c.id) : Array.from({ length: 256 }, (_, i) => i);
    let cpus = this.subset(ids, 8);
    if (this.r() < 0.5) cpus = cpus.sort((a, b) => a - b);
    const nodeIds = t ? t.nodes.map((n) => n.id) : [0, 1, 2, 3];
    const memNodes = this.r() < 0.5 ? null : this.subset(nodeIds, 3);
    const env: Record<string, string | null> = {};
    for (let n = this.int(5); n > 0; n--) {
      const name =
        this.r() < 0.3
          ? this.pick(['AIO_MEM_BIND', 'AIO_CPU_BIND', 'DLS_NUM_THREADS', 'A', '_'])
          : `T_${this.int(1000)}`;
      env[name] = this.r() < 0.25 ? null : this.str();
    }
    if (overrideDerived) {
      for (const name of DERIVED) {
        if (this.r() < 0.3)
          env[name] = this.r() < 0.3 ? null : this.pick([this.str(), String(this.int(9)), cpus.join(' ')]);
      }
    }
    return {
      cpus,
      threads: this.r() < 0.5 ? null : this.r() < 0.3 ? cpus.length || 1 : 1 + this.int(64),
      memPolicy: this.pick(POLICIES),
      memNodes: memNodes && memNodes.length > 0 ? memNodes : null,
      debugMode: this.r() < 0.6 ? null : this.int(5),
      env,
      workload:
        this.r() < 0.05 ? [] : [this.pick(ARGV0), ...Array.from({ length: this.int(6) }, () => this.str())],
      cwd: this.r() < 0.7 ? null : this.str() || '/',
    };
  }
}

let topologies: (Topology | null)[];

before(async () => {
  topologies = [null];
  for (const f of ['arm64-altra-2p-160c-2node', 'x86-1p-4c-smt', 'arm64-offline-isolated']) {
    topologies.push(await readSysfsTopology(fixtureRoot(f)));
  }
});

/** What actually runs, with numactl's CPU list compared as the set it binds to. */
function effect(b: BuiltCommand) {
  const argv = b.argv.map((a) =>
    a.startsWith('--physcpubind=') ? `--physcpubind=${[...new Set(a.slice(14).split(/[,-]/))].length}` : a,
  );
  const cpuArg = b.argv.find((a) => a.startsWith('--physcpubind='));
  return { argv, cpus: cpuArg ? expand(cpuArg.slice(14)) : [], env: Object.entries(b.env), unset: b.unset };
}

/**
 * A thread variable given on its own is the thread count for both (issue 10 item 9): reading such a command
 * back sets AIO_NUM_THREADS and OMP_NUM_THREADS to that value, so Ampere's scripts accept it.
 */
function pairedThreads(e: ReturnType<typeof effect>): ReturnType<typeof effect> {
  const names = ['AIO_NUM_THREADS', 'OMP_NUM_THREADS'];
  const given = e.env.filter(([k]) => names.includes(k));
  if (given.length !== 1 || !/^[1-9]\d*$/.test(given[0]![1]) || e.unset.some((n) => names.includes(n)))
    return e;
  const pair: [string, string][] = names.map((k) => [k, given[0]![1]]);
  return { ...e, env: [...pair, ...e.env.filter(([k]) => !names.includes(k))] };
}

function expand(list: string): number[] {
  return list
    .split(',')
    .flatMap((p) => {
      const [a, b] = p.split('-').map(Number);
      return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
    })
    .sort((x, y) => x - y);
}

describe('parseCommandLine(buildCommand(s)) round trip', () => {
  it('gives back the settings (shell line and script)', () => {
    const g = new Gen(prng(SEED));
    for (let i = 0; i < CASES; i++) {
      const t = g.pick(topologies);
      const s = g.settings(t, false);
      const b = buildCommand(s, t);
      for (const [form, text] of [
        ['shell', b.shell],
        ['script', b.script],
      ] as const) {
        const back = parseCommandLine(text, t);
        assert.deepEqual(
          normalizeSettings(back.settings, t),
          normalizeSettings(s, t),
          `case ${i} (${form}) on ${t?.origin ?? 'no topology'}:\n${text}\nnotes: ${back.notes.join('; ')}`,
        );
      }
    }
  });

  it('rebuilds the same command when derived variables are overridden too', () => {
    const g = new Gen(prng(SEED + 1));
    for (let i = 0; i < CASES; i++) {
      const t = g.pick(topologies);
      const s = g.settings(t, true);
      const b = buildCommand(s, t);
      for (const text of [b.shell, b.script]) {
        const again = buildCommand(parseCommandLine(text, t).settings, t);
        assert.deepEqual(
          effect(again),
          pairedThreads(effect(b)),
          `case ${i}:\n${text}\nrebuilt:\n${again.shell}`,
        );
      }
    }
  });
});
