/**
 * App-wide state: the topology being shown, the run settings being edited (selection included), and the
 * engine's built command for them. Components read and patch it through `useApp()`.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { Topology } from '../../app/shared/topology';
import type { BuiltCommand, RunSettings } from '../../app/shared/command';
import type { RunInfo, SystemInfo } from '../../app/shared/contract';
import { call, on, onDisconnect } from './api';
import { buildMapTree, type MapTree } from './map/model';
import { isUsable, orderSelection } from './map/selection';
import { useRecordNotices } from './common/useRecordNotices';

export type SettingsPatch = Partial<Omit<RunSettings, 'env'>> & { env?: Record<string, string | null> };

export function applyPatch(s: RunSettings, patch: SettingsPatch): RunSettings {
  const { env, ...rest } = patch;
  const next: RunSettings = { ...s, ...rest };
  if (env) {
    const merged: Record<string, string | null> = { ...s.env };
    for (const [k, v] of Object.entries(env)) merged[k] = v;
    next.env = merged;
  }
  return next;
}

/** A key removed entirely (neither a value nor an explicit unset). */
export function clearEnvKey(s: RunSettings, key: string): RunSettings {
  const env = { ...s.env };
  delete env[key];
  return { ...s, env };
}

interface AppState {
  system: SystemInfo | null;
  topology: Topology | null;
  /** The map's display tree for `topology`. */
  tree: MapTree | null;
  /** Show another machine (import, back to host): drops selected CPUs and nodes the new one cannot use. */
  setTopology(t: Topology): void;
  settings: RunSettings;
  setSettings(s: RunSettings): void;
  patch(p: SettingsPatch): void;
  /** Replace the selection; kept ascending by (node, id), the order numactl and AIO_NUMA_CPUS use. */
  selectCpus(ids: number[]): void;
  /** Picking takes all SMT threads of a core instead of the first one. */
  withSiblings: boolean;
  setWithSiblings(v: boolean): void;
  /** Last picking message (why a CPU could not be taken, what a drag took…). */
  status: string;
  setStatus(msg: string): void;
  /**
   * The engine's command for what the preview shows: the running run's settings while one runs (so preview and
   * checks describe what is running), else the form's. Null until the engine has answered.
   */
  built: BuiltCommand | null;
  buildError: string | null;
  /** The run going on the engine (started here, in another tab or before a reload), or null. */
  activeRun: RunInfo | null;
  error: string | null;
  setError(e: string | null): void;
  /**
   * Fields whose text is invalid (shown in red) while the settings still hold the last valid value: Start must
   * not run that older value, so these block it, each with its reason.
   */
  problems: FieldProblem[];
  setProblem(field: string, message: string | null): void;
}

export interface FieldProblem {
  /** The field's label as the user sees it ("CPU list"). */
  field: string;
  message: string;
}

const Ctx = createContext<AppState | null>(null);

