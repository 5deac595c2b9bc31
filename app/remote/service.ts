/**
 * The engine's view of targets: which one is active, its machine facts (probed once, reused), and how runs,
 * load sampling and bundles reach it. One instance per engine.
 */
import type { RemoteLaunch } from '../run/runner';
import { LoadSampler } from '../run/load';
import type { Topology } from '../shared/topology';
import { numactlStatus, type NumactlStatus } from '../system/numactl';
import { doctorTargetOf, targetDoctorOptions, type DoctorTarget } from './doctor';
import { RemoteError } from './errors';
import { closeMaster } from './exec';
import { quickCheck, remoteLaunch, type LaunchSpec } from './launch';
import { RemoteLoadSampler, type LoadSource } from './load';
import { originOf, probeTarget, type TargetFacts } from './remote-topology';
import { remoteResults } from './results';
import { remoteSession, remoteToolHost } from './tools';
import type { BundleRemote } from '../bundle/bundle';
import { recordTarget } from './dump';
import type { SweepRemote } from '../sweep/service';
import { remoteContext, type RemoteContext } from './ssh';
import { TargetStore } from './target-store';
import type { TargetCheck, TargetList } from '../shared/targets';

export type { TargetCheck } from '../shared/targets';
import {
  isRemote,
  LOCAL,
  parseTarget,
  sshHostOf,
  targetLabel,
  targetUrl,
  type RemoteTarget,
  type Target,
} from './url';

export class TargetService {
  readonly store: TargetStore;
  private ctxCache: RemoteContext | null = null;
  private active: Target = LOCAL;
  private facts: Promise<TargetFacts> | null = null;
  private readonly used = new Map<string, RemoteTarget>();

  constructor(private readonly dataDir: string) {
    this.store = new TargetStore(dataDir);
  }

  /** The SSH control directory is created on first remote use, not for every local-only engine. */
  get ctx(): RemoteContext {
    this.ctxCache ??= remoteContext(this.dataDir);
    return this.ctxCache;
  }

  /** Start on `url` (a CLI --target), or on the remembered active target when `restore` is set. */
  async init(url: string | undefined, restore: boolean): Promise<void> {
    await this.store.load();
    if (url !== undefined) this.setActive(parseTarget(url));
    else if (restore) {
      try {
        this.setActive(parseTarget(this.store.activeUrl()));
      } catch {
        this.setActive(LOCAL); // a hand-edited file with a bad URL: start on this machine
      }
    }
  }

  current(): Target {
    return this.active;
  }

  currentUrl(): string {
    return targetUrl(this.active);
  }

  isRemote(): boolean {
    return isRemote(this.active);
  }

  private setActive(t: Target): void {
    this.active = t;
    this.facts = null;
    if (isRemote(t)) this.used.set(targetUrl(t), t);
  }

  /**
   * Select (and remember) a target. A remote one is probed first: a target that cannot be reached is reported
   * and the previous one stays active, rather than leaving the app on a machine it cannot show.
   */
  async select(url: string): Promise<void> {
    const t = parseTarget(url);
    const prev = { active: this.active, facts: this.facts };
    this.setActive(t);
    try {
      if (isRemote(t)) await this.remoteFacts();
      await this.store.select(url);
    } catch (e) {
      this.active = prev.active;
      this.facts = prev.facts;
      throw e;
    }
  }

  list(): TargetList {
    const l = this.store.list();
    // The active target may come from --target without being stored.
    const url = this.currentUrl();
    return { ...l, active: url, targets: l.targets.map((e) => ({ ...e, active: e.url === url })) };
  }

  /** The active remote target's facts (probed once; a failed probe is retried on the next call). */
  remoteFacts(): Promise<TargetFacts> {
    const t = this.active;
    if (!isRemote(t)) return Promise.reject(new Error('this machine is not a remote target'));
    this.facts ??= probeTarget(t, this.ctx).catch((e: unknown) => {
      this.facts = null;
      throw e;
    });
    return this.facts;
  }

  async topology(): Promise<Topology> {
    return (await this.remoteFacts()).topology;
  }

  /** Forget cached facts, so the next topology request probes again (the "reload" button). */
  refresh(): void {
    this.facts = null;
  }

