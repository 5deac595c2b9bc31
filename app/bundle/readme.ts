/**
 * README.txt, the first thing support opens, and the short note a user pastes into the support e-mail. Both are
 * plain text built from facts already redacted by the caller.
 */
import type { Check } from '../shared/command';
import type { EngineInfo, Finding } from '../shared/findings';
import type { DoctorReport } from '../shared/doctor';
import { engineLine } from '../shared/engineline';
import { formatBytes } from '../shared/units';
import { SECRET_NAME_WORDS, MIN_LITERAL_LENGTH } from './redact';
import { OUTPUT_LOG_FORMAT } from './output-log';

export const FILE_DESCRIPTIONS: Record<string, string> = {
  'README.txt': 'this file',
  'run/command.sh': 'the exact command, runnable: `bash run/command.sh`',
  'run/env.txt': 'environment of the run: set by AIO Tuner, removed, and relevant inherited variables',
  'run/output.log': 'complete output of the run, both streams, in arrival order',
  'run/result.json':
    'exit status, duration, peak memory, parsed results, checks raised before the run, the Ampere engine probe, ' +
    'the proof of placement of a saved run (where its threads ran, its memory per node, its counters)',
  'system/topology.json': "AIO Tuner's model of the CPUs, NUMA nodes and caches",
  'system/lscpu.txt': '`lscpu`',
  'system/lscpu-e.txt': '`lscpu -e` (one line per CPU)',
  'system/numactl-H.txt': '`numactl -H` (NUMA nodes, memory, distances)',
  'system/numactl-show.txt': "`numactl --show` (the tool's own binding, inherited by the run)",
  'system/cpuinfo.txt': '/proc/cpuinfo',
  'system/meminfo.txt': '/proc/meminfo',
  'system/os.json': 'operating system, CPU, memory, board and tool versions (systeminformation)',
  'system/kernel.txt': 'uname, page size, transparent huge pages, kernel command line',
  'system/cgroup.txt': 'cgroup membership, cpuset and memory limits, allowed CPUs',
  'system/release.txt': "the container image's /.release (AIO version), when present",
  'system/doctor.json':
    "the host doctor's full report on the machine (aio-tuner doctor --json): problems with their evidence and fix, checks passed, checks skipped",
  'system/sysfs/':
    'the /sys and /proc files AIO Tuner reads (as `aio-tuner dump` writes them): `aio-tuner topology --sysroot THIS.tar.gz` shows this machine',
  'python/interpreter.txt': "the workload's Python interpreter: path, version, sys.path",
  'python/torch.txt': 'torch version, Ampere engine present or not, torch.__config__.show()',
  'python/pip-list.txt': '`python -m pip list`',
  'MANIFEST.json': 'size and sha256 of every other file',
};

export interface ReadmeInput {
  createdAt: Date;
  version: string;
  host: string;
  machine: string;
  /** Set when the bundle was made from a saved run instead of a new one. */
  fromRun: { logFile: string; startedAt: string; runId?: string | null } | null;
  /** AIO_DEBUG_MODE of the run, null when it was left unset (engine default 2). */
  debugMode: number | null;
  /** One-line shell form, redacted. */
  command: string;
  cwd: string;
  outcome: string;
  durationMs: number | null;
  peakRssBytes: number | null;
  lines: number;
  results: string | null;
  /** The engine probe of the run's interpreter (null: not Python; undefined: not known). */
  engine?: EngineInfo | null;
  checks: readonly Check[];
  files: readonly string[];
  redactedNames: readonly string[];
  patterns: readonly string[];
  sysroot?: string;
  /** The host doctor's report on the bundle's machine (system/doctor.json). */
  doctor?: DoctorReport;
  /** The doctor ran when the bundle was made, after the saved run: the machine's state now, not then. */
  doctorNow?: boolean;
  /** Known failures recognised in the run's output (app/logs/known-failures.ts). */
  knownFailures?: readonly Finding[];
}

function levelText(level: number | null): string {
  return level === null ? 'unset (the engine then uses level 2)' : String(level);
}

