/**
 * hwloc-calc locations against the real `hwloc-calc` (Debian hwloc 2.9) on the same dumps: every project fixture
 * (2-socket, multi-node, SMT, offline/isolated) and real machines of hwloc's and util-linux's test data whose
 * packages interleave their CPU numbers, whose caches pair cores out of CPU order, or whose packages are numbered
 * out of CPU order. `hwloc-calc --input DIR --disallowed --po -I pu LOCATION…` prints the PUs' OS numbers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import { expandSelection } from '../../app/shared/selection';
import { formatCpuList } from '../../app/shared/cpulist';
import { fixtureRoot, tarballFixtures } from '../helpers/fixtures';
import { realDumpRoot } from '../helpers/reference-topology';

const run = promisify(execFile);

const EXPRESSIONS = [
  'package:0.core:0-1',
  'package:1.core:all',
  'socket:0.core:1',
  'node:1.core:all',
  'node:0.core:0',
  'numa:1.pu:1-',
  'core:0-3.pu:0',
  'core:all.pu:0',
  'core:1:3',
  'core:odd',
  'pu:even',
  'pu:0-3 --no-smt',
  'core:all --no-smt=1',
  'all ~package:0',
  'all xnode:0',
  'core:0 ^core:0-2',
];

const REAL = [
  'util-linux/x86_64-64cpu.tar.gz', // 4 packages, ids out of CPU order, SMT siblings 32 apart
  'util-linux/x86_64-64cpu-linux6.2.tar.gz', // likwid's documentation shape: N = 0,4,1,5,2,6,3,7
  'hwloc/8em64t-2s2ca2c.tar.bz2', // packages interleaved, L2 pairs cores out of CPU order
  'hwloc/16em64t-4s2c2t.tar.bz2',
  'hwloc/16em64t-4s2ca2c-cpusetreorder.tar.bz2',
];

/** hwloc-calc's answer as a CPU list, or null when it refused (an object that does not exist). */
async function hwlocCalc(root: string, expr: string): Promise<string | null> {
  const { stdout } = await run(
    'hwloc-calc',
    ['--input', root, '--disallowed', '--po', '-I', 'pu', ...expr.split(' ')],
    { env: { ...process.env, LC_ALL: 'C' }, timeout: 20_000 },
  );
  const out = stdout.trim();
  return out === '' ? null : formatCpuList(out.split(',').map(Number));
}

const dumps = [
  ...tarballFixtures().map((name) => ({ name, root: () => fixtureRoot(name) })),
  ...REAL.map((rel) => ({ name: rel, root: () => realDumpRoot(rel) })),
];

describe('hwloc-calc locations agree with the real hwloc-calc', () => {
  for (const d of dumps)
    test(d.name, async () => {
      const root = d.root();
      const t = await readSysfsTopology(root);
      let compared = 0;
      for (const expr of EXPRESSIONS) {
        const ours = expandSelection(expr, t);
        const theirs = await hwlocCalc(root, expr);
        // CPUs that exist but may not be used are reported, not dropped: the set is still hwloc's.
        const refused = ours.errors.filter((e) => !/isolated|not allowed/.test(e.message));
        if (refused.length > 0) {
          // We refuse what hwloc-calc cannot find either (it warns and prints what it found, often nothing).
          assert.ok(
            theirs === null || /does not exist|selects no CPUs/.test(refused[0]!.message),
            `${d.name} ${expr}: we refused (${refused[0]!.message}), hwloc-calc gave ${theirs}`,
          );
          continue;
        }
        assert.equal(formatCpuList(ours.cpus), theirs, `${d.name}: ${expr}`);
        compared++;
      }
      assert.ok(compared >= 5, `${d.name}: only ${compared} expressions compared`);
    });
});
