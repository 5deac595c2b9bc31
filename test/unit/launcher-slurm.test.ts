/**
 * The slurm format (issue 17 item 2) rendered and read back over the real kernel dumps in test/fixtures: masks
 * of any width (CPUs above 63 on the 160- and 384-CPU dumps), memory policies on multi-node machines, and the
 * srun grammar of the Slurm 22.05 man page that `--import` accepts. test/e2e/launcher-slurm.test.ts runs the
 * lines on a real cluster.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  boundCpus,
  defaultSettings,
  envFor,
  policyNodes,
  spread,
  wholeNode,
  type RunSettings,
} from '../../app/command';
import { hexMask, maskIds, slurmLauncher } from '../../app/command/launchers/slurm';
import type { LauncherInput } from '../../app/command/launchers/types';
import { lex } from '../../app/command/shlex';
import type { Topology } from '../../app/shared/topology';
import { readSysfsTopology } from '../../app/topology';
import { fixtureRoot, tarballFixtures } from '../helpers/fixtures';

const all = new Map<string, Topology>();
before(async () => {
  for (const name of tarballFixtures()) all.set(name, await readSysfsTopology(fixtureRoot(name)));
});

function inputFor(s: RunSettings, t: Topology | null): LauncherInput {
  return { settings: s, plan: envFor(s, t), cpus: boundCpus(s), memNodes: policyNodes(s, t), topology: t };
}

function settings(patch: Partial<RunSettings>): RunSettings {
  return { ...defaultSettings(), ...patch };
}

function words(line: string): string[] {
  const { commands } = lex(line);
  assert.equal(commands.length, 1, line);
  return commands[0]!.map((w) => w.value);
}

function parse(line: string) {
  const r = slurmLauncher.parse(words(line));
  assert.ok(r, `not read as srun: ${line}`);
  return r;
}

/** Render, read back, merge over defaults as the importer does, render again. */
function roundTrip(s: RunSettings, t: Topology | null) {
  const line = slurmLauncher.render(inputFor(s, t));
  const parsed = parse(line);
  const back: RunSettings = { ...defaultSettings(), ...parsed.settings };
  return { line, back, again: slurmLauncher.render(inputFor(back, t)), notes: parsed.notes };
}

const online = (t: Topology) => t.cpus.filter((c) => c.online).length;

