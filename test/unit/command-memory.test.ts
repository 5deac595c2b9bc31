/**
 * Memory policy, selection and fix rules of issue 10 (items 7, 8, 9, 11, 12, 17, 19), over the real kernel
 * dumps in test/fixtures: P2 (2 sockets, 2 nodes with memory), OI (node 1 has CPUs but no memory and is not in
 * Mems_allowed), the x86 SMT dump and its plain `lscpu` summary.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  allAvailable,
  applyFix,
  buildCommand,
  defaultSettings,
  firstPhysicalCores,
  parseCommandLine,
  runChecks,
  spread,
  usablePhysicalCoreCount,
  validateCpuList,
  wholeNode,
  type Check,
  type RunSettings,
} from '../../app/command';
import { instanceSettings, planSweep, type SweepSpec } from '../../app/sweep';
import { importTopology, readSysfsTopology } from '../../app/topology';
import { parseCpuList } from '../../app/shared/cpulist';
import type { Topology } from '../../app/shared/topology';
import { fixtureRoot, fixtureText, tarballFixtures } from '../helpers/fixtures';

let p2: Topology;
let oi: Topology;
let smt: Topology;
let smtSummary: Topology;
const all = new Map<string, Topology>();

before(async () => {
  for (const name of tarballFixtures()) all.set(name, await readSysfsTopology(fixtureRoot(name)));
  p2 = all.get('arm64-altra-2p-160c-2node')!;
  oi = all.get('arm64-offline-isolated')!;
  smt = all.get('x86-1p-4c-smt')!;
  smtSummary = importTopology(fixtureText('lscpu/x86-1p-4c-smt.lscpu.txt'), 'x86-1p-4c-smt.lscpu.txt');
  all.set('lscpu/x86-1p-4c-smt.lscpu.txt', smtSummary);
});

function settings(patch: Partial<RunSettings> = {}): RunSettings {
  return { ...defaultSettings(), ...patch };
}

const codes = (checks: Check[]) => checks.map((c) => c.code);
const find = (checks: Check[], code: string) => checks.find((c) => c.code === code);
const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

describe('AIO_MEM_BIND follows the numactl memory policy (item 7)', () => {
  it('is set to 0 when numactl binds memory anywhere but exactly node 0', () => {
    const cases: [string, Partial<RunSettings>][] = [
      ['cores 80-83 (node 1)', { cpus: range(80, 4) }],
      ['whole node 1', { cpus: wholeNode(p2, 1) }],
      ['spread over both nodes', { cpus: spread(p2, 4) }],
      ['preferred node 1', { cpus: range(80, 4), memPolicy: 'preferred' }],
      ['interleave', { cpus: range(0, 4), memPolicy: 'interleave', memNodes: [0, 1] }],
      ['preferred node 0', { cpus: range(0, 4), memPolicy: 'preferred' }],
      ['explicit node 1', { cpus: range(0, 4), memNodes: [1] }],
    ];
    for (const [what, patch] of cases) {
      const b = buildCommand(settings(patch), p2);
      assert.equal(b.env.AIO_MEM_BIND, '0', what);
      assert.match(b.shell, / AIO_MEM_BIND=0 /, what);
      assert.equal(
        find(b.checks, 'mem-bind-remote-node'),
        undefined,
        `${what}: no warning on our own output`,
      );
    }
  });

  it('is left alone for a bind to exactly node 0, without a memory policy, and when the user set it', () => {
    assert.equal(buildCommand(settings({ cpus: range(0, 4) }), p2).env.AIO_MEM_BIND, undefined);
    assert.equal(
      buildCommand(settings({ cpus: range(80, 4), memPolicy: 'local' }), p2).env.AIO_MEM_BIND,
      undefined,
    );
    const mine = buildCommand(settings({ cpus: range(80, 4), env: { AIO_MEM_BIND: '1' } }), p2);
    assert.equal(mine.env.AIO_MEM_BIND, '1');
    assert.ok(find(mine.checks, 'mem-bind-remote-node'), 'an explicit 1 against node 1 is still reported');
    const unset = buildCommand(settings({ cpus: range(80, 4), env: { AIO_MEM_BIND: null } }), p2);
    assert.equal(unset.env.AIO_MEM_BIND, undefined);
    assert.deepEqual(unset.unset, ['AIO_MEM_BIND']);
  });

  it('an imported command gets it too, and reading the built command back does not pin it', () => {
    const imported = parseCommandLine(
      'AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 numactl -C 80-83 -m 1 python3 run.py',
      p2,
    ).settings;
    const b = buildCommand(imported, p2);
    assert.equal(b.env.AIO_MEM_BIND, '0');
    assert.deepEqual(parseCommandLine(b.shell, p2).settings.env, {});
  });

  it('every multi-instance sweep instance on node 1 gets it (the sweep builds through buildCommand)', () => {
    const spec: SweepSpec = {
      settings: { ...defaultSettings(), workload: ['python3', 'run.py'] },
      threads: [4],
      placement: 'spread',
      variants: ['fp32'],
      customVariants: [],
      instances: [2],
      batches: null,
      repeat: 1,
    };
    const [p] = planSweep(spec, p2).points;
    const built = instanceSettings(spec, p2, p!, null).map((s) => buildCommand(s, p2));
    assert.ok(built[1]!.argv.includes('--membind=1'));
    assert.equal(built[1]!.env.AIO_MEM_BIND, '0');
    assert.equal(built[0]!.env.AIO_MEM_BIND, undefined, 'node 0 instance: the engine binding agrees');
  });
});

describe('memory-less nodes and remote memory (item 8)', () => {
  it('OI: --node 1, --first 4 and --spread 4 bind to the nearest node with memory, without errors', () => {
    assert.equal(oi.nodes.find((n) => n.id === 1)!.memAllowed, false, 'Mems_allowed_list is read');
    for (const cpus of [wholeNode(oi, 1), firstPhysicalCores(oi, 4), spread(oi, 4)]) {
      const b = buildCommand(settings({ cpus }), oi);
      assert.ok(b.argv.includes('--membind=0'), `${cpus}: ${b.argv.join(' ')}`);
      assert.deepEqual(
        b.checks.filter((c) => c.severity === 'error').map((c) => c.code),
        [],
        `${cpus}: no error on the default`,
      );
      assert.equal(find(b.checks, 'mem-bind-remote-node'), undefined, 'node 0 is the nearest with memory');
    }
  });

  it('an explicit choice is kept; no listed node with memory is an error, also for interleave', () => {
    for (const memPolicy of ['bind', 'preferred', 'interleave'] as const) {
      const s = settings({ cpus: wholeNode(oi, 1), memPolicy, memNodes: [1] });
      const b = buildCommand(s, oi);
      assert.ok(
        b.argv.some((a) => /^--(membind|preferred|interleave)=1$/.test(a)),
        memPolicy,
      );
      const c = find(b.checks, 'membind-memoryless-node');
      assert.equal(c?.severity, 'error', memPolicy);
      assert.deepEqual(applyFix(s, c!.fix!).memNodes, [0]);
    }
  });

  it('mem-policy-remote-node: all memory remote from every selected CPU although a local node has memory', () => {
    const s = settings({ cpus: range(0, 4), memNodes: [1] });
    const c = find(runChecks(s, p2), 'mem-policy-remote-node');
    assert.equal(c?.severity, 'warning');
    assert.deepEqual(codes(runChecks(applyFix(s, c!.fix!), p2)), []);
    // Not when a CPU's node is among the memory nodes, nor when the CPUs' node has no memory (OI node 1).
    assert.equal(
      find(runChecks(settings({ cpus: [0, 80], memNodes: [1] }), p2), 'mem-policy-remote-node'),
      undefined,
    );
    assert.equal(
      find(runChecks(settings({ cpus: wholeNode(oi, 1), memNodes: [0] }), oi), 'mem-policy-remote-node'),
      undefined,
    );
  });

  it('multi-instance sweeps keep the memory nodes the user gave', () => {
    const spec: SweepSpec = {
      settings: { ...defaultSettings(), memNodes: [0], workload: ['python3', 'run.py'] },
      threads: [4],
      placement: 'spread',
      variants: ['fp32'],
      customVariants: [],
      instances: [2],
      batches: null,
      repeat: 1,
    };
    const [p] = planSweep(spec, p2).points;
    const built = instanceSettings(spec, p2, p!, null).map((s) => buildCommand(s, p2));
    for (const b of built) assert.ok(b.argv.includes('--membind=0'), b.argv.join(' '));
    assert.ok(find(built[1]!.checks, 'mem-policy-remote-node'), 'the remote choice is reported, not changed');
    // Without a user choice each instance still binds to its own node.
    const own = { ...spec, settings: { ...spec.settings, memNodes: null } };
    const again = instanceSettings(own, p2, p!, null).map((s) => buildCommand(s, p2));
    assert.ok(again[1]!.argv.includes('--membind=1'));
  });
});

describe('thread variables, duplicates, SMT summaries (items 9, 11, 12)', () => {
  it('a single thread variable is the thread count for both', () => {
    for (const text of [
      'OMP_NUM_THREADS=2 numactl -C 0-3 python3 x.py',
      'AIO_NUM_THREADS=2 numactl -C 0-3 python3 x.py',
    ]) {
      const b = buildCommand(parseCommandLine(text, p2).settings, p2);
      assert.equal(b.env.AIO_NUM_THREADS, '2', text);
      assert.equal(b.env.OMP_NUM_THREADS, '2', text);
      assert.equal(find(b.checks, 'threads-mismatch'), undefined, text);
    }
  });

  it('a repeated CPU is bound once and reported as cpus-duplicate, typed or imported', () => {
    const imported = parseCommandLine('numactl -C 0,0,1 python3 x.py', p2).settings;
    const typed = validateCpuList('0,0,1', p2);
    assert.deepEqual(typed.repeated, [0]);
    for (const s of [imported, settings({ cpus: [...typed.cpus, ...typed.repeated] })]) {
      const b = buildCommand(s, p2);
      assert.ok(b.argv.includes('--physcpubind=0-1'), b.argv.join(' '));
      assert.equal(b.env.AIO_NUM_THREADS, '2');
      assert.equal(b.env.AIO_NUMA_CPUS, '0 1');
      assert.ok(find(b.checks, 'cpus-duplicate'));
      assert.equal(find(b.checks, 'threads-exceed-cores'), undefined);
    }
  });

  it('an lscpu summary of an SMT machine counts 4 cores like the sysfs view of the same machine', () => {
    assert.equal(usablePhysicalCoreCount(smt), 4);
    assert.equal(usablePhysicalCoreCount(smtSummary), 4);
    assert.equal(firstPhysicalCores(smtSummary, 8).length, 4);
    assert.equal(allAvailable(smtSummary).length, 4);
    for (const t of [smt, smtSummary]) {
      const c = find(runChecks(settings({ cpus: range(0, 8) }), t), 'threads-exceed-cores');
      assert.equal(c?.severity, 'error', t.source);
    }
  });
});

describe('messages and quoting (item 17)', () => {
  it('control characters in a CPU list are shown escaped, on one line', () => {
    const r = validateCpuList('1\n2', p2);
    assert.equal(r.errors.length, 1);
    assert.doesNotMatch(r.errors[0]!.message, /\n/);
    assert.match(r.errors[0]!.message, /1\\n2/);
    assert.throws(
      () => parseCpuList('1\n2,x'),
      (e: Error) => !e.message.includes('\n'),
    );
  });

  it('huge ids are reported with the typed digits, never rounded', () => {
    assert.match(validateCpuList('99999999999999999999', p2).errors[0]!.message, /CPU 99999999999999999999 /);
    assert.match(validateCpuList('99999999999999999999', null).errors[0]!.message, /99999999999999999999/);
    assert.throws(() => parseCpuList('99999999999999999999'), /99999999999999999999 /);
  });

  it('with a topology loaded the message never says the topology is missing', () => {
    const coarse = importTopology('CPU(s): 4\nOn-line CPU(s) list: 0-3\n', 'x.txt');
    const c = find(runChecks(settings({ cpus: [0, 1] }), coarse), 'mem-policy-without-nodes');
    assert.ok(c);
    assert.doesNotMatch(c.message, /without the machine topology/);
    const none = find(runChecks(settings({ cpus: [0, 1] }), null), 'mem-policy-without-nodes');
    assert.match(none!.message, /without the machine topology/);
  });
});

describe('fixes never lead into an error (item 19)', () => {
  /** Selections a user reaches with the presets and typical typing mistakes, per topology. */
  function selections(t: Topology): Partial<RunSettings>[] {
    const out: Partial<RunSettings>[] = [
      { cpus: allAvailable(t) },
      { cpus: firstPhysicalCores(t, 4) },
      { cpus: spread(t, 4) },
      { cpus: t.cpus.map((c) => c.id) },
      { cpus: [0, 0, 1] },
      { cpus: allAvailable(t), threads: 9999 },
      { cpus: firstPhysicalCores(t, 2), env: { AIO_MEM_BIND: '1', OMP_NUM_THREADS: '3' } },
      { cpus: [], threads: null },
    ];
    for (const n of t.nodes) {
      out.push({ cpus: wholeNode(t, n.id) });
      out.push({ cpus: firstPhysicalCores(t, 2), memNodes: [n.id] });
      out.push({ cpus: firstPhysicalCores(t, 2), memPolicy: 'interleave', memNodes: [n.id] });
      out.push({ cpus: wholeNode(t, n.id), memPolicy: 'preferred', memNodes: t.nodes.map((x) => x.id) });
    }
    return out.filter((p) => p.cpus === undefined || p.cpus.every((id) => t.cpus.some((c) => c.id === id)));
  }

  it('applying any offered fix adds no error and does not offer itself again', () => {
    for (const [name, t] of all) {
      for (const patch of selections(t)) {
        const s = settings(patch);
        const before = runChecks(s, t);
        const errorsBefore = new Set(before.filter((c) => c.severity === 'error').map((c) => c.code));
        for (const c of before) {
          const fix = c.fix;
          if (!fix) continue;
          const where = `${name} ${JSON.stringify(patch)}: fix "${fix.label}" of ${c.code}`;
          const after = runChecks(applyFix(s, fix), t);
          const added = after.filter((x) => x.severity === 'error' && !errorsBefore.has(x.code));
          assert.deepEqual(
            codes(added),
            [],
            `${where} leads into ${added.map((x) => x.message).join(' / ')}`,
          );
          const again = after.find((x) => x.code === c.code && x.fix?.label === fix.label);
          assert.equal(again, undefined, `${where} is offered again (a loop)`);
        }
      }
    }
  });

  it('the presets with the default memory policy start without an error, so any error after a fix is new', () => {
    for (const [name, t] of all) {
      for (const cpus of [
        allAvailable(t),
        firstPhysicalCores(t, 4),
        spread(t, 4),
        ...t.nodes.map((n) => wholeNode(t, n.id)),
      ]) {
        if (cpus.length === 0) continue;
        const errors = runChecks(settings({ cpus }), t).filter((c) => c.severity === 'error');
        assert.deepEqual(codes(errors), [], `${name} ${cpus}: ${errors.map((c) => c.message).join(' / ')}`);
      }
    }
  });

  it('following the first fix each time ends without a cycle', () => {
    for (const [name, t] of all) {
      for (const patch of selections(t)) {
        let s = settings(patch);
        const seen = new Set<string>();
        for (let step = 0; step < 20; step++) {
          const key = JSON.stringify(s);
          assert.ok(!seen.has(key), `${name} ${JSON.stringify(patch)}: fixes cycle`);
          seen.add(key);
          const next = runChecks(s, t).find((c) => c.fix);
          if (!next) break;
          s = applyFix(s, next.fix!);
        }
      }
    }
  });

  it('OI after "All": the cross-node fix keeps the node with memory, and no bind goes to node 1', () => {
    const s = settings({ cpus: allAvailable(oi) });
    const c = find(runChecks(s, oi), 'cross-node-cores')!;
    assert.match(c.fix!.label, /on node 0$/);
    const fixed = applyFix(s, c.fix!);
    const b = buildCommand(fixed, oi);
    assert.ok(b.argv.includes('--membind=0'));
    assert.deepEqual(
      b.checks.filter((x) => x.severity === 'error'),
      [],
    );
  });
});
