// Every launcher form (issue 17): rendered from settings on real multi-node dumps, read back by the importer
// (`--import`, command.parse) into the same settings, with the limits each one states.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  buildCommand,
  defaultSettings,
  normalizeSettings,
  parseCommandLine,
  type RunSettings,
} from '../../app/command';
import { LAUNCHERS, launcherFor, launcherInput } from '../../app/command/launchers';
import { ompPlaces, parseOmpPlaces } from '../../app/command/launchers/omp';
import { spellingOfHelp } from '../../app/command/launchers/runcpu-probe';
import { readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import { fixtureRoot } from '../helpers/fixtures';

const FIXTURES = ['arm64-altra-2p-160c-2node', 'arm64-virt-2p-384c-4node', 'x86-2p-4c-2node'];
const topologies = new Map<string, Topology>();

function settings(patch: Partial<RunSettings>): RunSettings {
  return { ...defaultSettings(), ...patch };
}

/** The last node's first CPUs, so the memory node is never the default 0. */
function lastNodeCpus(t: Topology, n: number): number[] {
  const node = t.nodes[t.nodes.length - 1]!;
  return [...node.cpus].sort((a, b) => a - b).slice(0, n);
}

function roundTrip(
  format: string,
  s: RunSettings,
  t: Topology,
): { text: string; back: RunSettings; notes: string[] } {
  const text = buildCommand(s, t).launchers![format]!.text;
  const { settings: back, notes } = parseCommandLine(text, t);
  assert.deepEqual(
    normalizeSettings(back, t),
    normalizeSettings(s, t),
    `${format} round trip of:\n${text}\nnotes: ${notes.join(' | ')}`,
  );
  return { text, back, notes };
}

describe('launcher forms', () => {
  before(async () => {
    for (const f of FIXTURES) topologies.set(f, await readSysfsTopology(fixtureRoot(f)));
  });

  it('the registry has one launcher per format, each in the built command', () => {
    const formats = LAUNCHERS.map((l) => l.format);
    for (const f of ['taskset', 'docker-cpuset', 'systemd-run', 'run_cpu', 'omp'])
      assert.ok(formats.includes(f), f);
    assert.equal(new Set(formats).size, formats.length);
    const built = buildCommand(settings({ cpus: [1] }), null);
    assert.deepEqual(Object.keys(built.launchers!).sort(), [...formats].sort());
  });

  for (const f of FIXTURES) {
    describe(f, () => {
      const common = {
        env: { MY_FLAG: 'a b', DROP_ME: null },
        cwd: '/srv/work dir',
        workload: ['python3', 'run.py', '-p', 'fp32'],
      };
      it('taskset: CPUs (in order), environment, unsets and directory come back; no memory policy', () => {
        const t = topologies.get(f)!;
        const cpus = lastNodeCpus(t, 3).reverse();
        const { text, notes } = roundTrip('taskset', settings({ ...common, cpus, memPolicy: 'none' }), t);
        assert.match(text, new RegExp(`taskset -c ${cpus.join(',')} python3 run\\.py`));
        assert.match(text, /^cd -- '\/srv\/work dir' && env -u DROP_ME /);
        assert.ok(notes.some((n) => /no memory policy/.test(n)));
        const limits = launcherFor('taskset')!.limits(launcherInput(settings({ cpus }), t));
        assert.ok(
          limits.some((l) => /cannot be expressed/.test(l) && /membind/.test(l)),
          limits.join('\n'),
        );
      });
      it('docker-cpuset: --cpuset-cpus/--cpuset-mems bind the container, -e carries the environment', () => {
        const t = topologies.get(f)!;
        const cpus = lastNodeCpus(t, 4);
        const { text } = roundTrip('docker-cpuset', settings({ ...common, cpus, memPolicy: 'bind' }), t);
        const node = t.nodes[t.nodes.length - 1]!.id;
        assert.match(
          text,
          new RegExp(
            `^docker run --rm --cpuset-cpus ${cpus[0]}-${cpus[cpus.length - 1]} --cpuset-mems ${node} `,
          ),
        );
        assert.match(text, / -e MY_FLAG='a b' /);
        assert.match(text, /amperecomputingai\/pytorch:latest env -u DROP_ME python3 run\.py -p fp32$/);
        assert.doesNotMatch(text, /numactl|--privileged/);
        // Explicit nodes other than the CPUs' own, and interleave, which only restricts.
        roundTrip('docker-cpuset', settings({ ...common, cpus, memPolicy: 'bind', memNodes: [0] }), t);
        const lim = launcherFor('docker-cpuset')!.limits(
          launcherInput(settings({ cpus, memPolicy: 'interleave', memNodes: [0, node] }), t),
        );
        assert.ok(lim.some((l) => /does not interleave/.test(l)));
      });
      it('systemd-run: AllowedCPUs/AllowedMemoryNodes ranges and --setenv, per systemd.resource-control(5)', () => {
        const t = topologies.get(f)!;
        const cpus = lastNodeCpus(t, 4);
        const { text } = roundTrip(
          'systemd-run',
          settings({ ...common, cpus, memPolicy: 'bind', threads: 2 }),
          t,
        );
        const node = t.nodes[t.nodes.length - 1]!.id;
        assert.match(
          text,
          new RegExp(
            `systemd-run --scope -p 'AllowedCPUs=${cpus[0]}-${cpus[cpus.length - 1]}' -p 'AllowedMemoryNodes=${node}' --setenv=AIO_NUM_THREADS=2 `,
          ),
        );
        assert.match(text, / -- env -u DROP_ME -- python3 run\.py -p fp32$/);
        // The grammar: a list of indices or ranges separated by commas or whitespace.
        const prop = /AllowedCPUs=([^']*)/.exec(text)![1]!;
        assert.match(prop, /^\d+(-\d+)?(,\d+(-\d+)?)*$/);
      });
      it('run_cpu: core list, instances, cores per instance and node id; read back with either spelling', () => {
        const t = topologies.get(f)!;
        const cpus = lastNodeCpus(t, 4);
        const node = t.nodes[t.nodes.length - 1]!.id;
        const s = settings({ ...common, cpus, memPolicy: 'bind' });
        const { text } = roundTrip('run_cpu', s, t);
        assert.match(
          text,
          new RegExp(
            `python3 -m torch\\.backends\\.xeon\\.run_cpu --ninstances 1 --ncores_per_instance ${cpus.length} --core_list ${cpus.join(',')} --node_id ${node} run\\.py -p fp32$`,
          ),
        );
        const hyphen = launcherFor('run_cpu')!.render(launcherInput(s, t, { runCpuSpelling: 'hyphen' }));
        assert.match(hyphen, / --ncores-per-instance \d+ --core-list /);
        const back = parseCommandLine(hyphen, t).settings;
        assert.deepEqual(normalizeSettings(back, t), normalizeSettings(s, t));
        // Not a .py script: through --no_python, the workload whole.
        roundTrip('run_cpu', settings({ cpus, workload: ['/usr/bin/python3', '-c', 'print(1)'] }), t);
        roundTrip('run_cpu', settings({ cpus, workload: ['./bench', '--n', '3'] }), t);
      });
      it('omp: OMP_PLACES keeps the CPU order, GOMP_CPU_AFFINITY and KMP_AFFINITY agree', () => {
        const t = topologies.get(f)!;
        const cpus = [...lastNodeCpus(t, 2), ...t.nodes[0]!.cpus.slice(0, 2)];
        const { text } = roundTrip('omp', settings({ ...common, cpus, memPolicy: 'none' }), t);
        assert.match(
          text,
          new RegExp(
            `OMP_PLACES='\\{${cpus[0]}\\}:2,\\{${cpus[2]}\\}:2' OMP_PROC_BIND=close GOMP_CPU_AFFINITY=${cpus.join(',')} KMP_AFFINITY='granularity=fine,explicit,proclist=\\[${cpus.join(',')}\\]'`,
          ),
        );
      });
    });
  }

  it('OMP_PLACES runs and single places', () => {
    assert.equal(ompPlaces([3, 4, 5, 9, 1]), '{3}:3,{9},{1}');
    assert.deepEqual(parseOmpPlaces('{3}:3,{9},{1}'), [3, 4, 5, 9, 1]);
    assert.deepEqual(parseOmpPlaces('{0}:4:2'), [0, 2, 4, 6]);
    assert.equal(parseOmpPlaces('{0,1},{2,3}'), null);
  });

  it('run_cpu spelling from --help text', () => {
    assert.equal(spellingOfHelp('  --core_list          Specify the core list'), 'underscore');
    assert.equal(spellingOfHelp('  --core-list CORE_LIST, --core_list CORE_LIST'), 'hyphen');
    assert.equal(spellingOfHelp('usage: python3 [option]'), null);
  });

  it('imports the existing docker run form (numactl inside) too', () => {
    const t = topologies.get('arm64-altra-2p-160c-2node')!;
    const s = settings({ cpus: [80, 81], memPolicy: 'bind' });
    const text = buildCommand(s, t).dockerRun;
    const back = parseCommandLine(text, t).settings;
    assert.deepEqual(back.cpus, [80, 81]);
    assert.equal(back.memPolicy, 'bind');
    assert.deepEqual(back.workload, s.workload);
  });
});
