// What a sweep row runs must match its label: the variables a sweep sets per row (threads, CPUs, precision)
// are cleared from the base run together with their deprecated aliases (DLS_*, AIO_QUANTIZE_INT8), and the plan
// says which ones it left out. Pure functions over the real 2-socket Altra dump.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import { buildCommand, defaultSettings } from '../../app/command';
import {
  applyVariant,
  instanceSettings,
  parseCustomVariant,
  planSweep,
  withoutSweptVars,
  type SweepSpec,
} from '../../app/sweep';
import { fixtureRoot } from '../helpers/fixtures';

let t2: Topology;
before(async () => {
  t2 = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
});

function spec(env: Record<string, string | null>, over: Partial<SweepSpec> = {}): SweepSpec {
  return {
    settings: {
      ...defaultSettings(),
      cpus: [0, 1, 2, 3],
      env,
      workload: ['python3', 'run.py', '-p', 'fp32'],
    },
    threads: [1, 2],
    placement: 'compact',
    variants: ['fp32', 'int8'],
    customVariants: [],
    instances: [1],
    batches: null,
    repeat: 1,
    ...over,
  };
}

/** The shell line of every point of a plan, by "threads/variant". */
function commands(s: SweepSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of planSweep(s, t2).points)
    out.set(
      `${p.threads}/${p.variant}`,
      instanceSettings(s, t2, p, null)
        .map((x) => buildCommand(x, t2).shell)
        .join(' & '),
    );
  return out;
}

describe('sweep rows clear deprecated aliases of what they set', () => {
  test('AIO_QUANTIZE_INT8=ALL is not left in the fp32 row (nor beside the int8 filter)', () => {
    const c = commands(spec({ AIO_QUANTIZE_INT8: 'ALL', DLS_QUANTIZE_INT8_FILTER: '.*', MINE: 'x' }));
    for (const [k, line] of c) {
      assert.doesNotMatch(line, /AIO_QUANTIZE_INT8=|DLS_QUANTIZE_INT8_FILTER/, `${k}: ${line}`);
      assert.match(line, /MINE=x/, 'unrelated variables stay');
    }
    assert.doesNotMatch(c.get('1/fp32')!, /QUANTIZE/);
    assert.match(c.get('1/int8')!, /AIO_QUANTIZE_INT8_FILTER='\.\*'/);
  });

  test('DLS_NUM_THREADS, DLS_NUMA_CPUS and a fixed AIO_NUM_THREADS do not stay while threads are swept', () => {
    const c = commands(
      spec({ DLS_NUM_THREADS: '3', DLS_NUMA_CPUS: '0 1 2', AIO_NUM_THREADS: '4', OMP_NUM_THREADS: '4' }),
    );
    for (const [k, line] of c) assert.doesNotMatch(line, /DLS_|=4 /, `${k}: ${line}`);
    assert.match(c.get('1/fp32')!, /^AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 AIO_NUMA_CPUS=0 /);
    assert.match(c.get('2/int8')!, /^AIO_NUM_THREADS=2 OMP_NUM_THREADS=2 AIO_NUMA_CPUS='0 1' /);
  });

  test('an explicit unset of an alias is kept (it only makes the run cleaner)', () => {
    assert.deepEqual(withoutSweptVars({ DLS_NUM_THREADS: null, DLS_NUMA_CPUS: '1', X: '2' }), {
      DLS_NUM_THREADS: null,
      X: '2',
    });
  });

  test('a custom variant setting a variable clears the base aliases of that variable, not others', () => {
    const v = parseCustomVariant('fc:AIO_QUANTIZE_INT8_FILTER=FullyConnected');
    assert.deepEqual(applyVariant({ AIO_QUANTIZE_INT8: 'ALL', DLS_PROCESS_MODE: '1' }, 'fc', [v]), {
      DLS_PROCESS_MODE: '1',
      AIO_QUANTIZE_INT8_FILTER: 'FullyConnected',
    });
    const old = parseCustomVariant('old:AIO_QUANTIZE_INT8=ALL');
    assert.deepEqual(applyVariant({ AIO_QUANTIZE_INT8_FILTER: '.*' }, 'old', [old]), {
      AIO_QUANTIZE_INT8: 'ALL',
    });
  });

  test('a custom variant may still set a thread variable on purpose', () => {
    const v = parseCustomVariant('omp1:OMP_NUM_THREADS=1');
    const s = spec({ DLS_NUM_THREADS: '3' }, { variants: ['omp1'], customVariants: [v], threads: [2] });
    const [p] = planSweep(s, t2).points;
    const [inst] = instanceSettings(s, t2, p!, null);
    assert.deepEqual(inst!.env, { OMP_NUM_THREADS: '1' });
  });

  test('the plan says which base variables every row leaves out, and why', () => {
    const notes = planSweep(spec({ AIO_QUANTIZE_INT8: 'ALL', DLS_NUM_THREADS: '3' }), t2).notes;
    assert.ok(
      notes.some((n) => /DLS_NUM_THREADS=3 .*left out.*thread count/.test(n)),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => /AIO_QUANTIZE_INT8=ALL .*left out.*variant/.test(n)),
      notes.join('\n'),
    );
    assert.deepEqual(planSweep(spec({ MINE: 'x' }), t2).notes, []);
  });
});

describe('placement note', () => {
  test('a two-node selection is never called "on one NUMA node"', () => {
    // CPUs 0-1 on node 0 and 80-81 on node 1; 4 threads take them all under either placement.
    const s = spec({}, { threads: [4], placement: ['compact', 'spread'], variants: ['fp32'] });
    s.settings.cpus = [0, 1, 80, 81];
    const p = planSweep(s, t2);
    assert.equal(p.notes.length, 1, p.notes.join('\n'));
    assert.match(p.notes[0]!, /compact and spread pick the same CPUs/);
    assert.doesNotMatch(p.notes[0]!, /one NUMA node/);
  });
});
