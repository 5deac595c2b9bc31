/**
 * RESULTS_DIR of a multi-instance sweep point on a remote target. The instances write their <pid>.json dumps
 * on the machine they run on, so the directory is made there (mktemp), the instances are found there the way
 * findInstances finds them here (by their environment; Cpus_allowed_list is the proof of binding), and after
 * the point the dumps come back in one delimited command, like the topology probe, into the sweep's own
 * folder: the same reader as for local runs then computes the overlap. Each step is one command over the
 * shared connection.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FoundInstance, RemoteResults } from '../sweep/procs';
import { parseCpuList } from '../shared/cpulist';
import { RemoteError, tail } from './errors';
import { runOnTarget } from './exec';
import { markerFor, parseProbeOutput } from './probe-script';
import type { RemoteContext } from './ssh';
import { targetLabel, type RemoteTarget } from './url';

const PREFIX = 'aio-tuner-results.';
const CREATE = `mktemp -d "\${TMPDIR:-/tmp}/${PREFIX}XXXXXX"`;

// $1 marker, $2 dir. One grep reads every environ this user may read (others fail silently, as here);
// only the few matches are looked at further. numactl is left to the parser: findInstances skips it too.
export const FIND_SCRIPT =
  'M=$1; d=$2; ' +
  'for f in $(grep -lsF "RESULTS_DIR=$d" /proc/[0-9]*/environ 2>/dev/null); do ' +
  'p=${f#/proc/}; p=${p%/environ}; ' +
  'printf "%s P %s\\n" "$M" "$p"; ' +
  'printf "comm=%s\\n" "$(cat "/proc/$p/comm" 2>/dev/null)"; ' +
  'tr "\\000" "\\n" < "/proc/$p/environ" 2>/dev/null | grep -E "^(RESULTS_DIR|AIO_NUMA_CPUS)="; ' +
  'grep -s "^Cpus_allowed_list:" "/proc/$p/status"; ' +
  'done; printf "%s V end\\n" "$M"';

// $1 marker, $2 dir: the probe's F/E framing, so parseProbeOutput splits it (a dump is JSON, never a marker).
export const FETCH_SCRIPT =
  'M=$1; d=$2; printf "%s V 1\\n" "$M"; ' +
  'for f in "$d"/[0-9]*.json; do [ -f "$f" ] || continue; ' +
  'printf "%s F %s\\n" "$M" "${f##*/}"; cat -- "$f" 2>/dev/null; s=$?; printf "\\n%s E %s\\n" "$M" "$s"; ' +
  'done; printf "%s V end\\n" "$M"';

/** Parse FIND_SCRIPT's output into what findInstances would have returned for `dir`. */
export function parseFound(out: string, marker: string, dir: string): FoundInstance[] {
  const found: FoundInstance[] = [];
  for (const block of out.split(`${marker} P `).slice(1)) {
    const [pidLine = '', ...lines] = block.split('\n');
    const pid = Number(pidLine);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const field = (prefix: string) => lines.find((l) => l.startsWith(prefix))?.slice(prefix.length);
    // The grep matched a substring; the variable itself must be exactly this directory.
    if (field('RESULTS_DIR=') !== dir || field('comm=') === 'numactl') continue;
    const allowed = field('Cpus_allowed_list:');
    if (allowed === undefined) continue; // gone meanwhile
    found.push({ pid, numaCpus: field('AIO_NUMA_CPUS=') ?? null, allowed: parseCpuList(allowed.trim()) });
  }
  return found;
}

/** Only a directory this module made is ever removed. */
function isOurs(dir: string): boolean {
  return (
    dir.startsWith('/') && !dir.split('/').includes('..') && /\/aio-tuner-results\.[A-Za-z0-9]+$/.test(dir)
  );
}

export function remoteResults(t: RemoteTarget, ctx: RemoteContext): RemoteResults {
  const where = targetLabel(t);
  return {
    async create() {
      const r = await runOnTarget(t, ctx, ['sh', '-c', CREATE], { timeoutMs: 20_000 });
      const dir = r.stdout.trim();
      if (r.exitCode !== 0 || !isOurs(dir))
        throw new RemoteError(
          'failed',
          `${where}: cannot make a RESULTS_DIR there (mktemp -d): ${tail(r.stderr, 2) || `status ${r.exitCode}`}`,
          tail(r.stderr),
        );
      return dir;
    },
    async find(dir) {
      const marker = markerFor(randomBytes(8).toString('hex'));
      const r = await runOnTarget(t, ctx, ['sh', '-c', FIND_SCRIPT, 'sh', marker, dir], {
        timeoutMs: 10_000,
      });
      return r.stdout.includes(`${marker} V end`) ? parseFound(r.stdout, marker, dir) : [];
    },
    async fetch(dir, into) {
      const nonce = randomBytes(8).toString('hex');
      const r = await runOnTarget(t, ctx, ['sh', '-c', FETCH_SCRIPT, 'sh', markerFor(nonce), dir], {
        timeoutMs: 60_000,
      });
      const out = parseProbeOutput(r.stdout, nonce);
      if (!out.complete)
        throw new RemoteError(
          'failed',
          `${where}: the RESULTS_DIR dumps did not come back complete (status ${r.exitCode ?? r.signal})`,
          tail(r.stderr),
        );
      await mkdir(into, { recursive: true });
      for (const [name, content] of out.files)
        if (/^\d+\.json$/.test(name)) await writeFile(join(into, name), content);
    },
    async remove(dir) {
      if (!isOurs(dir)) return;
      await runOnTarget(t, ctx, ['rm', '-rf', '--', dir], { timeoutMs: 20_000 });
    },
  };
}
