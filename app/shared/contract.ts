/**
 * The contract between the UI and the engine, as plain types: what each method takes and returns, and the events
 * the engine pushes. The renderer and the engine both import it, so it imports neither Node nor the DOM nor zod
 * (the renderer bundle stays free of the engine's validation); app/api/contract.ts holds the zod schemas that
 * check params engine-side and fails `tsc` when they stop matching `ApiRequests`.
 */
import type { BuiltCommand, Engine, RunSettings } from './command';
import type { ExportFile, HistoryDetail, HistoryList, RunComparison } from './history';
import type { SweepProgress, SweepRecord, SweepPoint, SweepSpec } from './sweep';
import type { TargetCheck, TargetList } from './targets';
import type { Topology } from './topology';
import type { Level, LogLine, RunInfo } from './run';
import type { VariableInfo } from './variables';
import type { LivePlacement } from './proof';
import type { DoctorReport } from './doctor';
import type { InputDtype, OpsReport } from './ops';

export * from './run';

/** The variable catalogue's entries, as app/shared/variables.ts defines them (one definition). */
export type { VariableInfo };

/** A run of this tool that is using CPUs now (`cpus.held`, the `cpus-in-use` finding). */
export interface HeldCpus {
  runId: string;
  /** Process of the tool (CLI, server or app) that started the run. */
  pid: number;
  cpus: number[];
  startedAt: string;
  /** The sweep the run belongs to, when it is a sweep point. */
  sweepId?: string;
}

export interface SystemInfo {
  version: string;
  platform: string;
  /** 'electron' or 'browser': informative only, the UI must not branch on it for features. */
  shell: 'electron' | 'browser';
  numactl: { available: boolean; path: string | null; version: string | null };
  dataDir: string;
  cwd: string;
  exampleWorkload: string[];
  /** Which interpreter the example workload runs with and why, or why none can run it (no PyTorch found). */
  exampleNote: string;
  /** The example's interpreter; null when none with PyTorch was found. */
  examplePython: string | null;
  topologyOrigin: string;
  /** Where runs go: "local" or a target URL (app/remote/url.ts). */
  target?: string;
}

export interface LogQueryResult {
  logId: string;
  /** Lines in the whole log. */
  totalLines: number;
  /** Lines matching the filter (== totalLines without filter). */
  matched: number;
  from: number;
  lines: LogLine[];
  counts: Record<Level, number>;
  /** True while the run writing the log is still going. */
  growing: boolean;
}

type LogFilter = { levels?: Level[]; regex?: string; caseSensitive?: boolean };
type Kind = 'run' | 'sweep';

/** Largest dump archive or support bundle "Import topology…" uploads (topology.load kind "archive"). */
export const MAX_TOPOLOGY_ARCHIVE_BYTES = 64 * 1024 * 1024;

/**
 * Method name → what a caller sends (before the engine's schema checks it). app/api/contract.ts checks at compile
 * time that each entry is exactly its zod schema's input type.
 */
