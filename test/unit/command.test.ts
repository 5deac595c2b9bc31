import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  allAvailable,
  applyFix,
  buildCommand,
  coresOnNode,
  defaultSettings,
  envFileLine,
  envFor,
  firstPhysicalCores,
  formatDotenv,
  formatEnvFile,
  orderedCpuList,
  parseCommandLine,
  memoryNodes,
  parseRunSettings,
  QuoteError,
  runChecks,
  RunSettingsSchema,
  shellQuote,
  spread,
  usable,
  validateCpuList,
  valueProblem,
  VARIABLES,
  wholeNode,
  type Check,
  type RunSettings,
} from '../../app/command';
import { join } from 'node:path';
import { loadTopology, readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import { FIXTURES_DIR, fixtureRoot } from '../helpers/fixtures';

let twoNode: Topology;
let offline: Topology;
let smt: Topology;
let altra1p: Topology;

before(async () => {
  const load = (name: string) => readSysfsTopology(fixtureRoot(name));
  twoNode = await load('arm64-altra-2p-160c-2node');
  offline = await load('arm64-offline-isolated');
  smt = await load('x86-1p-4c-smt');
  altra1p = await load('arm64-altra-1p-80c');
});

function settings(patch: Partial<RunSettings> = {}): RunSettings {
  return { ...defaultSettings(), ...patch };
}

function find(checks: Check[], code: string): Check | undefined {
  return checks.find((c) => c.code === code);
}

function must(checks: Check[], code: string, severity?: Check['severity']): Check {
  const c = find(checks, code);
  assert.ok(c, `expected check ${code}, got ${checks.map((x) => x.code).join(', ') || 'none'}`);
  if (severity) assert.equal(c.severity, severity, `${code} severity`);
  assert.ok(c.message.length > 20, 'message explains the finding');
  return c;
}

describe('shellQuote', () => {
  it('leaves safe words bare', () => {
    for (const w of ['python3', 'run.py', '-p', 'fp32', '--physcpubind=0-15', '/usr/bin/x', 'a,b:c@d%e+f']) {
      assert.equal(shellQuote(w), w);
    }
  });
  it('quotes everything else with single quotes', () => {
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('$HOME'), "'$HOME'");
    assert.equal(shellQuote('`id`'), "'`id`'");
    assert.equal(shellQuote('*.py'), "'*.py'");
    // Control characters are spelled as $'…' escapes so the quoted word stays printable on one line.
    assert.equal(shellQuote('a\nb'), "$'a\\nb'");
    assert.equal(shellQuote("it's\x1b[2J!"), "$'it\\'s\\x1b[2J\\x21'");
    assert.equal(shellQuote('a\u0085b\u2028'), "$'a\\xc2\\x85b\\xe2\\x80\\xa8'");
    assert.equal(shellQuote('日本'), "'日本'");
    assert.equal(shellQuote('~'), "'~'");
    assert.equal(shellQuote('{a,b}'), "'{a,b}'");
    assert.equal(shellQuote('#x'), "'#x'");
  });
  it('quotes words bash would read as an assignment or a reserved word', () => {
    assert.equal(shellQuote('A=b'), "'A=b'");
    assert.equal(shellQuote('if'), "'if'");
    assert.equal(shellQuote('--opt=x'), '--opt=x');
  });
  it('refuses NUL, which no argv can hold', () => {
    assert.throws(() => shellQuote('a\0b'), QuoteError);
  });
});