export function AppProvider({ initial, children }: { initial: RunSettings; children: ReactNode }) {
  const [system, setSystem] = useState<SystemInfo | null>(null);
  const [topology, setTopologyState] = useState<Topology | null>(null);
  const [settings, setSettings] = useState<RunSettings>(initial);
  const [built, setBuilt] = useState<BuiltCommand | null>(null);
  const [buildError, setBuildError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [withSiblings, setWithSiblings] = useState(false);
  const [status, setStatus] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const seq = useRef(0);

  const setProblem = useCallback((field: string, message: string | null) => {
    setProblems((ps) => {
      const rest = ps.filter((p) => p.field !== field);
      if (message === null) return rest.length === ps.length ? ps : rest;
      const same = ps.find((p) => p.field === field)?.message === message;
      return same ? ps : [...rest, { field, message }];
    });
  }, []);

  const tree = useMemo(() => (topology ? buildMapTree(topology) : null), [topology]);

  // Nothing is built or saved before the machine, the example and the saved form are in: the placeholder
  // settings would otherwise flash in the preview and could overwrite the saved form.
  const [ready, setReady] = useState(false);
  const runs = useRunningRuns();
  const activeRun = runs.at(-1) ?? null;
  useRecordNotices(setError);

  useEffect(() => {
    void (async () => {
      try {
        const [sys, topo, draft] = await Promise.all([
          call('system.info', {}),
          call('topology.get', {}),
          call('draft.get', { reload: shownBefore() }),
        ]);
        setSystem(sys);
        // Read by `npm run bench` (bench/browser.bench.ts): the map's first render is timed from here.
        performance.mark('aio:topology-arrived');
        setTopologyState(topo);
        if (draft.problem) setError(draft.problem);
        if (draft.settings) setSettings(fitToTopology(draft.settings, topo));
        else
          setSettings((s) =>
            s.workload.length === 0 || isDefaultWorkload(s.workload)
              ? { ...s, workload: sys.exampleWorkload }
              : s,
          );
        setReady(true);
      } catch (e) {
        setError((e as Error).message);
      }
    })();
  }, []);

  // Browser mode: the server went away (stopped, the machine restarted). Live logs and the load overlay would
  // otherwise freeze without a word; a restarted server has a new token, hence its new URL.
  useEffect(
    () =>
      onDisconnect(() =>
        setError(
          'The connection to the AIO Tuner server closed. Start `aio-tuner serve` again and open the URL it prints.',
        ),
      ),
    [],
  );

  // Every edit is kept engine-side (it coalesces bursts), so a reload or restart finds the form as left.
  useEffect(() => {
    if (!ready) return;
    call('draft.set', { settings }).catch((e: Error) =>
      setError(`the form could not be saved: ${e.message}`),
    );
  }, [ready, settings]);

  const shown = activeRun?.settings ?? settings;
  // Rebuild on every change; the sequence number drops answers that arrive out of order.
  useEffect(() => {
    if (!ready) return;
    const my = ++seq.current;
    call('command.build', { settings: shown })
      .then((b) => {
        if (my === seq.current) {
          setBuilt(b);
          setBuildError(null);
        }
      })
      .catch((e: Error) => {
        if (my === seq.current) setBuildError(e.message);
      });
  }, [ready, shown, topology]);

  const patch = useCallback((p: SettingsPatch) => setSettings((s) => applyPatch(s, p)), []);

  const selectCpus = useCallback(
    (ids: number[]) => {
      if (!tree) return;
      // Map order, each CPU once; a repeat the user typed is kept after them so cpus-duplicate can report it.
      const seen = new Set<number>();
      const repeats = ids.filter((id) => seen.has(id) || !seen.add(id));
      setSettings((s) => ({ ...s, cpus: [...orderSelection(tree, ids), ...repeats] }));
    },
    [tree],
  );

  const setTopology = useCallback((t: Topology) => {
    setTopologyState(t);
    setStatus('');
    setSettings((s) => fitToTopology(s, t));
  }, []);

  const value = useMemo<AppState>(
    () => ({
      system,
      topology,
      tree,
      setTopology,
      settings,
      setSettings,
      patch,
      selectCpus,
      withSiblings,
      setWithSiblings,
      status,
      setStatus,
      built,
      buildError,
      activeRun,
      error,
      setError,
      problems,
      setProblem,
    }),
    [
      problems,
      setProblem,
      system,
      topology,
      tree,
      setTopology,
      settings,
      patch,
      selectCpus,
      withSiblings,
      status,
      built,
      buildError,
      activeRun,
      error,
    ],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** Settings made for another machine (a saved form, an import) keep only the CPUs and nodes this one can use. */
export function fitToTopology(s: RunSettings, t: Topology): RunSettings {
  const tree = buildMapTree(t);
  const nodeIds = new Set(t.nodes.map((n) => n.id));
  return {
    ...s,
    cpus: orderSelection(
      tree,
      s.cpus.filter((id) => isUsable(tree.byId.get(id))),
    ),
    memNodes: s.memNodes === null ? null : s.memNodes.filter((n) => nodeIds.has(n)),
  };
}

/** Runs going on the engine, oldest first: from run.list at start, then run.started / run.exit events. */
function useRunningRuns(): RunInfo[] {
  const [runs, setRuns] = useState<RunInfo[]>([]);
  useEffect(() => {
    const exited = new Set<string>();
    const add = (r: RunInfo) =>
      setRuns((rs) => (exited.has(r.runId) || rs.some((x) => x.runId === r.runId) ? rs : [...rs, r]));
    const offStart = on('run.started', add);
    const offExit = on('run.exit', (r) => {
      exited.add(r.runId);
      setRuns((rs) => rs.filter((x) => x.runId !== r.runId));
    });
    call('run.list', {})
      .then((rs) => rs.filter((r) => r.state === 'running').forEach(add))
      .catch(() => undefined);
    return () => {
      offStart();
      offExit();
    };
  }, []);
  return runs;
}

const SHOWN_KEY = 'aio-tuner-form-shown';

/** Whether this tab showed the form before (sessionStorage survives a reload, not a new tab). */
function shownBefore(): boolean {
  try {
    const before = sessionStorage.getItem(SHOWN_KEY) !== null;
    sessionStorage.setItem(SHOWN_KEY, '1');
    return before;
  } catch {
    return false;
  }
}

function isDefaultWorkload(w: string[]): boolean {
  return w.join(' ') === 'python3 run.py -p fp32';
}

/** Report this field's problem (null: none) for as long as the field is shown. */
export function useFieldProblem(field: string, message: string | null): void {
  const { setProblem } = useApp();
  useEffect(() => {
    setProblem(field, message);
    return () => setProblem(field, null);
  }, [field, message, setProblem]);
}

export function useApp(): AppState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useApp outside AppProvider');
  return v;
}