export interface ApiRequests {
  'system.info': Record<string, never>;
  'topology.get': Record<string, never>;
  'topology.load':
    | { kind: 'host' }
    | { kind: 'sysroot'; path: string }
    | { kind: 'text'; text: string; name?: string }
    /** An `aio-tuner dump` .tar.gz or a support bundle, base64 (at most MAX_TOPOLOGY_ARCHIVE_BYTES decoded). */
    | { kind: 'archive'; data: string; name: string };
  /**
   * askRunCpu: spell the run_cpu form as the workload's interpreter does, asking its `--help` first when not
   * known yet (seconds: it imports torch; the answer is kept). Only this machine's interpreters are asked.
   */
  'command.build': { settings: RunSettings; container?: string; askRunCpu?: boolean };
  'command.parse': { text: string };
  /** engine: whose catalogue (absent = aio), with the choices this machine's CPU can use. */
  'command.variables': { engine?: Engine };
  'cpus.validate': { text: string };
  'cpus.preset': {
    preset: 'first' | 'node-count' | 'node' | 'spread' | 'all' | 'clear' | 'fastest-type';
    count?: number;
    node?: number;
  };
  'draft.get': { reload?: boolean };
  'draft.set': { settings: RunSettings };
  'profiles.list': Record<string, never>;
  'profiles.save': { name: string; settings: RunSettings };
  'profiles.load': { name: string };
  'profiles.delete': { name: string };
  'profiles.export': { name: string };
  'profiles.import': { json: string };
  'run.start': { settings: RunSettings; timeoutS?: number; target?: string };
  'run.stop': { runId: string };
  'run.list': Record<string, never>;
  'log.open': { path: string };
  'log.openText': { name: string; text: string };
  'log.query': { logId: string; from: number; count: number; filter?: LogFilter };
  'log.search': {
    logId: string;
    regex: string;
    caseSensitive?: boolean;
    fromIndex: number;
    direction: 'next' | 'prev';
    filter?: LogFilter;
  };
  'log.line': { logId: string; n: number };
  'log.save': { logId: string; path: string };
  'load.watch': { on: boolean };
  'bundle.create': { settings?: RunSettings; fromRunId?: string; redact?: string[]; out?: string };
  'bundle.preview': { settings?: RunSettings; fromRunId?: string; redact?: string[] };
  'sweep.plan': { spec: SweepSpec };
  'sweep.start': { spec: SweepSpec };
  'sweep.cancel': { sweepId: string };
  'sweep.get': { sweepId: string };
  /** Continue an interrupted sweep: only the configurations without finished rows run. */
  'sweep.resume': { sweepId: string };
  /** CPUs that runs of this tool (any front, any process of this user's data folder) are using now. */
  'cpus.held': Record<string, never>;
  'history.list': {
    filter?: {
      text?: string;
      kind?: Kind;
      outcome?: 'ok' | 'failed' | 'running';
      sweepId?: string;
      limit?: number;
    };
  };
  'history.get': { kind: Kind; id: string };
  'history.delete': { kind: Kind; id: string };
  'history.rerun': { kind: Kind; id: string };
  'history.compare': { a: string; b: string };
  'history.export': { format: 'csv' | 'json'; ids?: string[]; sweepId?: string };
  'targets.list': Record<string, never>;
  'targets.add': { url: string; name?: string };
  'targets.remove': { url: string };
  'targets.select': { url: string };
  'targets.test': { url: string };
  /**
   * Host readiness (issue 14): the doctor's checks for the run about to start (its settings: binding dry-run, its
   * nodes' memory), on `target` (a URL; absent = the machine the app is on) with `python` (absent = the workload's).
   */
  'doctor.run': { target?: string; python?: string; settings?: RunSettings };
  /**
   * Op coverage (issue 17): a TorchScript model's ops against the engine's op table, on the machine the app runs
   * on; profiled on random inputs of `inputShapes` when given; `python` absent = the first with PyTorch.
   */
  'ops.report': { model: string; inputShapes?: number[][]; inputDtypes?: InputDtype[]; python?: string };
}

export type ApiMethod = keyof ApiRequests;
/** What a caller sends for `method`. */
export type ApiParamsOf<M extends ApiMethod> = ApiRequests[M];

export interface CpuValidation {
  cpus: number[];
  errors: { token: string; message: string }[];
  /** CPUs the text names more than once (each once here); the settings keep the repeat so cpus-duplicate says so. */
  repeated?: number[];
  /** Which grammar the text was read in (app/shared/selection): a plain list, likwid-pin or hwloc-calc. */
  form?: 'list' | 'likwid' | 'hwloc';
  /** What the text expands to, as a CPU list in bound order ("80-83"). */
  expansion?: string;
}

export interface ProfileEntry {
  name: string;
  error?: string;
  savedAt?: string;
}

export interface BundleInfo {
  path: string;
  sizeBytes: number;
  downloadUrl?: string;
  note: string;
  files: string[];
}

export interface BundlePreview {
  files: string[];
  env: Record<string, string>;
  command: string;
  redacted: string[];
  /** AIO_DEBUG_MODE of the bundled run: 4 for a new run, a saved run's own level (null: left unset). */
  debugMode: number | null;
  /** Set when the bundle is of a saved run (fromRunId): nothing is re-run. */
  fromRun?: { runId: string | null; logFile: string; startedAt: string };
}

