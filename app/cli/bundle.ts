/**
 * `aio-tuner bundle`: run the settings again at AIO_DEBUG_MODE=4 (or take a saved run's log) and write one
 * .tar.gz for support. Exit 0 whenever the bundle was written, even when the workload failed: capturing a
 * failing run is the point. A saved run is described by its own run.json when its folder has one; only a plain
 * log needs the workload (and settings) typed after it.
 */
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, sourceOptions, settingsOptions, settingsFromFlags, intFlag, UsageError } from './args';
import { sourceFrom } from './topology';
import { formatBytes } from '../shared/units';
import {
  bundleOutProblem,
  fromRunInfo,
  PatternError,
  readSavedRun,
  Redactor,
  SavedRunError,
  type FromRun,
  type SavedRunFiles,
} from '../bundle';
import { untilDone } from './interrupt';
import { RunTicker } from './ticker';
import { LOG_MAGIC, detectFormat } from '../logs';
import { Engine } from '../api/engine';
import { LOCAL_URL } from '../remote/url';
import { outputText } from '../util/records';

/** When the saved run started, from the header AIO Tuner writes at the top of every run log. */
async function logStart(path: string): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new UsageError(
      `--from-run: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  try {
    const buf = Buffer.alloc(200);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.toString('utf8', 0, bytesRead);
    // Either version's header (same length): `# aio-tuner log vN <ISO start> …`.
    if (detectFormat(buf.subarray(0, bytesRead)) === 'tuner') {
      const iso = head.slice(LOG_MAGIC.length).trim().split(/\s/)[0];
      if (iso && !Number.isNaN(Date.parse(iso))) return iso;
    }
    return (await fh.stat()).mtime.toISOString() + ' (file time: the log has no start time)';
  } finally {
    await fh.close();
  }
}

const BUNDLE_OPTIONS = {
  ...sourceOptions,
  ...settingsOptions,
  out: { type: 'string' },
  redact: { type: 'string', multiple: true },
  'from-run': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;
type BundleValues = ReturnType<typeof parse<typeof BUNDLE_OPTIONS>>['values'];

/** `--from-run PATH`: the log and, when its folder has one, the run.json describing it. */
async function savedRunFrom(path: string): Promise<SavedRunFiles> {
  if (path === '') throw new UsageError("--from-run needs the saved run's log file (or its folder)");
  try {
    return await readSavedRun(path);
  } catch (e) {
    if (e instanceof SavedRunError) throw new UsageError(`--from-run: ${e.message}`);
    throw e;
  }
}

export async function bundleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, BUNDLE_OPTIONS);
  const saved = values['from-run'] !== undefined ? await savedRunFrom(values['from-run']) : null;
  if (positionals.length === 0 && !saved?.run) {
    throw new UsageError(
      saved
        ? `missing workload: ${saved.ignored ?? `no run.json next to ${saved.logFile} says what ran`}; put the command the run used after --, e.g. -- python3 run.py -p fp32`
        : 'missing workload: put it after --, e.g. -- python3 run.py -p fp32',
    );
  }
  if (saved?.run) {
    // run.json is what really ran: flags typed now would describe another command, so they do not apply.
    const typed = Object.keys(settingsOptions)
      .filter((k) => values[k as keyof BundleValues] !== undefined)
      .map((k) => '--' + k);
    if (positionals.length) typed.push('the workload after --');
    if (typed.length)
      process.stderr.write(
        `aio-tuner: note: --from-run uses the saved run's settings and command (${join(dirname(saved.logFile), 'run.json')}); ignored: ${typed.join(', ')}\n`,
      );
    if (saved.run.state !== 'exited')
      process.stderr.write(
        'aio-tuner: note: run.json says that run had not ended (still going, or the app ended during it): its outcome is unknown and its log is bundled as it is now\n',
      );
  } else if (saved?.ignored) {
    process.stderr.write(`aio-tuner: note: ${saved.ignored}: bundling it as a plain log\n`);
  }
  const patterns = values.redact ?? [];
  try {
    new Redactor({ patterns });
  } catch (e) {
    if (e instanceof PatternError) throw new UsageError(`--redact: ${e.message}`);
    throw e;
  }
  const timeoutS = intFlag('timeout', values.timeout, 1);
  // Refused before the (possibly long) run, not after it.
  const outProblem = bundleOutProblem(values.out);
  if (outProblem) throw new UsageError(`--out ${values.out}: ${outProblem}`);
  // With --target the run and the system files come from the target; the bundle is written here.
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  try {
    return await bundleOn(engine, values, positionals, patterns, timeoutS, saved);
  } finally {
    await engine.dispose();
  }
}

