/**
 * Runs sweeps: one point at a time (measurements side by side would disturb each other), each through the
 * RunManager, with the record saved after every row and progress pushed as events. One sweep at a time.
 * A record write that fails is reported (`record.unsaved`) and never ends the sweep: the record stays in memory
 * and each later write (the next row, the next sweep, the engine stopping) tries again.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { Topology } from '../shared/topology';
import type { BuiltCommand, RunSettings } from '../shared/command';
import { hostFindingsOf, type RunManager } from '../run/manager';
import type { Finding } from '../shared/findings';
import type { ApiEvents } from '../shared/contract';
import { ConnectionLostError, SweepError } from './errors';
import { SweepFiles } from './store';
import { whyNotWritten } from '../util/atomic';
import { instanceSettings, planSweep, pointSummary, withoutMeasurementVars, type Plan } from './plan';
import { measurePoint, preparePoint, skippedRow } from './measure';
import type { RemoteResults } from './procs';
import { analyzeSweep, recordOptions } from '../shared/recommend';
import { aioOnlyVariants, customVariantProblem, isBuiltin } from '../shared/variants';
import type { HostInfo, RowCheck, SweepPoint, SweepRecord, SweepRow, SweepSpec } from '../shared/sweep';
import { pointsToResume, stableSkip, untilStableNote } from './repeat';

export type SweepEmit = <E extends 'sweep.started' | 'sweep.progress' | 'sweep.done' | 'record.unsaved'>(
  event: E,
  data: ApiEvents[E],
) => void;

export interface SweepDeps {
  home: string;
  runs: RunManager;
  getTopology(): Promise<Topology>;
  buildFor(s: RunSettings): Promise<BuiltCommand>;
  emit: SweepEmit;
  /** The remote target runs go to (app/remote), or undefined on this machine. */
  remote?(): Promise<SweepRemote | undefined>;
}

/** A remote target as a sweep sees it: what to tag the record with, and where RESULTS_DIRs live. */
export interface SweepRemote {
  /** Canonical URL, the tag its runs carry. */
  url: string;
  /** The target machine's own name (`uname -n`), else its URL without private options. */
  hostname: string;
  results: RemoteResults;
}

interface Active {
  record: SweepRecord;
  cancelled: boolean;
  current: string[];
  done: Promise<SweepRecord>;
}

export function hostInfo(t: Topology, remote?: Pick<SweepRemote, 'url' | 'hostname'>): HostInfo {
  return {
    hostname: remote ? remote.hostname : hostname(),
    ...(remote ? { target: remote.url } : {}),
    model: t.model,
    arch: t.arch,
    cpus: t.cpus.filter((c) => c.online).length,
    nodes: t.nodes.length,
  };
}

export class SweepService {
  readonly files: SweepFiles;
  private active: Active | null = null;
  /** Sweeps (the running one too) whose latest record could not be written, with why: memory holds them. */
  private readonly unsaved = new Map<string, { record: SweepRecord; problem: string }>();

  constructor(private readonly deps: SweepDeps) {
    this.files = new SweepFiles(join(deps.home, 'sweeps'));
  }

  /** Check a spec and expand it, without running anything (the builder's "N runs" preview). */
  async plan(spec: SweepSpec): Promise<Plan> {
    for (const c of spec.customVariants) {
      const problem = customVariantProblem(c);
      if (problem) throw new SweepError(problem, 'bad-request');
    }
    for (const v of spec.variants)
      if (!isBuiltin(v) && !spec.customVariants.some((c) => c.name === v))
        throw new SweepError(
          `unknown variant "${v}": define it or use fp32, fp16, int8, int8-fc, off`,
          'bad-request',
        );
    // Said by the engine, not only by the CLI: the UI's sweep form gets the same refusal before any run.
    const aio = spec.settings.engine === 'onednn' ? aioOnlyVariants(spec.variants) : [];
    if (aio.length > 0)
      throw new SweepError(
        `variants ${aio.join(', ')} set AIO_* variables, which the onednn engine (stock PyTorch) does not read: ` +
          'leave them out, or define variants of its own, e.g. bf16: DNNL_DEFAULT_FPMATH_MODE=BF16',
        'bad-request',
      );
    return planSweep(spec, await this.deps.getTopology());
  }