export interface ApiResults {
  'system.info': SystemInfo;
  'topology.get': Topology;
  'topology.load': Topology;
  'command.build': BuiltCommand;
  'command.parse': { settings: RunSettings; notes: string[] };
  'command.variables': VariableInfo[];
  'cpus.validate': CpuValidation;
  'cpus.preset': { cpus: number[] };
  /**
   * settings null: a fresh form (a new tab while the app runs), nothing saved yet, or a file that could not be
   * used (problem says why; it is ignored).
   */
  'draft.get': { settings: RunSettings | null; problem: string | null };
  'draft.set': { ok: true };
  'profiles.list': ProfileEntry[];
  'profiles.save': ProfileEntry;
  'profiles.load': RunSettings;
  'profiles.delete': { ok: true };
  'profiles.export': { json: string; fileName: string };
  'profiles.import': ProfileEntry;
  'run.start': RunInfo;
  'run.stop': { ok: true };
  'run.list': RunInfo[];
  'log.open': { logId: string; totalLines: number; path: string };
  'log.openText': { logId: string; totalLines: number; path: string };
  'log.query': LogQueryResult;
  /** matches: lines the pattern matches (within the view's levels); ordinal: the found one's place among them (1-based). */
  'log.search': { index: number | null; n: number | null; matches: number; ordinal: number | null };
  'log.line': { n: number; text: string };
  'log.save': { path: string };
  'load.watch': { ok: true };
  'bundle.create': BundleInfo;
  'bundle.preview': BundlePreview;
  'sweep.plan': {
    n: number;
    skipped: string[];
    notes: string[];
    threads: number[];
    points: Omit<SweepPoint, 'cpus'>[];
  };
  'sweep.start': SweepRecord;
  'sweep.cancel': SweepRecord;
  'sweep.get': SweepRecord;
  'sweep.resume': SweepRecord;
  'cpus.held': { held: HeldCpus[] };
  'history.list': HistoryList;
  'history.get': HistoryDetail;
  'history.delete': { ok: true };
  'history.rerun': { kind: 'run'; run: RunInfo } | { kind: 'sweep'; sweep: SweepRecord };
  'history.compare': RunComparison;
  'history.export': ExportFile;
  'targets.list': TargetList;
  'targets.add': TargetList;
  'targets.remove': TargetList;
  /** The new target's machine, already probed: the map shows it (topology.origin names the target). */
  'targets.select': { list: TargetList; topology: Topology };
  'targets.test': TargetCheck;
  'doctor.run': DoctorReport;
  'ops.report': OpsReport;
}

export interface LoadSample {
  t: number;
  cpus: { cpu: number; busy: number }[];
  /** Busy CPUs outside the current run's selection. */
  outside: number[];
  runId: string | null;
  /** MemFree per NUMA node of the sampled machine, read with the sample; absent when it cannot be read live (a remote target). */
  nodes?: { node: number; freeBytes: number }[];
}

/**
 * A run's or sweep's record could not be written (`problem` says why; the record is kept in memory and written
 * again later), or has been written after all (`problem` null). Sent when that changes, not on every retry.
 */
export interface RecordSaveNotice {
  kind: 'run' | 'sweep';
  id: string;
  problem: string | null;
}

/** Events pushed from the engine to every connected UI. */
export interface ApiEvents {
  'run.started': RunInfo;
  'run.lines': { runId: string; logId: string; totalLines: number; lines: LogLine[] };
  'run.exit': RunInfo;
  /** Where a running run's threads are (issue 13), about once a second. */
  'run.proof': LivePlacement;
  'load.sample': LoadSample;
  'bundle.progress': { stage: string; detail?: string };
  'sweep.started': SweepRecord;
  'sweep.progress': SweepProgress;
  'sweep.done': SweepRecord;
  'record.unsaved': RecordSaveNotice;
}
export type ApiEvent = keyof ApiEvents;

/**
 * Events a bridge raises itself, never sent by the engine: the browser-mode WebSocket closed (the server stopped
 * or the network went). The renderer listens for them through the same `onEvent` as for engine events.
 */