describe('slurm format: masks and round trips on the fixture machines', () => {
  it('every fixture: a whole node, a spread and one CPU render as one mask and read back to the same line', () => {
    for (const [name, t] of all) {
      const lastNode = t.nodes[t.nodes.length - 1]!.id;
      for (const cpus of [
        wholeNode(t, lastNode),
        spread(t, 4),
        [t.cpus.filter((c) => c.online).at(-1)!.id],
      ]) {
        if (cpus.length === 0) continue;
        for (const memPolicy of ['bind', 'preferred', 'local', 'none'] as const) {
          const s = settings({ cpus, memPolicy });
          const { line, back, again, notes } = roundTrip(s, t);
          const where = `${name} ${memPolicy} ${line}`;
          assert.match(
            line,
            new RegExp(`^srun -n1 -c${online(t)} --exclusive --cpu-bind=mask_cpu:0x[0-9a-f]+ `),
          );
          const mask = /mask_cpu:0x([0-9a-f]+)/.exec(line)![1]!;
          assert.deepEqual(
            maskIds(mask),
            [...cpus].sort((a, b) => a - b),
            where,
          );
          assert.deepEqual(back.cpus, cpus, where);
          assert.equal(back.memPolicy, memPolicy, where);
          assert.deepEqual(back.memNodes ?? [], policyNodes(s, t), where);
          assert.equal(back.threads, null, where);
          assert.deepEqual(back.env, {}, where);
          assert.deepEqual(notes, [], where);
          assert.equal(again, line, where);
        }
      }
    }
  });

  it('CPUs above 63: one hex mask of the needed width, never split by commas (a comma starts the next task)', () => {
    const p2 = all.get('arm64-altra-2p-160c-2node')!;
    const line = slurmLauncher.render(inputFor(settings({ cpus: [64, 65, 66, 67] }), p2));
    // The README's example, word for word.
    assert.equal(
      line,
      'srun -n1 -c160 --exclusive --cpu-bind=mask_cpu:0xf0000000000000000 --mem-bind=mask_mem:0x1 --export=ALL ' +
        "env AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 AIO_NUMA_CPUS='64 65 66 67' python3 run.py -p fp32",
    );
    const second = slurmLauncher.render(inputFor(settings({ cpus: [100, 101, 102, 103] }), p2));
    assert.match(second, new RegExp(`--cpu-bind=mask_cpu:0xf${'0'.repeat(25)} `));
    assert.deepEqual(p2.cpus.find((c) => c.id === 100)!.node, 1);
    assert.match(second, / --mem-bind=mask_mem:0x2 /, 'CPUs 100-103 are on node 1');

    const virt = all.get('arm64-virt-2p-384c-4node')!;
    const top = settings({ cpus: [380, 381, 382, 383] });
    const l2 = slurmLauncher.render(inputFor(top, virt));
    assert.match(l2, new RegExp(`^srun -n1 -c384 --exclusive --cpu-bind=mask_cpu:0xf${'0'.repeat(95)} `));
    const node = virt.cpus.find((c) => c.id === 380)!.node!;
    assert.match(l2, new RegExp(`--mem-bind=mask_mem:0x${(1 << node).toString(16)} `));
    assert.deepEqual(parse(l2).settings.cpus, [380, 381, 382, 383]);

    const ends = settings({ cpus: [0, 383] });
    const l3 = slurmLauncher.render(inputFor(ends, virt));
    assert.match(l3, new RegExp(`mask_cpu:0x8${'0'.repeat(94)}1 `));
    assert.match(l3, /--mem-bind=mask_mem:0x9 /, 'nodes 0 and 3');
    assert.deepEqual(parse(l3).settings.memNodes, [0, 3]);
  });

  it('hexMask and maskIds are inverse at any width', () => {
    for (const ids of [[0], [3], [4], [63], [64], [0, 1, 2, 3], [1, 127, 128], [383]]) {
      assert.deepEqual(maskIds(hexMask(ids)), ids);
      assert.deepEqual(maskIds(`0x${hexMask(ids)}`), ids);
    }
    assert.equal(hexMask([64]), `1${'0'.repeat(16)}`);
    assert.throws(() => maskIds('0xg1'), /not a hexadecimal mask/);
  });

  it('the binding order survives through AIO_NUMA_CPUS; a pinned thread count and the environment too', () => {
    const p2 = all.get('arm64-altra-2p-160c-2node')!;
    const s = settings({
      cpus: [90, 3, 80],
      threads: 2,
      debugMode: 3,
      env: { OMP_PROC_BIND: 'close', DNNL_X: 'a,b', AIO_NUM_THREADS_EXTRA: 'x y', HOME_GONE: null },
      cwd: '/srv/my models',
      workload: ['-dash-first', "it's"],
      memPolicy: 'interleave',
    });
    const { line, back, again } = roundTrip(s, p2);
    assert.match(line, / env -u HOME_GONE -- AIO_NUM_THREADS=2 OMP_NUM_THREADS=2 AIO_NUMA_CPUS='90 3 80' /);
    assert.match(line, / '--chdir=\/srv\/my models' /);
    assert.match(line, /DNNL_X=a,b/);
    assert.doesNotMatch(line, /--mem-bind/, 'srun has no interleave policy');
    assert.deepEqual(back.cpus, [90, 3, 80]);
    assert.equal(back.threads, 2);
    assert.equal(back.debugMode, 3);
    assert.equal(back.cwd, '/srv/my models');
    assert.deepEqual(back.workload, ['-dash-first', "it's"]);
    // interleave cannot be expressed: the line keeps the engine off node 0 (AIO_MEM_BIND=0) and binds no memory;
    // read back, that is what it says, and the rebuilt line equals the original one.
    assert.deepEqual(back.env, { ...s.env, AIO_MEM_BIND: '0' });
    assert.equal(back.memPolicy, 'none');
    assert.equal(again, line);
    const limits = slurmLauncher.limits(inputFor(s, p2));
    assert.ok(
      limits.some((l) => /no interleave policy/.test(l)),
      limits.join('\n'),
    );
  });

  it('a workload starting with "-" and no environment gets srun\'s own "--"', () => {
    const s = settings({ workload: ['-x'], cpus: [], memPolicy: 'none' });
    const line = slurmLauncher.render({ ...inputFor(s, null), plan: { env: {}, unset: [] } });
    assert.equal(line, 'srun -n1 --cpu-bind=none --export=ALL -- -x');
    assert.deepEqual(parse(line).settings.workload, ['-x']);
  });

  it('limits: one mask per task, the whole node, no topology, no CPUs, local and interleave', () => {
    const t = all.get('x86-2p-4c-2node')!;
    const withCpus = slurmLauncher.limits(inputFor(settings({ cpus: [2, 3] }), t));
    assert.ok(withCpus.some((l) => /map_cpu gives a task a single CPU/.test(l)));
    assert.ok(withCpus.some((l) => new RegExp(`-c${online(t)} --exclusive`).test(l)));

    const noTopo = settings({ cpus: [2, 3], memNodes: [1] });
    const line = slurmLauncher.render(inputFor(noTopo, null));
    assert.match(line, /^srun -n1 -c2 --exclusive --cpu-bind=mask_cpu:0xc --mem-bind=mask_mem:0x2 /);
    assert.ok(slurmLauncher.limits(inputFor(noTopo, null)).some((l) => /CPU count is unknown/.test(l)));

    const none = slurmLauncher.limits(inputFor(settings({ cpus: [] }), t));
    assert.ok(none.some((l) => /--cpu-bind=none/.test(l)));
    assert.match(slurmLauncher.render(inputFor(settings({ cpus: [] }), t)), /--cpu-bind=none/);

    const local = inputFor(settings({ cpus: [0], memPolicy: 'local' }), t);
    assert.match(slurmLauncher.render(local), / --mem-bind=local /);
    assert.ok(slurmLauncher.limits(local).some((l) => /--localalloc/.test(l)));
  });
});

