// The CLI's flag handling over real fixtures: help text against the real option tables, usage errors a user
// reads, and how --profile / --import seed settings that later flags override.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse, settingsFromFlags, settingsOptions, sourceOptions, UsageError } from '../../app/cli/args';
import { COMMAND_OPTIONS } from '../../app/cli/command';
import {
  baseSettings,
  PROFILES_EXPORT_OPTIONS,
  PROFILES_IMPORT_OPTIONS,
  PROFILES_LIST_OPTIONS,
  PROFILES_SAVE_OPTIONS,
} from '../../app/cli/profiles';
import { RUN_OPTIONS } from '../../app/cli/run';
import { SERVE_OPTIONS } from '../../app/cli/serve';
import { TOPOLOGY_OPTIONS } from '../../app/cli/topology';
import { DUMP_OPTIONS } from '../../app/cli/dump';
import { USAGE, wantsHelp } from '../../app/cli/usage';
import { defaultSettings } from '../../app/command';
import { ProfileStore } from '../../app/profiles';
import { readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import { fixtureRoot } from '../helpers/fixtures';

let twoNode: Topology;
let smt: Topology;
before(async () => {
  twoNode = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
  smt = await readSysfsTopology(fixtureRoot('x86-1p-4c-smt'));
});

/** The message of the UsageError `fn` throws (fails when it throws nothing or something else). */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a UsageError');
}

const flagsIn = (text: string) =>
  new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));