  isRunning(id?: string): boolean {
    return this.active !== null && (id === undefined || this.active.record.sweepId === id);
  }

  /** The record in memory when it is fresher than its file: the running sweep's, or one not saved yet. */
  live(id: string): SweepRecord | null {
    if (this.active?.record.sweepId === id) return this.active.record;
    return this.unsaved.get(id)?.record ?? null;
  }

  /** Why the sweep's latest record is not on disk (kept in memory only), or null when it is saved. */
  saveProblem(id: string): string | null {
    return this.unsaved.get(id)?.problem ?? null;
  }

  /** Records kept in memory only, because their file could not be written. */
  unsavedRecords(): SweepRecord[] {
    return [...this.unsaved.values()].map((u) => u.record);
  }

  /** Write the record; a failure is reported and remembered, never thrown (the sweep goes on). */
  private async persist(r: SweepRecord): Promise<void> {
    try {
      await this.files.save(r);
      if (this.unsaved.delete(r.sweepId))
        this.deps.emit('record.unsaved', { kind: 'sweep', id: r.sweepId, problem: null });
    } catch (e) {
      const problem = `${this.files.fileOf(r.sweepId)} could not be saved: ${whyNotWritten(e)}`;
      // Said once when it starts failing (and once when it is saved again), not after every row.
      const news = !this.unsaved.has(r.sweepId);
      this.unsaved.set(r.sweepId, { record: r, problem });
      if (news) this.deps.emit('record.unsaved', { kind: 'sweep', id: r.sweepId, problem });
    }
  }

  /** Try again to write every record that could not be saved. */
  async retryUnsaved(): Promise<void> {
    for (const { record } of [...this.unsaved.values()])
      if (record !== this.active?.record) await this.persist(record);
  }

  /** Drop a deleted sweep from memory (history removed its file): an unsaved record is not written back. */
  forget(id: string): void {
    if (this.unsaved.delete(id)) this.deps.emit('record.unsaved', { kind: 'sweep', id, problem: null });
  }

  /**
   * Validate, save and launch; returns the record at once (rows arrive as `sweep.progress`). A run that cannot
   * start (no numactl, workload not found: decided by the RunManager, which knows where runs go) ends the sweep
   * as failed with that reason instead of producing N identical failed rows.
   */
  async start(spec: SweepSpec): Promise<SweepRecord> {
    if (this.active) throw new SweepError(`sweep ${this.active.record.sweepId} is still running`, 'busy');
    const plan = await this.plan(spec);
    if (plan.points.length === 0)
      throw new SweepError(`nothing to run: ${plan.skipped[0] ?? 'the sweep has no points'}`, 'bad-request');
    const t = await this.deps.getTopology();
    // Fixed for the whole sweep, like the topology: every point measures on the machine the record names.
    const remote = await this.deps.remote?.();

    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const record: SweepRecord = {
      sweepId: `${stamp}-${randomUUID().slice(0, 6)}`,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      state: 'running',
      spec,
      host: hostInfo(t, remote),
      planned: plan.points.length,
      skipped: plan.skipped,
      notes: plan.notes,
      rows: [],
      configs: [],
      best: analyzeSweep([], { budgetMs: spec.latencyBudgetMs ?? null }).best,
      findings: [],
    };
    // The first write is not retried: a sweep that cannot be recorded is refused before anything runs.
    await this.files.save(record);
    const active: Active = { record, cancelled: false, current: [], done: Promise.resolve(record) };
    this.active = active;
    // That write landed: a good moment to try again what could not be saved (never throws).
    await this.retryUnsaved();
    this.deps.emit('sweep.started', record);
    active.done = this.loop(active, plan.points, t, remote).finally(() => {
      if (this.active === active) this.active = null;
      this.hostFindings.delete(active.record.sweepId);
    });
    return record;
  }