async function bundleOn(
  engine: Engine,
  values: BundleValues,
  positionals: string[],
  patterns: string[],
  timeoutS: number | undefined,
  saved: SavedRunFiles | null,
): Promise<number> {
  const topology = await engine.getTopology();
  const here = engine.targets.currentUrl();
  let fromRun: FromRun | undefined;
  if (saved?.run) {
    fromRun = fromRunInfo(saved.run, saved.logFile);
    const ranOn = saved.run.target ?? LOCAL_URL;
    if (ranOn !== here)
      process.stderr.write(
        `aio-tuner: note: run ${saved.run.runId} ran on ${ranOn === LOCAL_URL ? 'this machine' : ranOn}; the system files describe ${here === LOCAL_URL ? 'this machine' : here}${ranOn === LOCAL_URL ? '' : ` (add --target ${ranOn} to describe that one)`}\n`,
      );
  } else if (saved) {
    // A plain log says nothing of how it ran: the flags typed now stand for its command.
    const typed = settingsFromFlags(values, positionals, topology);
    fromRun = {
      logFile: saved.logFile,
      settings: typed,
      result: null,
      startedAt: await logStart(saved.logFile),
    };
  }
  const settings = fromRun ? undefined : settingsFromFlags(values, positionals, topology);

  // Progress goes to stderr so stdout stays the result (or the JSON).
  const ticker = new RunTicker(process.stderr);
  const unsubscribe = engine.subscribe((event, data) => {
    if (event !== 'bundle.progress') return;
    const { stage, detail } = data as { stage: string; detail?: string };
    const lines = stage === 'run' && detail ? /^(\d+) lines/.exec(detail) : null;
    if (lines) return ticker.lines(Number(lines[1]));
    ticker.end();
    process.stderr.write(`[${stage}] ${detail ?? ''}\n`);
    if (stage === 'run') ticker.start();
  });
  // Ctrl-C stops the level-4 run (its whole process group); the bundle is still written with what it printed.
  const abort = new AbortController();
  const { result, interrupted } = await untilDone(
    'stopping the run; the bundle is still written with what it captured…',
    () => abort.abort(),
    engine.bundles
      .make({
        signal: abort.signal,
        settings,
        fromRun,
        out: values.out,
        redact: patterns,
        timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
      })
      .finally(unsubscribe),
  );

  ticker.end();
  if (values.json) {
    const { path, sizeBytes, note, files } = result;
    process.stdout.write(outputText('bundle', { path, sizeBytes, note, files }));
  } else {
    process.stdout.write(
      `${result.path}\n${formatBytes(result.sizeBytes)} (${result.sizeBytes} bytes), ${result.files.length} files\n`,
    );
  }
  if (fromRun?.runId) {
    const level =
      fromRun.debugMode === 4
        ? ''
        : ` (it was not at AIO_DEBUG_MODE=4: level ${fromRun.debugMode ?? 'unset'})`;
    process.stderr.write(
      `made from saved run ${fromRun.runId}, not re-run${level}; outcome: ${result.outcome}\n`,
    );
  } else if (fromRun) {
    process.stderr.write('made from the saved log, not re-run; its outcome is not recorded in the log\n');
  } else if (result.workloadFailed) {
    process.stderr.write(
      `note: the workload ${result.outcome}; the bundle was written and holds its output\n`,
    );
  }
  return interrupted || 0;
}
