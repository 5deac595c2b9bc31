// `aio-tuner sweep` as users run it (the built CLI): flags, --json/--csv output, progress on stderr, Ctrl-C.
// The workload is a small shell script printing AML-style results, so the CLI's own behaviour is what is timed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import { fixtureRoot } from '../helpers/fixtures';
import { parseCpuList } from '../../app/topology';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-sweep-cli-'));
const home = join(dir, 'home');
const fake = join(dir, 'bench.sh');

before(() => {
  writeFileSync(
    fake,
    '#!/bin/sh\nsleep ${FAKE_SLEEP:-0.2}\necho "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n' +
      'echo "  THROUGHPUT"\necho "      observed   $((100 * AIO_NUM_THREADS)).0 [samples/s]"\n',
  );
  chmodSync(fake, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, ...env },
    timeout: 60_000,
  });
}

describe('aio-tuner sweep', () => {
  test('bad flags: exit 2 with one line', () => {
    const cases: [string[], RegExp][] = [
      [['sweep', '--threads', '1,x', '--', fake], /--threads expects a comma-separated list/],
      [['sweep', '--placement', 'diagonal', '--', fake], /--placement must be compact or spread/],
      [['sweep', '--placement', 'compact,diagonal', '--', fake], /--placement must be compact or spread/],
      [['sweep', '--variants', 'fp64', '--', fake], /unknown variant "fp64"/],
      [['sweep', '--instances', '0', '--', fake], /--instances expects/],
      [['sweep', '--repeat', 'two', '--', fake], /--repeat expects a whole number/],
      [['sweep', '--variant', 'novars', '--', fake], /--variant: expected NAME:VAR=VALUE/],
      [['sweep', '--latency-budget', 'soon', '--', fake], /--latency-budget expects/],
      [['sweep', '--threads', '1'], /missing workload/],
      [['sweep', '--threads', '4096', '--', fake], /nothing to run: .*needs 4096 CPUs/],
    ];
    for (const [args, re] of cases) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });

  test('--json prints rows and best; --csv writes the rows; progress goes to stderr', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const csv = join(dir, 'rows.csv');
    const r = cli([
      'sweep',
      '--threads',
      '1,2',
      '--variants',
      'fp32,off',
      '--variant',
      'nm:AIO_MERGE_LINEAR=0',
      '--batch',
      '4',
      '--json',
      '--csv',
      csv,
      '--',
      fake,
      '-b',
      '1',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      rows: Record<string, unknown>[];
      best: {
        latency: { command: string; threads: number; significant: boolean } | null;
        throughput: { threads: number; config: number; significant: boolean; tiedWith: number[] } | null;
        perCore: unknown;
      };
      configs: { threads: number; basis: string; runs: number }[];
      findings: { code: string }[];
      state: string;
    };
    assert.equal(out.state, 'done');
    assert.equal(out.rows.length, 6);
    for (const row of out.rows)
      for (const k of [
        'threads',
        'instances',
        'cores',
        'variant',
        'batch',
        'repeat',
        'latencyMs',
        'throughput',
        'exitCode',
        'logFile',
      ])
        assert.ok(k in row, `row has ${k}`);
    assert.deepEqual(
      out.rows.map((x) => `${x.threads}/${x.variant}/${x.batch}`),
      ['1/fp32/4', '1/off/4', '1/nm/4', '2/fp32/4', '2/off/4', '2/nm/4'],
    );
    assert.equal(out.rows[0]!.latencyMs, 11.5);
    assert.equal(out.rows[3]!.throughput, 200);
    assert.ok(existsSync(out.rows[0]!.logFile as string));
    assert.deepEqual(Object.keys(out.best).sort(), ['latency', 'perCore', 'throughput']);
    assert.equal(out.best.latency!.threads, 1);
    // One run per configuration and no per-pass samples: nothing to test a difference with, so no card claims
    // one (a finding says why), and each names the first configuration of its tied group.
    assert.equal(out.configs.length, 6);
    assert.ok(out.configs.every((c) => c.basis === 'samples' && c.runs === 1));
    assert.equal(out.best.throughput!.threads, 1);
    assert.equal(out.best.throughput!.config, 0);
    assert.equal(out.best.throughput!.significant, false);
    assert.deepEqual(out.best.throughput!.tiedWith, [1, 2, 3, 4, 5]);
    assert.ok(out.findings.some((f) => f.code === 'too-few-samples'));
    assert.ok(out.findings.some((f) => f.code === 'tied'));
    assert.match(
      out.best.latency!.command,
      new RegExp(`numactl --physcpubind=0 .*${fake.replace(/[/.]/g, '\\$&')} -b 4$`),
    );
    assert.match(
      r.stderr,
      /\[1\/6\] threads=1 instances=1 cores=1 variant=fp32 batch=4 repeat=1: 11\.50 ms, 100\.0 samples\/s/,
    );
    assert.match(r.stderr, /sweep done: 6 of 6 row\(s\)/);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 7);
    assert.match(lines[0]!, /^i,threads,instances,cores,placement,variant,batch,repeat,latencyMs,/);
  });

  test('--placement compact,spread × two instances: placement in rows, per-instance latency, runnable CSV', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const csv = join(dir, 'placement.csv');
    const r = cli([
      'sweep',
      '--threads',
      '1',
      '--instances',
      '1,2',
      '--placement',
      'compact,spread',
      '--json',
      '--csv',
      csv,
      '--',
      fake,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      rows: { instances: number; placement: string; instanceRuns?: { latencyMs: number }[] }[];
    };
    assert.deepEqual(
      out.rows.map((x) => `${x.instances}/${x.placement}`),
      ['1/compact', '1/spread', '2/compact', '2/spread'],
    );
    assert.deepEqual(
      out.rows[2]!.instanceRuns!.map((x) => x.latencyMs),
      [11.5, 11.5],
    );
    // This machine has one NUMA node: both placements pick the same CPUs, and the CLI says so.
    assert.match(r.stderr, /warning: compact and spread pick the same CPUs/);
    assert.match(
      r.stderr,
      /\[2\/4\] threads=1 instances=1 cores=1 placement=spread variant=fp32 repeat=1: 11\.50 ms/,
    );

    const lines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    const head = lines[0]!.split(',');
    // The four LLM metric columns of issue 17 come last.
    assert.equal(head[head.length - 11], 'instanceLatencyMs');
    // One run, no samples: no interval, no CV; no LLM metrics printed.
    assert.match(lines[3]!, /,11\.5;11\.5,,,,,,,,,,$/);
    // The command cell of a two-instance row is one line a shell runs: both instances, then wait.
    const cell = /"([^"]*& wait)"|,([^,"]*& wait),/.exec(lines[3]!);
    assert.ok(cell, lines[3]);
    const line = cell[1] ?? cell[2]!;
    assert.match(
      line,
      /^AIO_NUM_THREADS=1 .*--membind=0 .*bench\.sh & AIO_NUM_THREADS=1 .*bench\.sh & wait$/,
    );
    const ran = spawnSync('sh', ['-c', line], { encoding: 'utf8', env: { ...process.env, FAKE_SLEEP: '0' } });
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal((ran.stdout.match(/LATENCY/g) ?? []).length, 2, 'both instances ran');

    // The table names placements and each instance's latency when the sweep has them.
    const table = cli([
      'sweep',
      '--threads',
      '1',
      '--instances',
      '2',
      '--placement',
      'compact,spread',
      '--',
      fake,
    ]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(
      table.stdout,
      /threads\s+inst\s+cores\s+variant\s+placement\s+batch\s+rep\s+latency ms\s+per instance ms/,
    );
    assert.match(table.stdout, /\s2\s+2\s+fp32\s+spread\s+-\s+1\s+11\.50\s+11\.50\/11\.50\s/);
  });

  test('--batch with a workload that has no -b: a warning, and the workload runs as given', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli(['sweep', '--threads', '1', '--batch', '1,8', '--json', '--', fake]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /aio-tuner: warning: batch sizes 1, 8 not applied: the workload has no -b/);
    const out = JSON.parse(r.stdout) as { rows: { batch: number | null; commands: string[] }[] };
    assert.deepEqual(
      out.rows.map((x) => x.batch),
      [null],
    );
    assert.match(out.rows[0]!.commands[0]!, /bench\.sh$/, 'no -b invented');
  });

  test('without --json: a table and the recommended commands on stdout', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli(['sweep', '--threads', '1', '--latency-budget', '50', '--', fake]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /threads\s+inst\s+cores\s+variant/);
    // One configuration: the three cards name it, said once.
    assert.match(
      r.stdout,
      /^Lowest latency, highest throughput and best per core: threads=1 instances=1 cores=1 variant=fp32 → 11\.50 ms/m,
    );
    assert.doesNotMatch(r.stdout, /^Highest throughput:/m);
    assert.match(r.stdout, /Best per core within 50 ms: /);
    assert.match(r.stdout, /\n {2}AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 AIO_NUMA_CPUS=0 numactl/);
  });

  test('a row that cannot bind is skipped with its reason, the sweep goes on and exits 0; check warnings shown', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    // The 2-socket dump's CPU list with one CPU this machine may use and one it lacks: threads=1 binds here,
    // threads=2 cannot. Real numactl, real runs; only the plan comes from the other machine.
    const allowedText = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    const allowed = new Set(parseCpuList(allowedText ?? ''));
    const here = [...allowed].filter((c) => c < 80).sort((a, b) => a - b)[0];
    if (!need(t, here !== undefined && !allowed.has(159), 'a host without CPU 159 and with a CPU below 80'))
      return;
    const r = cli([
      'sweep',
      '--sysroot',
      fixtureRoot('arm64-altra-2p-160c-2node'),
      '--cores',
      `${here},159`,
      '--threads',
      '1,2',
      '--set',
      'AIO_QUANTIZE_INT8=ALL',
      '--set',
      'DLS_NUM_THREADS=7',
      '--set',
      'DLS_CPU_BIND=1',
      '--json',
      '--',
      fake,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      state: string;
      rows: {
        threads: number;
        latencyMs: number | null;
        skipped?: boolean;
        error?: string;
        commands: string[];
        checks?: { code: string; severity: string }[];
      }[];
    };
    assert.equal(out.state, 'done');
    assert.deepEqual(
      out.rows.map((x) => [x.threads, x.latencyMs !== null, x.skipped ?? false]),
      [
        [1, true, false],
        [2, false, true],
      ],
    );
    assert.match(out.rows[1]!.error ?? '', /^cannot bind: CPUs? .*159/);
    assert.match(r.stderr, /\[2\/2\] threads=2 .*: skipped: cannot bind: /);
    assert.match(r.stderr, /sweep done: 2 of 2 row\(s\) \(1 skipped\)/);
    // The fp32 row runs without the old INT8 switch and with its own thread count only.
    assert.doesNotMatch(out.rows[0]!.commands[0]!, /AIO_QUANTIZE_INT8|DLS_NUM_THREADS/);
    assert.match(r.stderr, /warning: AIO_QUANTIZE_INT8=ALL is left out of the fp32 row/);
    assert.match(r.stderr, /warning: DLS_NUM_THREADS=7 is left out of every row/);
    // What a single run would warn about is said during the sweep, once, and kept on each row.
    assert.ok(out.rows.every((x) => x.checks?.some((c) => c.code === 'deprecated-variable')));
    const said = r.stderr.match(/^aio-tuner: {3}warning \(deprecated-variable\): DLS_CPU_BIND/gm) ?? [];
    assert.equal(said.length, 1, r.stderr);
    assert.ok(
      r.stderr.indexOf('DLS_CPU_BIND') < r.stderr.indexOf('[1/2] threads=1'),
      'said before the first row ends',
    );
  });

  test('Ctrl-C stops the current run and still prints the finished rows', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const p = spawn(
      process.execPath,
      [CLI, 'sweep', '--threads', '1,2', '--variants', 'fp32,off', '--json', '--', fake],
      {
        env: { ...process.env, AIO_TUNER_HOME: home, FAKE_SLEEP: '1.5' },
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // Interrupt once the first row is in and the second run is going.
      if (/\[2\/4\] running/.test(err) && !p.killed) p.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)));
    assert.equal(code, 130, err);
    const res = JSON.parse(out) as { state: string; rows: { latencyMs: number }[] };
    assert.equal(res.state, 'cancelled');
    assert.equal(res.rows.length, 1);
    assert.equal(res.rows[0]!.latencyMs, 11.5);
    assert.match(err, /SIGINT: stopping the current run; finished rows are kept/);
    assert.match(err, /sweep cancelled: 1 of 4 row\(s\); saved /);
    assert.match(err, /aio-tuner: resume with: aio-tuner sweep --resume \S+\n/);
  });
});