export interface PseudoEvents {
  'connection.closed': null;
}
export type PseudoEvent = keyof PseudoEvents;
export const CONNECTION_CLOSED: PseudoEvent = 'connection.closed';

/** What every request gets back, over IPC and over the WebSocket alike; `replyTo` builds it. */
export type ApiFailure = { message: string; code: string };
export type ApiReply = { ok: true; result: unknown } | { ok: false; error: ApiFailure };

/** Wire messages (WebSocket JSON frames); Electron IPC carries the same reply without `type` and `id`. */
export type WireRequest = { type: 'req'; id: number; method: string; params: unknown };
export type WireResponse = { type: 'res'; id: number } & ApiReply;
export type WireEvent = { type: 'event'; event: ApiEvent; data: unknown };

/**
 * The workspace's areas as the Electron menu and window state name them (app/shell/): the same ids, labels and
 * keys as renderer/src/workspace/areas.ts, which the main process cannot import (test/unit/shell-menu.test.ts
 * holds them equal).
 */
export const MENU_AREAS = [
  { id: 'pick', label: 'Pick', key: '1' },
  { id: 'run', label: 'Run', key: '2' },
  { id: 'tune', label: 'Tune', key: '3' },
  { id: 'history', label: 'History', key: '4' },
  { id: 'host', label: 'Host', key: '5' },
  { id: 'support', label: 'Support', key: '6' },
] as const;
export type MenuArea = (typeof MENU_AREAS)[number]['id'];
export type MenuTheme = 'light' | 'dark' | 'system';

/** What an Electron menu item asks the page to do (app/shell/menu.ts sends it, renderer/src/shell/ acts on it). */
export const MENU_COMMANDS = [
  'open-log',
  'import-topology',
  'export-profiles',
  ...MENU_AREAS.map((a) => `area:${a.id}` as const),
  'theme:light',
  'theme:dark',
  'theme:system',
  'help',
  'about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** Which native open dialog the page asks for: its title, its file filters and how the chosen file comes back. */
export type OpenFilePurpose = 'log' | 'topology';

/**
 * A file chosen in a native open dialog. A log comes back as its path (the engine opens it where it is); a
 * topology as its text, or base64 for a dump archive or support bundle (`topology.load` kinds text / archive).
 */
export type ChosenFile =
  | { purpose: 'log'; path: string; name: string }
  | { purpose: 'topology'; path: string; name: string; kind: 'text'; text: string }
  | { purpose: 'topology'; path: string; name: string; kind: 'archive'; data: string };

/** What the preload exposes as `window.aioTuner`, and what the WebSocket client implements. */
export interface Bridge {
  request(method: string, params: unknown): Promise<ApiReply>;
  onEvent(cb: (event: ApiEvent | PseudoEvent, data: unknown) => void): () => void;
  /** Electron only: reveal a file the engine produced (a bundle) in the system file manager. */
  showInFolder?(path: string): Promise<void>;
  /** Electron only: the application menu's commands (app/shell/menu.ts). */
  onMenuCommand?(cb: (command: MenuCommand) => void): () => void;
  /** Electron only: a native open dialog; null when the user cancelled. Rejects when the file cannot be read. */
  openFile?(purpose: OpenFilePurpose): Promise<ChosenFile | null>;
  /**
   * Electron only: a native save dialog for `text` (an export), written atomically where the user chose; the
   * path written, or null when the user cancelled.
   */
  saveFile?(defaultName: string, text: string): Promise<string | null>;
}

/**
 * What the Electron preload exposes as `window.aioShell`: the window's own parts that the page's controls use.
 * Absent in browser mode, where the page keeps its own file fields and no menu follows the theme.
 */
export interface NativeShell {
  /** A native open dialog; null when the user cancelled. Rejects when the file cannot be read. */
  openFile(purpose: OpenFilePurpose): Promise<ChosenFile | null>;
  /** The page's theme is now `theme` (its header toggle, its start): the View › Theme radio follows it. */
  themeChanged(theme: MenuTheme): void;
}

/** A refused or failed request, as both fronts answer it. */
export function errorReply(message: string, code: string): { ok: false; error: ApiFailure } {
  return { ok: false, error: { message, code } };
}