export function buildReadme(r: ReadmeInput): string {
  const out: string[] = [];
  const rule = (title: string) => out.push('', title, '-'.repeat(title.length));
  out.push('AIO Tuner support bundle', '========================', '');
  out.push(`Made:     ${r.createdAt.toISOString()} by AIO Tuner ${r.version} on host "${r.host}"`);
  out.push(`Machine:  ${r.machine}`);
  if (r.fromRun) {
    const which = r.fromRun.runId ? `run ${r.fromRun.runId}, ` : '';
    out.push(
      `How:      made from a saved run, not re-run: ${which}log ${r.fromRun.logFile}, started ${r.fromRun.startedAt}.`,
    );
    if (r.debugMode === 4) out.push('          That run was at AIO_DEBUG_MODE=4 (all engine messages).');
    else {
      out.push(
        `          That run was NOT at AIO_DEBUG_MODE=4: its level was ${levelText(r.debugMode)}, so engine messages`,
        '          support usually asks for are missing. To get them, run run/command.sh with AIO_DEBUG_MODE=4,',
        '          or make a new bundle with `aio-tuner bundle` and the same settings.',
      );
    }
  } else {
    out.push(
      'How:      `aio-tuner bundle` ran the chosen settings again with AIO_DEBUG_MODE=4 (all engine messages)',
      '          and nothing else changed, captured all of its output, then collected the files below.',
    );
  }
  out.push(`Outcome:  ${r.outcome}`);
  const facts: string[] = [];
  if (r.durationMs !== null) facts.push(`took ${(r.durationMs / 1000).toFixed(1)} s`);
  if (r.peakRssBytes) facts.push(`peak memory ${formatBytes(r.peakRssBytes)}`);
  facts.push(`${r.lines} line${r.lines === 1 ? '' : 's'} of output`);
  out.push(`          ${facts.join(', ')}`);
  if (r.results) out.push(`Results:  ${r.results}`);
  if (r.engine !== undefined) out.push(`Engine:   ${engineLine(r.engine).replace(/^Ampere engine: /, '')}`);
  if (r.checks.length) {
    out.push('Checks raised before the run:');
    for (const c of r.checks) out.push(`  ${c.severity}: ${c.code}: ${c.message}`);
  }
  if (r.doctor) {
    const d = r.doctor;
    const when = r.doctorNow
      ? ` (run when this bundle was made: the machine's state at bundling time, not necessarily the saved run's)`
      : '';
    out.push(
      `Host doctor${when}: ${d.checks.length ? `${d.checks.length} finding${d.checks.length === 1 ? '' : 's'}` : 'nothing wrong found'}, ` +
        `${d.passed.length} passed, ${d.skipped.length} skipped (system/doctor.json):`,
    );
    for (const c of d.checks)
      out.push(`  ${c.severity}: ${c.code}: ${c.message}${c.fix?.command ? ` Fix: ${c.fix.command}` : ''}`);
  }
  if (r.knownFailures && !r.knownFailures.length)
    out.push("Known failures in the run's output: none recognised.");
  if (r.knownFailures?.length) {
    out.push("Known failures found in the run's output:");
    for (const f of r.knownFailures)
      out.push(`  ${f.severity}: ${f.code}: ${f.message}${f.fix ? ` Fix: ${f.fix.label}` : ''}`);
  }
  if (r.sysroot)
    out.push(
      `System files: from the sysroot ${r.sysroot} where it has them; each file says where it came from.`,
    );

  rule('To reproduce');
  out.push(
    '  bash run/command.sh',
    '',
    'or, as one line' + (r.cwd ? ` in ${r.cwd}` : '') + ':',
    `  ${r.command}`,
  );
  if (r.redactedNames.length) out.push('', 'Put the real values back where the files say <redacted> first.');

  rule('What is inside');
  const width = Math.max(...r.files.map((f) => f.length));
  for (const f of r.files) out.push(`  ${f.padEnd(width)}  ${FILE_DESCRIPTIONS[f] ?? ''}`.trimEnd());
  out.push('', 'A tool missing on the machine leaves a note in its file instead of its output.');

  rule('run/output.log');
  out.push(OUTPUT_LOG_FORMAT);

  rule('Redaction');
  out.push(
    `Values of variables whose names contain ${SECRET_NAME_WORDS.join(', ')}` +
      (r.patterns.length ? ` or the user's patterns (${r.patterns.join(', ')})` : '') +
      ' were replaced by <redacted> in every file: in NAME=value pairs, as the value of options whose name',
    `looks secret (like --token), and wherever the value itself appears (values shorter than ${MIN_LITERAL_LENGTH}`,
    'characters: by name only).',
    r.redactedNames.length
      ? `Redacted here: ${r.redactedNames.join(', ')}.`
      : 'No variable needed redacting.',
  );
  return out.join('\n') + '\n';
}

export interface NoteInput {
  fileName: string;
  sizeBytes: number;
  version: string;
  host: string;
  machine: string;
  command: string;
  outcome: string;
  settings: string;
  fromRun: boolean;
  debugMode: number | null;
}

/** Ready-to-paste text for the support e-mail. */
export function buildNote(n: NoteInput): string {
  const lines = [
    `Attached: ${n.fileName} (${formatBytes(n.sizeBytes)}), a support bundle made by AIO Tuner ${n.version} on "${n.host}".`,
    `Machine: ${n.machine}`,
    `Settings: ${n.settings}`,
    `Command (AIO_DEBUG_MODE=${n.debugMode ?? 'unset'}): ${n.command}`,
    `Outcome: ${n.outcome}`,
  ];
  if (n.fromRun)
    lines.push(
      `Made from a saved run (not re-run)${n.debugMode === 4 ? '' : ', which was not at AIO_DEBUG_MODE=4'}.`,
    );
  lines.push('README.txt inside lists the contents; secrets were redacted.');
  return lines.join('\n');
}