  /** Configurations, cards and findings from the rows so far (after every row, and once at the end). */
  private refresh(r: SweepRecord): void {
    const a = analyzeSweep(r.rows, { ...recordOptions(r), budgetMs: r.spec.latencyBudgetMs ?? null });
    r.configs = a.configs;
    r.best = a.best;
    // The host doctor's findings lead the sweep's own: said once for the sweep, not on each of its rows.
    r.findings = [...(this.hostFindings.get(r.sweepId) ?? []), ...a.findings];
  }

  /** Per sweep going on in this engine: the host doctor's error and warning findings, made before its first point. */
  private readonly hostFindings = new Map<string, Finding[]>();

  /**
   * The Ampere engine probe, once per sweep before the first point: with the first point's interpreter,
   * environment and directory. A probe that fails is no reason to refuse the sweep: the engine is then unknown.
   */
  private async probe(r: SweepRecord, first: SweepPoint | undefined, t: Topology): Promise<void> {
    if (!first) return;
    try {
      const s = withoutMeasurementVars(instanceSettings(r.spec, t, first, null)[0]!);
      const built = await this.deps.buildFor(s);
      // The host doctor (issue 14) beside the probe: the machine the sweep measures on, for its first point.
      const [engine, doctor] = await Promise.all([
        this.deps.runs.probeEngine(s, built),
        this.deps.runs.examineHost(s, built),
      ]);
      r.engine = engine;
      this.hostFindings.set(r.sweepId, hostFindingsOf(doctor));
    } catch {
      r.engine = null;
    }
  }

  private async loop(
    a: Active,
    points: SweepPoint[],
    t: Topology,
    remote?: SweepRemote,
  ): Promise<SweepRecord> {
    const r = a.record;
    const t0 = performance.now();
    // Rows already there (a resumed sweep) count as done; `planned` shrinks when --until-stable skips repeats.
    const before = r.rows.length;
    let stableSkipped = 0;
    const plannedAtStart = r.planned;
    const progress = (row?: SweepRow, next?: SweepPoint, checks?: RowCheck[]) => {
      const elapsedMs = Math.round(performance.now() - t0);
      const i = r.rows.length;
      const doneHere = i - before;
      const n = Math.max(r.planned, i);
      this.deps.emit('sweep.progress', {
        sweepId: r.sweepId,
        i,
        n,
        elapsedMs,
        // The average point so far predicts the rest; the first point also pays one-off costs (page cache).
        etaMs: doneHere > 0 ? Math.round((elapsedMs / doneHere) * (n - i)) : null,
        current: next && !a.cancelled ? pointSummary(next) : null,
        ...(row ? { row } : {}),
        ...(checks?.length ? { checks } : {}),
      });
    };
    try {
      await this.probe(r, points[0], t);
      this.refresh(r);
      for (const p of points) {
        if (a.cancelled) break;
        // --until-stable: a configuration whose last two repetitions agree needs no more of them.
        if (
          r.spec.untilStablePct !== undefined &&
          stableSkip(r.rows, p, r.spec.untilStablePct, r.spec.metric)
        ) {
          stableSkipped++;
          r.planned = plannedAtStart - stableSkipped;
          r.notes = untilStableNote(r.notes ?? [], r.spec.untilStablePct, stableSkipped, plannedAtStart);
          continue;
        }
        const ctx = {
          runs: this.deps.runs,
          build: (s: RunSettings) => this.deps.buildFor(s),
          topology: t,
          ...(remote ? { remote: remote.results } : {}),
          timeoutMs: r.spec.timeoutS ? r.spec.timeoutS * 1000 : undefined,
          start: { sweepId: r.sweepId, ...(r.engine !== undefined ? { engine: r.engine } : {}) },
          onStarted: (ids: string[]) => {
            a.current = ids;
            // A cancel that arrived while the runs were starting must still reach them.
            if (a.cancelled) for (const id of ids) void this.deps.runs.stop(id).catch(() => undefined);
          },
        };
        const prep = await preparePoint(ctx, r.spec, p);
        progress(undefined, p, prep.checks);
        // A point that cannot bind here is particular to its CPUs: skip it with the reason, measure the rest.
        const row = prep.bindProblem
          ? skippedRow(p, prep, prep.bindProblem)
          : await measurePoint(ctx, r.spec, p, join(this.files.dataDirOf(r.sweepId), `p${p.index}`), prep);
        a.current = [];
        // The interrupted point measured only part of a run: it is not a result.
        if (a.cancelled) break;
        r.rows.push(row);
        this.refresh(r);
        await this.persist(r);
        progress(row);
      }
      r.state = a.cancelled ? 'cancelled' : 'done';
    } catch (e) {
      // A lost link to the target interrupts the sweep like Ctrl-C: finished rows stay, --resume continues.
      r.state = e instanceof ConnectionLostError ? 'cancelled' : 'failed';
      r.error = (e as Error).message;
    }
    this.refresh(r);
    r.finishedAt = new Date().toISOString();
    await this.persist(r);
    progress();
    this.deps.emit('sweep.done', r);
    return r;
  }