describe('help text', () => {
  const tables: Record<string, object> = {
    topology: TOPOLOGY_OPTIONS,
    dump: DUMP_OPTIONS,
    serve: SERVE_OPTIONS,
    command: COMMAND_OPTIONS,
    run: RUN_OPTIONS,
    profiles: {
      ...PROFILES_LIST_OPTIONS,
      ...PROFILES_SAVE_OPTIONS,
      ...PROFILES_EXPORT_OPTIONS,
      ...PROFILES_IMPORT_OPTIONS,
    },
  };
  it('lists every flag each subcommand accepts, and none it rejects', () => {
    for (const [sub, table] of Object.entries(tables)) {
      const listed = flagsIn(USAGE[sub]!);
      for (const flag of Object.keys(table)) assert.ok(listed.has(flag), `${sub} --help lists --${flag}`);
      for (const flag of listed) assert.ok(flag in table, `${sub} --help lists --${flag}, which it rejects`);
    }
  });
  it('bundle and sweep list the shared selection, settings and source flags', () => {
    for (const sub of ['bundle', 'sweep']) {
      const listed = flagsIn(USAGE[sub]!);
      for (const flag of Object.keys({ ...sourceOptions, ...settingsOptions }))
        assert.ok(listed.has(flag), `${sub} --help lists --${flag}`);
    }
  });
  it('run shows where the machine comes from and --quiet', () => {
    assert.match(USAGE.run!, /\[--sysroot DIR \| --from FILE/);
    assert.match(USAGE.run!, /--quiet/);
  });
  it('only options before -- ask for help; the workload keeps its own -h', () => {
    assert.equal(wantsHelp(['--first', '2', '--help']), true);
    assert.equal(wantsHelp(['-h', '--', 'x']), true);
    assert.equal(wantsHelp(['--', 'python3', 'run.py', '--help']), false);
    assert.equal(wantsHelp(['--cores', '1', '--', 'ls', '-h']), false);
  });
});

describe('usage errors', () => {
  it('a missing option value names the option, not "ambiguous"', () => {
    const opts = { ...sourceOptions, ...settingsOptions, check: { type: 'boolean' } } as const;
    assert.equal(
      usageError(() => parse(['--first', '--', 'x'], opts)),
      '--first needs a value (for a value that starts with "-", write --first=VALUE)',
    );
    assert.match(
      usageError(() => parse(['--first'], opts)),
      /^--first needs a value/,
    );
    assert.equal(
      usageError(() => parse(['--check=yes'], opts)),
      '--check is a switch and takes no value',
    );
    assert.match(
      usageError(() => parse(['--bogus'], opts)),
      /^unknown option --bogus/,
    );
  });
  it('--first, --node --count and --spread never quietly take fewer cores', () => {
    const flags = (v: Record<string, string>) => () => settingsFromFlags(v, ['x'], twoNode);
    assert.equal(usageError(flags({ first: '500' })), '--first 500: this machine has only 160 usable cores');
    assert.equal(
      usageError(flags({ node: '1', count: '100' })),
      '--count 100: node 1 has only 80 usable cores',
    );
    assert.equal(
      usageError(flags({ spread: '161' })),
      '--spread 161: this machine has only 160 usable cores',
    );
    // Physical cores: the SMT machine has 8 CPUs but 4 cores.
    assert.equal(
      usageError(() => settingsFromFlags({ first: '5' }, ['x'], smt)),
      '--first 5: this machine has only 4 usable cores',
    );
    // Exactly what exists is fine.
    assert.equal(settingsFromFlags({ node: '1', count: '80' }, ['x'], twoNode).cpus.length, 80);
    assert.equal(settingsFromFlags({ spread: '160' }, ['x'], twoNode).cpus.length, 160);
  });
  it('--mem-nodes: not with --mem none|local, not empty', () => {
    for (const mem of ['none', 'local'])
      assert.match(
        usageError(() => settingsFromFlags({ mem, 'mem-nodes': '1' }, ['x'], twoNode)),
        new RegExp(`^--mem-nodes has no effect with --mem ${mem}`),
      );
    assert.equal(
      usageError(() => settingsFromFlags({ 'mem-nodes': '' }, ['x'], twoNode)),
      '--mem-nodes: the list is empty',
    );
    assert.deepEqual(
      settingsFromFlags({ mem: 'interleave', 'mem-nodes': '0,1' }, ['x'], twoNode).memNodes,
      [0, 1],
    );
  });
});

describe('--profile and --import', () => {
  it('flags override the saved settings part by part', async () => {
    const store = new ProfileStore(join(mkdtempSync(join(tmpdir(), 'aio-cli-')), 'profiles'));
    await store.save('node1', {
      ...defaultSettings(),
      cpus: [80, 81, 82, 83],
      env: { AIO_MEM_BIND: '0' },
      workload: ['python3', 'saved.py'],
    });
    const base = await baseSettings({ profile: 'node1' }, twoNode, store);
    const kept = settingsFromFlags({}, [], twoNode, base);
    assert.deepEqual(kept.cpus, [80, 81, 82, 83]);
    assert.deepEqual(kept.workload, ['python3', 'saved.py']);
    const over = settingsFromFlags({ first: '2', set: ['X=1'] }, ['python3', 'new.py'], twoNode, base);
    assert.deepEqual(over.cpus, [0, 1]);
    assert.deepEqual(over.env, { AIO_MEM_BIND: '0', X: '1' });
    assert.deepEqual(over.workload, ['python3', 'new.py']);
    assert.deepEqual(base!.cpus, [80, 81, 82, 83], 'the loaded settings are not changed in place');

    await assert.rejects(baseSettings({ profile: 'nope' }, twoNode, store), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, '--profile: no profile named "nope" (saved: "node1")');
      return true;
    });
    await assert.rejects(baseSettings({ profile: 'node1', import: 'x' }, twoNode, store), UsageError);
  });
  it('--import reads a pasted line back; later flags win', async () => {
    const base = await baseSettings(
      { import: 'AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 numactl -C 80-83 -m 1 python3 run.py -p bf16' },
      twoNode,
    );
    assert.deepEqual(base!.cpus, [80, 81, 82, 83]);
    assert.equal(base!.memPolicy, 'bind');
    assert.deepEqual(base!.workload, ['python3', 'run.py', '-p', 'bf16']);
    const s = settingsFromFlags({ cores: '84-87', mem: 'interleave' }, [], twoNode, base);
    assert.deepEqual([s.cpus, s.memPolicy, s.workload[3]], [[84, 85, 86, 87], 'interleave', 'bf16']);
    // A line without numactl has no memory policy: asking for nodes alone is then an error, said as such.
    const plain = await baseSettings({ import: 'python3 x.py' }, twoNode);
    assert.match(
      usageError(() => settingsFromFlags({ 'mem-nodes': '1' }, [], twoNode, plain)),
      /--mem none \(from --profile or --import\)/,
    );
    await assert.rejects(baseSettings({ import: '  ' }, twoNode), UsageError);
  });
});
