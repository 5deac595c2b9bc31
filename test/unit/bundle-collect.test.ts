// System and Python collection for bundles: real tools on this machine, a missing tool is a note, a sysroot's
// own files are used where it has them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { collectSystem, SYSTEM_FILES, toolOutput } from '../../app/bundle/collect-system';
import { collectPython, isPythonWorkload, PYTHON_FILES } from '../../app/bundle/collect-python';
import { loadTopology, readSysfsTopology } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';
import { need } from '../helpers/require';

/** Needs something the machine may lack: fail under CI (the CI machine must have it), skip elsewhere. */

const byName = (files: { name: string; content: string }[]) => new Map(files.map((f) => [f.name, f.content]));

describe('collectSystem', () => {
  test('on this machine: every file, none empty', async (t) => {
    if (!need(t, process.platform === 'linux', 'Linux')) return;
    const topo = await loadTopology();
    const files = await collectSystem(topo);
    assert.deepEqual(
      files.map((f) => f.name),
      [...SYSTEM_FILES],
    );
    for (const f of files) assert.ok(f.content.trim().length > 0, `${f.name} is empty`);
    const m = byName(files);
    const { schemaVersion, ...saved } = JSON.parse(m.get('system/topology.json')!) as Record<string, unknown>;
    assert.equal(schemaVersion, 1);
    assert.deepEqual(saved, JSON.parse(JSON.stringify(topo)));
    assert.match(m.get('system/kernel.txt')!, /\$ getconf PAGESIZE\n\d+\n/);
    assert.match(m.get('system/kernel.txt')!, /transparent_hugepage\/enabled/);
    assert.match(m.get('system/cgroup.txt')!, /Cpus_allowed_list/);
    assert.match(m.get('system/meminfo.txt')!, /MemTotal:/);
    const os = JSON.parse(m.get('system/os.json')!) as Record<string, unknown>;
    for (const k of ['osInfo', 'cpu', 'mem', 'system', 'versions']) assert.ok(k in os, k);
    assert.equal(os.schemaVersion, 1);
    if (need(t, existsSync('/usr/bin/numactl') || existsSync('/bin/numactl'), 'numactl')) {
      assert.match(m.get('system/numactl-H.txt')!, /available: \d+ nodes/);
      assert.match(m.get('system/numactl-show.txt')!, /physcpubind:/);
    }
  });

  test('tools missing from PATH become notes, not failures', async () => {
    const topo = await loadTopology();
    const files = byName(await collectSystem(topo, { env: { PATH: '/nonexistent-dir' } }));
    assert.match(files.get('system/lscpu.txt')!, /^\$ lscpu\nlscpu not found: /);
    assert.match(files.get('system/lscpu-e.txt')!, /lscpu not found: /);
    assert.match(files.get('system/numactl-H.txt')!, /numactl not found: /);
    assert.match(files.get('system/kernel.txt')!, /uname not found: /);
    // Files that do not need a tool are still there.
    assert.ok(files.get('system/cpuinfo.txt')!.length > 0);
  });

  test('a crashing or failing tool is reported with its status', async () => {
    assert.match(
      await toolOutput('sh', ['-c', 'echo out; echo err >&2; exit 3']),
      /out\n\[stderr\]\nerr\n\[sh exited with code 3\]/,
    );
    assert.match(await toolOutput('sh', ['-c', 'kill -SEGV $$']), /\[sh crashed: SIGSEGV\]/);
    assert.match(await toolOutput('sleep', ['5'], { timeoutMs: 200 }), /did not finish within 0.2 s/);
  });

  test('with a sysroot: its cpuinfo, meminfo, uname and allowed CPUs, each saying so', async () => {
    const root = fixtureRoot('arm64-offline-isolated');
    const topo = await readSysfsTopology(root);
    const m = byName(await collectSystem(topo, { sysroot: root }));
    assert.match(m.get('system/cpuinfo.txt')!, new RegExp(`^# /proc/cpuinfo from the sysroot ${root}\n`));
    assert.match(m.get('system/cpuinfo.txt')!, /CPU implementer/);
    assert.match(m.get('system/meminfo.txt')!, /from the sysroot/);
    assert.match(m.get('system/kernel.txt')!, /uname from the sysroot/);
    assert.match(m.get('system/cgroup.txt')!, /from the sysroot[^\n]*\nCpus_allowed_list:\s*0-2,4-11/);
    assert.match(m.get('system/numactl-H.txt')!, /not the sysroot/);
    assert.match(m.get('system/os.json')!, /not the sysroot/);
    assert.match(m.get('system/release.txt')!, /\.release is not present/);
  });
});

describe('collectPython', () => {
  test('recognises Python workloads by argv[0]', () => {
    for (const w of [['python3', 'x.py'], ['/usr/bin/python3.11'], ['python'], ['/opt/conda/bin/python3']])
      assert.ok(isPythonWorkload(w), w[0]);
    for (const w of [['numactl', 'python3'], ['./run.sh'], ['pythonista'], []])
      assert.ok(!isPythonWorkload(w), String(w[0]));
  });

  test('a missing interpreter: every file is a note', async () => {
    const files = await collectPython('python3', { env: { PATH: '/nonexistent-dir' } });
    assert.deepEqual(
      files.map((f) => f.name),
      [...PYTHON_FILES],
    );
    for (const f of files) assert.match(f.content, /python3 was not found/);
  });

  test('the real interpreter: version, torch and engine detection, pip list', async (t) => {
    if (!need(t, existsSync('/usr/bin/python3'), '/usr/bin/python3')) return;
    const m = byName(await collectPython('/usr/bin/python3', { env: process.env }));
    assert.match(m.get('python/interpreter.txt')!, /^executable: \/usr\/bin\/python3$/m);
    assert.match(m.get('python/interpreter.txt')!, /^version: 3\./m);
    const torch = m.get('python/torch.txt')!;
    if (need(t, /torch version: /.test(torch), 'torch for /usr/bin/python3')) {
      assert.match(torch, /Ampere Optimized PyTorch engine present: (yes|no)/);
      assert.match(torch, /# torch.__config__.show\(\)\n\S/);
    }
    assert.match(m.get('python/pip-list.txt')!, /^(\$ .* -m pip list\nPackage|# pip is not installed)/);
  });
});