describe('env files', () => {
  it('writes values literally and refuses what docker cannot read', () => {
    assert.equal(envFileLine('A', "x 'y' $z"), "A=x 'y' $z");
    assert.equal(envFileLine('A', ''), 'A=');
    assert.equal(envFileLine('A', 'a\nb'), '# A cannot be expressed in an env file (contains newline)');
    assert.match(envFileLine('A', 'a\r'), /^# A cannot be expressed/);
    assert.match(envFileLine('A', '\ud800'), /^# A cannot be expressed/);
    const file = formatEnvFile({ A: '1', B: 'x\ny' }, ['C']);
    assert.match(file, /^A=1$/m);
    assert.match(file, /^# B cannot be expressed in an env file \(contains newline\)$/m);
    assert.match(file, /^# C must be unset/m);
  });
  it('writes a bash-quoted KEY=value block', () => {
    assert.equal(formatDotenv({ A: 'a b', B: '' }, ['C']), "A='a b'\nB=''\nunset C\n");
  });
});

describe('selection presets', () => {
  it('first physical cores skip SMT siblings', () => {
    assert.deepEqual(firstPhysicalCores(smt, 4), [0, 2, 4, 6]);
    assert.deepEqual(firstPhysicalCores(smt, 10), [0, 2, 4, 6]);
    assert.deepEqual(firstPhysicalCores(twoNode, 3), [0, 1, 2]);
  });
  it('first physical cores skip offline, isolated and disallowed CPUs', () => {
    assert.deepEqual(firstPhysicalCores(offline, 5), [0, 1, 2, 8, 9]);
    assert.deepEqual(allAvailable(offline), [0, 1, 2, 8, 9, 10, 11]);
  });
  it('node presets', () => {
    assert.deepEqual(coresOnNode(twoNode, 1, 3), [80, 81, 82]);
    assert.equal(wholeNode(twoNode, 1).length, 80);
    assert.deepEqual(wholeNode(offline, 1), [8, 9, 10, 11]);
    assert.deepEqual(wholeNode(smt, 0, { smt: true }), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(wholeNode(smt, 0), [0, 2, 4, 6]);
  });
  it('spread splits evenly, remainder to the lowest nodes, shortfall moves on', () => {
    assert.deepEqual(spread(twoNode, 5), [0, 1, 2, 80, 81]);
    assert.deepEqual(spread(twoNode, 4), [0, 1, 80, 81]);
    // node 0 has only 3 usable cores there (0-2; 3 offline, 4-7 isolated), node 1 has 4 (8-11)
    assert.deepEqual(spread(offline, 7), [0, 1, 2, 8, 9, 10, 11]);
    assert.deepEqual(spread(offline, 8), [0, 1, 2, 8, 9, 10, 11]);
    assert.deepEqual(spread(altra1p, 2), [0, 1]);
  });
  it('usable explains why not', () => {
    assert.deepEqual(usable(offline, 0), { usable: true, reasons: [] });
    assert.ok(usable(offline, 3).reasons.includes('offline'));
    assert.deepEqual(usable(offline, 4).reasons, ['isolated (isolcpus)']);
    assert.deepEqual(usable(offline, 12).reasons, ['not allowed for this process (affinity/cgroup)']);
    assert.equal(usable(offline, 99).usable, false);
  });
  it('validates typed CPU lists token by token', () => {
    const r = validateCpuList('0-2, 9-7,x,,300', twoNode);
    assert.deepEqual(r.cpus, [0, 1, 2]);
    assert.deepEqual(
      r.errors.map((e) => e.token),
      [',', '9-7', 'x', '300'],
    );
    assert.match(r.errors.find((e) => e.token === '9-7')!.message, /reversed/);
    assert.match(r.errors.find((e) => e.token === '300')!.message, /out of range/);
    const u = validateCpuList('3,1,4', offline);
    assert.deepEqual(u.cpus, [3, 1, 4], 'typed order kept');
    assert.equal(u.errors.length, 2);
    assert.match(u.errors[0]!.message, /offline/);
    assert.match(u.errors[1]!.message, /isolated/);
    assert.deepEqual(validateCpuList('0 1 2', null), { cpus: [0, 1, 2], errors: [], repeated: [] });
    assert.deepEqual(validateCpuList('0-6:2', smt).cpus, [0, 2, 4, 6]);
  });
  it('ordered list form keeps non-ascending order', () => {
    assert.equal(orderedCpuList([0, 1, 2, 3, 8]), '0-3,8');
    assert.equal(orderedCpuList([3, 1, 2]), '3,1,2');
    assert.equal(orderedCpuList([]), '');
  });
});

describe('buildCommand', () => {
  it('builds the README-style line', () => {
    const s = settings({
      cpus: [...Array(16).keys()],
      memPolicy: 'none',
      workload: ['python3', 'run.py', '-m', 'resnet50', '-p', 'fp32', '-b', '1'],
    });
    const b = buildCommand(s, altra1p);
    assert.equal(
      b.shell,
      "AIO_NUM_THREADS=16 OMP_NUM_THREADS=16 AIO_NUMA_CPUS='0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15' numactl --physcpubind=0-15 python3 run.py -m resnet50 -p fp32 -b 1",
    );
    assert.deepEqual(b.argv.slice(0, 2), ['numactl', '--physcpubind=0-15']);
    assert.deepEqual(Object.keys(b.env), ['AIO_NUM_THREADS', 'OMP_NUM_THREADS', 'AIO_NUMA_CPUS']);
  });
  it('binds memory to the nodes of the selected CPUs and keeps selection order', () => {
    const b = buildCommand(settings({ cpus: [81, 80, 82] }), twoNode);
    assert.deepEqual(b.argv.slice(0, 3), ['numactl', '--physcpubind=81,80,82', '--membind=1']);
    assert.equal(b.env.AIO_NUMA_CPUS, '81 80 82');
  });
  it('memory policies', () => {
    const base = { cpus: [0, 80] };
    const arg = (p: Partial<RunSettings>) =>
      buildCommand(settings({ ...base, ...p }), twoNode).argv.slice(2, -4);
    assert.deepEqual(arg({ memPolicy: 'bind' }), ['--membind=0-1']);
    assert.deepEqual(arg({ memPolicy: 'interleave' }), ['--interleave=0-1']);
    assert.deepEqual(arg({ memPolicy: 'preferred' }), ['--preferred=0']);
    assert.deepEqual(arg({ memPolicy: 'local' }), ['--localalloc']);
    assert.deepEqual(arg({ memPolicy: 'none' }), []);
    assert.deepEqual(arg({ memPolicy: 'bind', memNodes: [1] }), ['--membind=1']);
  });
  it('runs the workload directly when nothing is bound', () => {
    const b = buildCommand(settings({ memPolicy: 'none', threads: 4 }), twoNode);
    assert.deepEqual(b.argv, ['python3', 'run.py', '-p', 'fp32']);
    assert.equal(b.shell, 'AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 python3 run.py -p fp32');
  });
  it('orders env keys: derived first, then sorted; explicit entries win', () => {
    const s = settings({
      cpus: [0, 1],
      debugMode: 4,
      env: { ZED: '1', AIO_MEM_BIND: '0', OMP_NUM_THREADS: '2', GONE: null },
    });
    const plan = envFor(s);
    assert.deepEqual(Object.keys(plan.env), [
      'AIO_NUM_THREADS',
      'OMP_NUM_THREADS',
      'AIO_NUMA_CPUS',
      'AIO_DEBUG_MODE',
      'AIO_MEM_BIND',
      'ZED',
    ]);
    assert.deepEqual(plan.unset, ['GONE']);
  });
  it('all text forms', () => {
    const s = settings({ cpus: [80, 81], env: { FOO: "a 'b'", GONE: null }, cwd: '/work dir', debugMode: 4 });
    const b = buildCommand(s, twoNode, { container: 'bench' });
    const env =
      "AIO_NUM_THREADS=2 OMP_NUM_THREADS=2 AIO_NUMA_CPUS='80 81' AIO_DEBUG_MODE=4 AIO_MEM_BIND=0 FOO='a '\\''b'\\'''";
    const cmd = 'numactl --physcpubind=80-81 --membind=1 python3 run.py -p fp32';
    assert.equal(b.shell, `cd -- '/work dir' && env -u GONE ${env} ${cmd}`);
    assert.equal(
      b.script,
      [
        '#!/usr/bin/env bash',
        '# Built by AIO Tuner.',
        'set -euo pipefail',
        "cd -- '/work dir'",
        'export AIO_NUM_THREADS=2',
        'export OMP_NUM_THREADS=2',
        "export AIO_NUMA_CPUS='80 81'",
        'export AIO_DEBUG_MODE=4',
        'export AIO_MEM_BIND=0',
        "export FOO='a '\\''b'\\'''",
        'unset GONE',
        `exec ${cmd}`,
        '',
      ].join('\n'),
    );
    const e = env.replace(/(^| )(?=[A-Z])/g, '$1-e ');
    assert.equal(
      b.dockerRun,
      `docker run --rm -it --privileged=true --network host ${e} -v '/work dir:/work dir' -w '/work dir' amperecomputingai/pytorch:latest env -u GONE ${cmd}`,
    );
    assert.equal(b.dockerExec, `docker exec -it ${e} -w '/work dir' bench env -u GONE ${cmd}`);
    assert.match(b.envFile, /^FOO=a 'b'$/m);
    assert.match(b.envFile, /^# GONE must be unset/m);
  });
  it('leading "-" and "=" in the command name', () => {
    assert.deepEqual(buildCommand(settings({ cpus: [0], workload: ['-x'] }), null).argv, [
      'numactl',
      '--physcpubind=0',
      '--',
      '-x',
    ]);
    const direct = settings({ memPolicy: 'none', threads: 1, workload: ['-x'], env: { G: null } });
    assert.equal(buildCommand(direct, null).shell, 'env -u G AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 -x');
    assert.match(buildCommand(direct, null).script, /^exec -- -x$/m);
    const eq = settings({ memPolicy: 'none', threads: 1, workload: ['a=b'], env: { G: null } });
    assert.equal(buildCommand(eq, null).shell, "(unset G; AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 exec 'a=b')");
  });
  it('never emits a command for a value holding NUL', () => {
    const b = buildCommand(settings({ cpus: [0], workload: ['a\0b'] }), null);
    assert.match(b.shell, /^# cannot build/);
    must(b.checks, 'invalid-character', 'error');
  });
});

describe('parseCommandLine', () => {
  it('reads the README-style example', () => {
    const r = parseCommandLine(
      'AIO_NUM_THREADS=16 OMP_NUM_THREADS=16 numactl --physcpubind=0-15 python3 run.py -m resnet50 -p fp32 -b 1',
      altra1p,
    );
    assert.deepEqual(r.settings, {
      cpus: [...Array(16).keys()],
      threads: null,
      memPolicy: 'none',
      memNodes: null,
      debugMode: null,
      env: {},
      workload: ['python3', 'run.py', '-m', 'resnet50', '-p', 'fp32', '-b', '1'],
      cwd: null,
    });
    assert.deepEqual(r.notes, []);
  });
  it('numactl short/long options, = and separate values, membind', () => {
    const r = parseCommandLine('numactl -C 3,1,2 -m0 --interleave 0,1 --localalloc python3 x.py', twoNode);
    assert.deepEqual(r.settings.cpus, [3, 1, 2]);
    assert.equal(r.settings.memPolicy, 'local');
    const b = parseCommandLine('numactl --physcpubind 80-83 --membind=1 -- python3', twoNode).settings;
    assert.deepEqual([b.cpus.length, b.memPolicy, b.memNodes], [4, 'bind', null]);
    const p = parseCommandLine('numactl -C 0 -p 1 python3', twoNode).settings;
    assert.deepEqual([p.memPolicy, p.memNodes], ['preferred', [1]]);
    const prefix = parseCommandLine('numactl --phys=0-1 --memb=0 python3', twoNode).settings;
    assert.deepEqual([prefix.cpus, prefix.memPolicy], [[0, 1], 'bind']);
  });
  it('expands --cpunodebind with the topology and says so', () => {
    const r = parseCommandLine('numactl --cpunodebind=1 --membind=1 python3 run.py', twoNode);
    assert.equal(r.settings.cpus.length, 80);
    assert.equal(r.settings.cpus[0], 80);
    assert.match(r.notes.join('\n'), /cpunodebind/);
    const none = parseCommandLine('numactl -N 1 python3 run.py', null);
    assert.deepEqual(
      none.settings.workload,
      ['numactl', '-N', '1', 'python3', 'run.py'],
      'kept verbatim without topology',
    );
  });
  it('env, -u, export lines, cd, taskset', () => {
    const r = parseCommandLine("env -u HOME AIO_MEM_BIND=0 taskset -c 4-7 python3 'my script.py'", twoNode);
    assert.deepEqual(r.settings.env, { HOME: null, AIO_MEM_BIND: '0' });
    assert.deepEqual(r.settings.cpus, [4, 5, 6, 7]);
    assert.equal(r.settings.memPolicy, 'none');
    assert.deepEqual(r.settings.workload, ['python3', 'my script.py']);
    const script = parseCommandLine(
      '#!/bin/bash\nset -e\ncd /opt/aml\nexport AIO_NUM_THREADS=8\nexport OMP_NUM_THREADS=8\nexport AIO_DEBUG_MODE=4\nunset X\ntaskset -c 0-7 \\\n  numactl --membind=0 python3 run.py\n',
      twoNode,
    );
    assert.deepEqual(script.settings.cpus, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(script.settings.threads, null);
    assert.equal(script.settings.debugMode, 4);
    assert.equal(script.settings.cwd, '/opt/aml');
    assert.deepEqual(script.settings.env, { X: null });
    assert.deepEqual([script.settings.memPolicy, script.settings.memNodes], ['bind', null]);
    assert.deepEqual(parseCommandLine('taskset 0xf0 python3', null).settings.cpus, [4, 5, 6, 7]);
  });
  it('bash quoting: double quotes with escapes, backslashes, ANSI-C, continuations', () => {
    const r = parseCommandLine(
      `FOO="a \\"b\\" \\$c \\x" BAR=$'tab\\there\\nnl \\'q\\' \\x41\\u00e9' run a\\ b 'c'"d" \\\n  e`,
      null,
    );
    assert.deepEqual(r.settings.env, { FOO: 'a "b" $c \\x', BAR: "tab\there\nnl 'q' Aé" });
    assert.deepEqual(r.settings.workload, ['run', 'a b', 'cd', 'e']);
  });
  it('threads pinned only when they differ from the CPU count; mismatches stay in env', () => {
    assert.equal(
      parseCommandLine('AIO_NUM_THREADS=2 OMP_NUM_THREADS=2 numactl -C 0-3 x', null).settings.threads,
      2,
    );
    const m = parseCommandLine('AIO_NUM_THREADS=2 OMP_NUM_THREADS=3 x', null).settings;
    assert.equal(m.threads, null);
    assert.deepEqual(m.env, { AIO_NUM_THREADS: '2', OMP_NUM_THREADS: '3' });
  });
  it('takes the CPU order from AIO_NUMA_CPUS when numactl lists them ascending', () => {
    const r = parseCommandLine("AIO_NUMA_CPUS='3 2 1 0' numactl -C 0-3 x", null).settings;
    assert.deepEqual(r.cpus, [3, 2, 1, 0]);
    assert.deepEqual(r.env, {});
    const other = parseCommandLine("AIO_NUMA_CPUS='4 5' numactl -C 0-1 x", null).settings;
    assert.deepEqual(other.env, { AIO_NUMA_CPUS: '4 5' });
  });
  it('keeps what it does not understand verbatim, with notes', () => {
    const r = parseCommandLine('numactl --hardware-ish -C 0 python3 run.py $HOME/x *.py 2>&1', null);
    assert.deepEqual(r.settings.workload, [
      'numactl',
      '--hardware-ish',
      '-C',
      '0',
      'python3',
      'run.py',
      '$HOME/x',
      '*.py',
      '2>&1',
    ]);
    assert.equal(r.notes.length, 4);
    const pipe = parseCommandLine('python3 run.py | tee log', null);
    assert.deepEqual(pipe.settings.workload, ['python3', 'run.py', '|', 'tee', 'log']);
    assert.ok(pipe.notes.some((n) => /pipe/.test(n)));
    const two = parseCommandLine('echo start; python3 run.py', null);
    assert.deepEqual(two.settings.workload, ['python3', 'run.py']);
    assert.ok(two.notes.some((n) => n.includes('echo start')));
  });
  it('reads back every built form that is a bash command', () => {
    const s = settings({
      cpus: [80, 81],
      env: { FOO: "a 'b'\nc", GONE: null },
      cwd: '/w d',
      debugMode: 3,
      threads: 1,
    });
    const b = buildCommand(s, twoNode);
    assert.deepEqual(parseCommandLine(b.shell, twoNode).settings, s);
    assert.deepEqual(parseCommandLine(b.script, twoNode).settings, s);
  });
});

describe('checks', () => {
  it('threads-exceed-cores: warning over the selection, error over the machine', () => {
    const w = must(
      runChecks(settings({ cpus: [0, 1], threads: 4 }), twoNode),
      'threads-exceed-cores',
      'warning',
    );
    assert.equal(
      find(
        runChecks(applyFix(settings({ cpus: [0, 1], threads: 4 }), w.fix!), twoNode),
        'threads-exceed-cores',
      ),
      undefined,
    );
    const e = must(
      runChecks(settings({ cpus: [0, 1], threads: 200 }), twoNode),
      'threads-exceed-cores',
      'error',
    );
    assert.equal(applyFix(settings({ cpus: [0, 1], threads: 200 }), e.fix!).threads, 2);
    must(runChecks(settings({ threads: 5, memPolicy: 'none' }), smt), 'threads-exceed-cores', 'error');
  });
  it('threads-mismatch and no-threads', () => {
    const s = settings({ cpus: [0, 1, 2, 3], env: { OMP_NUM_THREADS: '8' } });
    const c = must(runChecks(s, twoNode), 'threads-mismatch', 'error');
    const fixed = applyFix(s, c.fix!);
    assert.equal(find(runChecks(fixed, twoNode), 'threads-mismatch'), undefined);
    const env = envFor(fixed).env;
    assert.equal(env.AIO_NUM_THREADS, env.OMP_NUM_THREADS);
    const n = must(runChecks(settings(), twoNode), 'no-threads', 'error');
    assert.equal(applyFix(settings(), n.fix!).threads, 160);
    must(
      runChecks(settings({ cpus: [0], env: { AIO_NUM_THREADS: null, OMP_NUM_THREADS: null } }), twoNode),
      'no-threads',
    );
  });
  it('numa-cpus-mismatch', () => {
    const s = settings({ cpus: [0, 1], env: { AIO_NUMA_CPUS: '5 6' } });
    const c = must(runChecks(s, twoNode), 'numa-cpus-mismatch', 'error');
    assert.equal(envFor(applyFix(s, c.fix!)).env.AIO_NUMA_CPUS, '0 1');
    must(
      runChecks(settings({ cpus: [0, 1], env: { AIO_NUMA_CPUS: '1 0' } }), twoNode),
      'numa-cpus-mismatch',
      'warning',
    );
    must(
      runChecks(settings({ cpus: [0, 1], env: { AIO_NUMA_CPUS: null } }), twoNode),
      'numa-cpus-mismatch',
      'warning',
    );
    assert.equal(
      find(
        runChecks(settings({ cpus: [0, 1], env: { AIO_NUMA_CPUS: '0 1' } }), twoNode),
        'numa-cpus-mismatch',
      ),
      undefined,
    );
  });
  it('mem-bind-remote-node on the 2-socket machine with cores on node 1', () => {
    const s = settings({ cpus: [80, 81, 82, 83], memPolicy: 'none' });
    const c = must(runChecks(s, twoNode), 'mem-bind-remote-node', 'warning');
    assert.match(c.message, /numactl also covers/);
    const fixed = applyFix(s, c.fix!);
    assert.equal(find(runChecks(fixed, twoNode), 'mem-bind-remote-node'), undefined);
    const b = buildCommand(fixed, twoNode);
    assert.ok(b.argv.includes('--membind=1'));
    assert.equal(b.env.AIO_MEM_BIND, '0');
    assert.equal(
      find(runChecks(settings({ cpus: [0, 1] }), twoNode), 'mem-bind-remote-node'),
      undefined,
      'node 0 is fine',
    );
    must(runChecks(settings({ cpus: [80], env: { AIO_MEM_BIND: '1' } }), twoNode), 'mem-bind-remote-node');
    assert.equal(
      find(
        runChecks(settings({ cpus: [80], env: { AIO_PROCESS_MODE: '0' } }), twoNode),
        'mem-bind-remote-node',
      ),
      undefined,
    );
  });
  it('cross-node-cores', () => {
    const s = settings({ cpus: [0, 80, 81] });
    const c = must(runChecks(s, twoNode), 'cross-node-cores', 'warning');
    assert.deepEqual(applyFix(s, c.fix!).cpus, [80, 81]);
  });
  it('smt-siblings-selected on the x86 SMT machine', () => {
    const s = settings({ cpus: [0, 1, 2] });
    const c = must(runChecks(s, smt), 'smt-siblings-selected', 'warning');
    assert.deepEqual(applyFix(s, c.fix!).cpus, [0, 2]);
    assert.equal(find(runChecks(settings({ cpus: [0, 2] }), smt), 'smt-siblings-selected'), undefined);
  });
  it('cores-unknown on a summary lscpu import of an SMT machine', async () => {
    const summary = await loadTopology({ fromFile: join(FIXTURES_DIR, 'lscpu', 'x86-1p-4c-smt.lscpu.txt') });
    const first3 = firstPhysicalCores(summary, 3);
    assert.deepEqual(first3, [0, 1, 2], 'without core ids every CPU counts as its own core');
    const c = must(runChecks(settings({ cpus: first3 }), summary), 'cores-unknown', 'warning');
    assert.match(c.message, /CPU 0, 1, 2 may include SMT siblings/);
    assert.equal(c.fix, undefined, 'nothing to apply: the source does not know the pairs');
    // One CPU cannot share a core with another selected one; a full dump knows the pairs.
    assert.equal(find(runChecks(settings({ cpus: [5] }), summary), 'cores-unknown'), undefined);
    assert.equal(find(runChecks(settings({ cpus: [0, 1, 2] }), smt), 'cores-unknown'), undefined);
    // A summary of a machine without SMT gives each CPU its own core: nothing to warn about.
    const altraSummary = await loadTopology({
      fromFile: join(FIXTURES_DIR, 'lscpu', 'altra-q80-30-1p.lscpu.txt'),
    });
    assert.equal(find(runChecks(settings({ cpus: [0, 1, 2] }), altraSummary), 'cores-unknown'), undefined);
  });
  it('cpus-unavailable and cpus-isolated on the offline/isolated machine', () => {
    const s = settings({ cpus: [0, 3, 12, 4] });
    const checks = runChecks(s, offline);
    const c = must(checks, 'cpus-unavailable', 'error');
    assert.match(c.message, /CPU 3 is offline/);
    assert.match(c.message, /CPU 12 is not allowed/);
    assert.deepEqual(applyFix(s, c.fix!).cpus, [0, 4]);
    const iso = must(checks, 'cpus-isolated', 'warning');
    assert.deepEqual(applyFix(s, iso.fix!).cpus, [0, 3, 12]);
  });
  it('membind-memoryless-node: node 1 has CPUs but no memory', () => {
    // Default nodes for CPUs on the memory-less node 1 are its nearest node with memory (issue 10 item 8).
    const d = settings({ cpus: [8, 9] });
    assert.deepEqual(memoryNodes(d, offline), [0]);
    assert.ok(buildCommand(d, offline).argv.includes('--membind=0'));
    assert.equal(find(runChecks(d, offline), 'membind-memoryless-node'), undefined);
    // An explicit choice is kept, and is an error.
    const s = settings({ cpus: [8, 9], memNodes: [1] });
    assert.ok(buildCommand(s, offline).argv.includes('--membind=1'));
    const c = must(runChecks(s, offline), 'membind-memoryless-node', 'error');
    const fixed = applyFix(s, c.fix!);
    assert.deepEqual(fixed.memNodes, [0]);
    assert.equal(find(runChecks(fixed, offline), 'membind-memoryless-node'), undefined);
    must(
      runChecks(settings({ cpus: [8], memPolicy: 'preferred', memNodes: [1] }), offline),
      'membind-memoryless-node',
      'error',
    );
    // Interleaving over only memory-less nodes places nothing: an error; with a node that has memory, a warning.
    must(
      runChecks(settings({ cpus: [8], memPolicy: 'interleave', memNodes: [1] }), offline),
      'membind-memoryless-node',
      'error',
    );
    must(
      runChecks(settings({ cpus: [8], memPolicy: 'interleave', memNodes: [0, 1] }), offline),
      'membind-memoryless-node',
      'warning',
    );
  });
  it('node-unknown and preferred-multiple-nodes', () => {
    const s = settings({ cpus: [0], memNodes: [5] });
    const c = must(runChecks(s, twoNode), 'node-unknown', 'error');
    assert.equal(applyFix(s, c.fix!).memNodes, null);
    const p = settings({ cpus: [0, 80], memPolicy: 'preferred' });
    const pc = must(runChecks(p, twoNode), 'preferred-multiple-nodes', 'warning');
    assert.deepEqual(applyFix(p, pc.fix!).memNodes, [0]);
  });
  it('deprecated-variable', () => {
    const s = settings({
      cpus: [0],
      env: { AIO_QUANTIZE_INT8: 'ALL', DLS_MEM_BIND: '0', DLS_NUM_THREADS: '4' },
    });
    const found = runChecks(s, twoNode).filter((c) => c.code === 'deprecated-variable');
    assert.equal(found.length, 3);
    let fixed = s;
    for (const c of found) fixed = applyFix(fixed, c.fix!);
    assert.deepEqual(fixed.env, { AIO_QUANTIZE_INT8_FILTER: '.*', AIO_MEM_BIND: '0' });
    assert.equal(fixed.threads, 4);
  });
  it('convert-out-needs-fp16', () => {
    const env = { AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE: 'FP16' };
    must(runChecks(settings({ cpus: [0], env }), twoNode), 'convert-out-needs-fp16', 'warning');
    const none = settings({ cpus: [0], env, workload: ['python3', 'run.py', '-p', 'fp16'] });
    assert.equal(find(runChecks(none, twoNode), 'convert-out-needs-fp16'), undefined);
    must(
      runChecks(settings({ cpus: [0], env, workload: ['python3', 'mine.py'] }), twoNode),
      'convert-out-needs-fp16',
      'info',
    );
  });
  it('numactl-missing', () => {
    const s = settings({ cpus: [0, 1] });
    const c = must(runChecks(s, twoNode, { numactlAvailable: false }), 'numactl-missing', 'error');
    const fixed = applyFix(s, c.fix!);
    const b = buildCommand(fixed, twoNode, { numactlAvailable: false });
    assert.deepEqual(b.argv, s.workload);
    assert.equal(b.env.AIO_NUMA_CPUS, '0 1');
    assert.equal(b.env.AIO_NUM_THREADS, '2');
    assert.equal(find(b.checks, 'numactl-missing'), undefined);
    assert.equal(
      find(runChecks(s, twoNode, {}), 'numactl-missing'),
      undefined,
      'unknown availability is not an error',
    );
  });
  it('invalid-value, invalid-env-name, no-workload, cpus-duplicate, mem-policy-without-nodes', () => {
    must(runChecks(settings({ cpus: [0], env: { AIO_CPU_BIND: '2' } }), twoNode), 'invalid-value', 'error');
    must(runChecks(settings({ threads: 1, env: { AIO_NUMA_CPUS: '0,1' } }), twoNode), 'invalid-value');
    must(runChecks(settings({ cpus: [0], debugMode: 7 }), twoNode), 'invalid-value');
    must(
      runChecks(settings({ cpus: [0], env: { AIO_IMPLICIT_FP16_TRANSFORM_FILTER: '(' } }), twoNode),
      'invalid-value',
    );
    must(runChecks(settings({ cpus: [0], env: { 'BAD-NAME': '1' } }), twoNode), 'invalid-env-name', 'error');
    must(runChecks(settings({ cpus: [0], workload: [] }), twoNode), 'no-workload', 'error');
    must(runChecks(settings({ cpus: [0, 0] }), twoNode), 'cpus-duplicate', 'warning');
    must(runChecks(settings({ threads: 1 }), twoNode), 'mem-policy-without-nodes', 'info');
  });
  it('a clean selection has no findings', () => {
    assert.deepEqual(runChecks(settings({ cpus: firstPhysicalCores(twoNode, 16) }), twoNode), []);
    assert.deepEqual(runChecks(settings({ cpus: [0, 2] }), smt, { numactlAvailable: true }), []);
  });
  it('errors come first', () => {
    const checks = runChecks(settings({ cpus: [0, 1, 80], threads: 200 }), twoNode);
    const ranks = checks.map((c) => ['error', 'warning', 'info'].indexOf(c.severity));
    assert.deepEqual(ranks, [...ranks].sort());
  });
});

describe('variables catalogue and schema', () => {
  it('covers every variable of the reference', () => {
    const names = VARIABLES.map((v) => v.name);
    for (const n of [
      'AIO_PROCESS_MODE',
      'AIO_CPU_BIND',
      'AIO_MEM_BIND',
      'AIO_NUMA_CPUS',
      'AIO_NUM_THREADS',
      'OMP_NUM_THREADS',
      'AIO_DEBUG_MODE',
      'AIO_IMPLICIT_FP16_TRANSFORM_FILTER',
      'AIO_QUANTIZE_INT8_FILTER',
      'AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE',
      'AIO_MERGE_LINEAR',
      'AIO_SKIP_MASTER_THREAD',
      'AIO_PROFILER',
      'AIO_QUANTIZE_INT8',
      'DLS_NUM_THREADS',
    ]) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(new Set(names).size, names.length);
    for (const v of VARIABLES) {
      assert.ok(v.description.length > 30, v.name);
      if (v.kind === 'enum')
        assert.ok(
          (v.values && v.values.length > 0 && v.default === null) || v.values!.includes(v.default!),
          v.name,
        );
    }
    assert.deepEqual(
      VARIABLES.filter((v) => v.derived).map((v) => v.name),
      ['AIO_NUM_THREADS', 'OMP_NUM_THREADS', 'AIO_NUMA_CPUS', 'AIO_DEBUG_MODE', 'AIO_MEM_BIND'],
    );
    assert.equal(valueProblem('AIO_MEM_BIND', '1'), null);
    assert.notEqual(valueProblem('AIO_MEM_BIND', 'yes'), null);
  });
  it('schema accepts settings and rejects bad shapes', () => {
    assert.deepEqual(parseRunSettings(defaultSettings()), defaultSettings());
    assert.equal(RunSettingsSchema.safeParse({ ...defaultSettings(), threads: 0 }).success, false);
    assert.equal(RunSettingsSchema.safeParse({ ...defaultSettings(), env: { 'A-B': '1' } }).success, false);
    assert.equal(RunSettingsSchema.safeParse({ ...defaultSettings(), workload: ['a\0'] }).success, false);
    assert.equal(RunSettingsSchema.safeParse({ ...defaultSettings(), memPolicy: 'all' }).success, false);
  });
});