  /**
   * Continue an interrupted sweep (Ctrl-C, hang-up, a process that died): re-plan its spec on the current
   * topology and run only the points whose configuration × repetition has no finished row, appending to the
   * same record. A sweep running in this process is refused; one left "running" by a dead process is not.
   */
  async resume(id: string): Promise<SweepRecord> {
    if (this.active?.record.sweepId === id) throw new SweepError(`sweep ${id} is running`, 'busy');
    if (this.active) throw new SweepError(`sweep ${this.active.record.sweepId} is still running`, 'busy');
    const record = await this.get(id);
    const remote = await this.deps.remote?.();
    if ((record.host.target ?? null) !== (remote?.url ?? null))
      throw new SweepError(
        `sweep ${id} ran on ${record.host.target ?? 'this machine'}: resume it there (now: ${remote?.url ?? 'this machine'})`,
        'bad-request',
      );
    const plan = await this.plan(record.spec);
    const t = await this.deps.getTopology();
    const { points, keep } = pointsToResume(plan.points, record.rows);
    if (points.length === 0)
      throw new SweepError(`nothing to resume: every point of sweep ${id} has a finished row`, 'bad-request');
    // Rows of points about to run again (never finished) are replaced by their new run.
    record.rows = keep;
    record.planned = plan.points.length;
    record.skipped = plan.skipped;
    record.notes = plan.notes;
    record.state = 'running';
    record.finishedAt = null;
    delete record.error;
    record.resumedAt = [...(record.resumedAt ?? []), new Date().toISOString()];
    await this.files.save(record);
    if (this.unsaved.delete(id)) this.deps.emit('record.unsaved', { kind: 'sweep', id, problem: null });
    const active: Active = { record, cancelled: false, current: [], done: Promise.resolve(record) };
    this.active = active;
    this.deps.emit('sweep.started', record);
    active.done = this.loop(active, points, t, remote).finally(() => {
      if (this.active === active) this.active = null;
      this.hostFindings.delete(active.record.sweepId);
    });
    return record;
  }

  /** Stop the current run(s) and end the sweep; finished rows stay. Resolves with the final record. */
  async cancel(id: string): Promise<SweepRecord> {
    const a = this.active;
    if (!a || a.record.sweepId !== id) {
      const saved = this.live(id) ?? (await this.files.load(id).catch(() => null));
      if (saved) return saved;
      throw new SweepError(`no sweep "${id}"`, 'not-found');
    }
    a.cancelled = true;
    await Promise.all(a.current.map((rid) => this.deps.runs.stop(rid).catch(() => undefined)));
    return a.done;
  }

  /** Cancel the running sweep (the engine is stopping), then try once more to save what could not be. */
  async cancelAll(): Promise<void> {
    if (this.active) await this.cancel(this.active.record.sweepId);
    await this.retryUnsaved();
  }

  /** Resolves when the sweep has ended (at once for a saved one). */
  async wait(id: string): Promise<SweepRecord> {
    if (this.active?.record.sweepId === id) return this.active.done;
    return this.get(id);
  }

  async get(id: string): Promise<SweepRecord> {
    const live = this.live(id);
    if (live) return live;
    try {
      return await this.files.load(id);
    } catch (e) {
      throw new SweepError((e as Error).message, 'not-found');
    }
  }
}