  /**
   * numactl where runs go: what the active target's probe found, or this host's. The one answer the checks,
   * `system.info` and support bundles use, so `--target` cannot judge binding on the wrong machine.
   */
  async numactl(): Promise<NumactlStatus> {
    if (!this.isRemote()) return numactlStatus();
    const path = (await this.remoteFacts()).tools.numactl ?? null;
    return { available: path !== null, path, version: null };
  }

  /** How a run reaches the active target, or undefined for this machine. */
  launcher(spec: LaunchSpec): RemoteLaunch | undefined {
    const t = this.active;
    return isRemote(t) ? remoteLaunch(t, this.ctx, spec) : undefined;
  }

  /** What a support bundle needs to run and collect on the active target, or undefined for this machine. */
  bundleRemote(): BundleRemote | undefined {
    const t = this.active;
    if (!isRemote(t)) return undefined;
    return {
      url: originOf(t),
      launch: (spec) => remoteLaunch(t, this.ctx, spec),
      host: remoteToolHost(t, this.ctx),
      session: () => remoteSession(t, this.ctx),
      sysfs: async () => (await recordTarget(t, this.ctx)).tree,
    };
  }

  /** What a sweep needs from the active target (its name, its RESULTS_DIRs), or undefined for this machine. */
  async sweepRemote(): Promise<SweepRemote | undefined> {
    const t = this.active;
    if (!isRemote(t)) return undefined;
    const facts = await this.remoteFacts();
    return {
      url: this.currentUrl(),
      hostname: facts.nodename ?? originOf(t),
      results: remoteResults(t, this.ctx),
    };
  }

  loadSource(): LoadSource {
    const t = this.active;
    return isRemote(t) ? new RemoteLoadSampler(t, this.ctx) : new LoadSampler({ root: '/' });
  }

  /**
   * What the host doctor needs to examine a target: `url`, or the active target when absent (the machine runs
   * go to; its probed facts are reused, so the doctor and the map describe the same machine). Null when that is
   * this machine. RemoteError when the target cannot be reached.
   */
  async doctorTarget(url?: string): Promise<DoctorTarget | null> {
    const t = url === undefined ? this.active : parseTarget(url);
    if (!isRemote(t)) return null;
    if (targetUrl(t) === this.currentUrl()) return doctorTargetOf(t, this.ctx, await this.remoteFacts());
    // Another target: its connection is closed with the others on dispose.
    this.used.set(targetUrl(t), t);
    const { close: _close, ...target } = await targetDoctorOptions(targetUrl(t), this.ctx);
    return target;
  }

  /** Log in and describe the target, without changing the active one (the UI's "Test" button). */
  async test(url: string): Promise<TargetCheck> {
    let t: Target;
    try {
      t = parseTarget(url);
    } catch (e) {
      return { url, ok: false, message: (e as Error).message, code: 'bad-url' };
    }
    const canonical = targetUrl(t);
    if (!isRemote(t)) return { url: canonical, ok: true, message: 'this machine: always available' };
    this.used.set(canonical, t);
    try {
      const uname = await quickCheck(t, this.ctx);
      const f = await probeTarget(t, this.ctx);
      const cpus = f.topology.cpus.length;
      const missing = ['numactl', 'python3'].filter((k) => !f.tools[k]);
      const note = missing.length ? `; not found there: ${missing.join(', ')}` : '';
      return {
        url: canonical,
        ok: true,
        message: `${targetLabel(t)}: ${f.topology.model ?? 'unknown CPU'}, ${cpus} CPUs (${uname})${note}`,
        uname,
        model: f.topology.model,
        cpus,
        tools: f.tools,
      };
    } catch (e) {
      if (e instanceof RemoteError)
        return { url: canonical, ok: false, message: e.message, code: e.code, detail: e.detail };
      return { url: canonical, ok: false, message: (e as Error).message, code: 'failed' };
    }
  }

  /** Close the master connections this engine opened (quit, CLI exit), so no ssh lingers for ControlPersist. */
  async dispose(): Promise<void> {
    const hosts = new Map<string, RemoteTarget>();
    for (const t of this.used.values()) {
      const ssh = sshHostOf(t);
      if (ssh) hosts.set(targetUrl(ssh), t);
    }
    if (!this.ctxCache) return;
    await Promise.all([...hosts.values()].map((t) => closeMaster(t, this.ctx)));
  }
}