describe('slurm format: reading srun lines back (--import)', () => {
  it('map_cpu, mask_cpu with or without 0x, verbose, several tasks, repetition counts', () => {
    assert.deepEqual(parse('srun -n1 -c2 --cpu-bind=map_cpu:1 x').settings.cpus, [1]);
    assert.deepEqual(parse('srun --cpu-bind=map_cpu:0x11 x').settings.cpus, [17]);
    assert.deepEqual(parse('srun --cpu-bind=mask_cpu:f0 x').settings.cpus, [4, 5, 6, 7]);
    assert.deepEqual(parse('srun --cpu_bind=verbose,mask_cpu:0x3 x').settings.cpus, [0, 1]);
    const several = parse('srun -n2 --cpu-bind=v,mask_cpu:0x0f*4,0xf0*4 x');
    assert.deepEqual(several.settings.cpus, [0, 1, 2, 3]);
    assert.ok(
      several.notes.some((n) => /only the first \(0x0f\*4\)/.test(n)),
      several.notes.join('\n'),
    );
    assert.ok(several.notes.some((n) => /srun starts 2 tasks/.test(n)));
    assert.deepEqual(parse('srun --cpu-bind=none x').settings.cpus, []);
    const cores = parse('srun --cpu-bind=cores x');
    assert.deepEqual(cores.settings.cpus, []);
    assert.ok(cores.notes.some((n) => /lets Slurm choose the CPUs/.test(n)));
    const bad = parse('srun --cpu-bind=mask_cpu:0xzz x');
    assert.ok(bad.notes.some((n) => /not understood/.test(n)));
  });

  it('memory: mask_mem, map_mem, prefer, local, none', () => {
    const m = (line: string) => {
      const s = parse(line).settings;
      return [s.memPolicy, s.memNodes];
    };
    assert.deepEqual(m('srun --mem-bind=mask_mem:0x6 x'), ['bind', [1, 2]]);
    assert.deepEqual(m('srun --mem-bind=verbose,map_mem:3 x'), ['bind', [3]]);
    assert.deepEqual(m('srun --mem_bind=prefer,map_mem:1 x'), ['preferred', [1]]);
    assert.deepEqual(m('srun --mem-bind=p,mask_mem:0x4 x'), ['preferred', [2]]);
    assert.deepEqual(m('srun --mem-bind=local x'), ['local', null]);
    assert.deepEqual(m('srun --mem-bind=none x'), ['none', null]);
    assert.deepEqual(m('srun x'), ['none', null]);
  });

  it('option spellings: -c 2, --cpus-per-task 2, -D DIR, --chdir DIR, Slurm-only options with their values', () => {
    const r = parse(
      'srun -p debug --time 10 -c 2 --cpus-per-task 2 -D /w --cpu-bind mask_cpu:3 -l python3 a.py',
    );
    assert.deepEqual(r.settings.cpus, [0, 1]);
    assert.equal(r.settings.cwd, '/w');
    assert.deepEqual(r.settings.workload, ['python3', 'a.py']);
    assert.ok(
      r.notes.some((n) => /-p debug is Slurm's own/.test(n)),
      r.notes.join('\n'),
    );
    assert.ok(r.notes.some((n) => /--time 10 is Slurm's own/.test(n)));
    assert.ok(r.notes.some((n) => /-l is Slurm's own/.test(n)));
    assert.equal(parse('srun --chdir /data x').settings.cwd, '/data');
    // Values of Slurm's own options are skipped with them; an optional value is only ever attached.
    assert.deepEqual(parse('srun -w node1 -C gpu --nice -K x y').settings.workload, ['x', 'y']);
  });

  it('the environment: leading assignments, --export values (with the caller-wins note), env inside the step', () => {
    const r = parse(
      "A=1 /usr/bin/srun --export=ALL,B=2,PATH,C= env -u D --unset=E F='x y' OMP_NUM_THREADS=4 AIO_NUM_THREADS=4 run",
    );
    assert.deepEqual(r.settings.env, { A: '1', B: '2', C: '', D: null, E: null, F: 'x y' });
    assert.equal(r.settings.threads, 4);
    assert.deepEqual(r.settings.workload, ['run']);
    assert.ok(r.notes.some((n) => /caller's environment win/.test(n)));
    const none = parse('srun --export=NONE /bin/x');
    assert.ok(none.notes.some((n) => /--export=NONE/.test(n)));
    const opaque = parse('srun env -i x');
    assert.deepEqual(opaque.settings.workload, ['env', '-i', 'x']);
  });

  it('AIO_MEM_BIND=0 written beside a memory binding is the derived one; a user choice is kept', () => {
    const derived = parse('srun --cpu-bind=mask_cpu:0x3 --mem-bind=mask_mem:0x2 env AIO_MEM_BIND=0 x');
    assert.deepEqual(derived.settings.env, {});
    const own = parse('srun --cpu-bind=mask_cpu:0x3 --mem-bind=mask_mem:0x1 env AIO_MEM_BIND=0 x');
    assert.deepEqual(own.settings.env, { AIO_MEM_BIND: '0' });
  });

  it("anything that is not srun is not this launcher's", () => {
    assert.equal(slurmLauncher.parse(words('numactl --physcpubind=1 x')), null);
    assert.equal(slurmLauncher.parse(words('A=1 sbatch x')), null);
    assert.equal(slurmLauncher.parse([]), null);
    assert.ok(slurmLauncher.parse(words('exec srun x')));
    const empty = parse('srun -n1');
    assert.ok(empty.notes.some((n) => /no command/.test(n)));
  });
});
