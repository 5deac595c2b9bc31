/**
 * `aio-tuner doctor [--sysroot DIR | --target URL] [--python PATH] [--json] [selection] [settings] [-- WORKLOAD]`:
 * the host checks (app/doctor) on this machine, a dump or a target, optionally for a run (its selection and
 * settings: the binding is dry-run, its CPUs and nodes judged). Exit 0; 3 when a finding is an error; 1 when the
 * target cannot be reached (one line); 2 for usage errors.
 */
import { parse, settingsFromFlags, settingsOptions, UsageError } from './args';
import { sourceFrom } from './topology';
import { baseOptions, baseSettings } from './profiles';
import { runDoctor, type DoctorOptions } from '../doctor';
import { targetDoctorOptions } from '../remote/doctor';
import { remoteContext } from '../remote/ssh';
import { isRemote, parseTarget, TargetUrlError } from '../remote/url';
import { loadTopology } from '../topology';
import { dataDir } from '../util/datadir';
import { outputText } from '../util/records';
import { doctorHasError, type DoctorReport } from '../shared/doctor';
import type { RunSettings } from '../shared/command';
import type { Topology } from '../shared/topology';

export const DOCTOR_OPTIONS = {
  sysroot: { type: 'string' },
  target: { type: 'string' },
  python: { type: 'string' },
  json: { type: 'boolean' },
  ...baseOptions,
  ...settingsOptions,
} as const;

/** Did the command line describe a run (anything beyond where to look and how to print)? */
function asksForRun(values: Record<string, unknown>, positionals: string[]): boolean {
  if (positionals.length > 0) return true;
  return [...Object.keys(baseOptions), ...Object.keys(settingsOptions)].some((k) => values[k] !== undefined);
}

/** The report for people: one block per finding, then what passed and what could not be checked. */
export function formatDoctorReport(r: DoctorReport): string {
  const where =
    r.source.kind === 'host'
      ? 'this machine'
      : r.source.kind === 'sysroot'
        ? `dump ${r.source.path}`
        : r.source.url;
  const out: string[] = [`Host doctor: ${where} (${r.checkedAt})`, ''];
  for (const f of r.checks) {
    out.push(`${f.severity.toUpperCase()} ${f.code}`, `  ${f.message}`);
    for (const e of f.evidence ?? []) {
      const [first, ...more] = e.value.split('\n');
      out.push(`  read: ${e.source}: ${first}`, ...more.map((l) => `        ${l}`));
    }
    if (f.fix) {
      out.push(`  fix: ${f.fix.label}`);
      if (f.fix.command) out.push(`    $ ${f.fix.command}`);
    }
    out.push('');
  }
  if (r.checks.length === 0) out.push('No problems found.', '');
  out.push(`Passed (${r.passed.length}):`);
  for (const p of r.passed)
    out.push(
      `  ${p.code}: ${p.message} [${p.evidence.map((e) => `${e.source}: ${e.value.split('\n')[0]}`).join('; ')}]`,
    );
  out.push(`Skipped (${r.skipped.length}):`);
  for (const s of r.skipped) out.push(`  ${s.code}: ${s.reason}`);
  const n = (sev: string) => r.checks.filter((c) => c.severity === sev).length;
  out.push(
    '',
    `${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info, ${r.passed.length} passed, ${r.skipped.length} skipped`,
  );
  return out.join('\n') + '\n';
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, DOCTOR_OPTIONS);
  const source = sourceFrom({ sysroot: values.sysroot, target: values.target });
  if (values.python !== undefined && values.python.trim() === '')
    throw new UsageError('--python needs the path of the interpreter that runs the workload');
  const opts: DoctorOptions = {};
  if (values.python !== undefined) opts.python = values.python;
  let topology: Topology | null;
  // `--target local` is this machine, as for every other subcommand.
  if (source.target !== undefined && !isRemote(parseTarget(source.target))) delete source.target;
  let close: (() => Promise<void>) | null = null;
  if (source.target !== undefined) {
    try {
      const target = await targetDoctorOptions(source.target, remoteContext(dataDir()));
      close = target.close;
      opts.target = target;
    } catch (e) {
      if (e instanceof TargetUrlError) throw new UsageError(e.message);
      process.stderr.write(`aio-tuner: doctor: cannot examine ${source.target}: ${(e as Error).message}\n`);
      return 1;
    }
    topology = opts.target.topology;
  } else {
    if (source.sysroot !== undefined) opts.sysroot = source.sysroot;
    topology = await loadTopology(source.sysroot !== undefined ? { sysroot: source.sysroot } : {});
    opts.topology = topology;
  }
  if (asksForRun(values, positionals)) {
    if (!topology)
      throw new UsageError("the run options need the machine's topology, which could not be read");
    const base = await baseSettings(values, topology);
    // No workload named: nothing to probe unless --python says which interpreter (not the default run.py's python3).
    const settings: RunSettings = settingsFromFlags(values, positionals, topology, base);
    if (positionals.length === 0 && !base) settings.workload = [];
    opts.settings = settings;
  }
  let report: DoctorReport;
  try {
    report = await runDoctor(opts);
  } finally {
    // A one-shot command lets go of the shared connection (a run going through it carries on).
    await close?.();
  }
  process.stdout.write(values.json ? outputText('doctor', report) : formatDoctorReport(report));
  return doctorHasError(report) ? 3 : 0;
}
