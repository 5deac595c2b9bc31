/**
 * The one rule for versions of what AIO Tuner keeps and prints as JSON. Every saved record (run.json, sweep
 * records, profiles, the target list, draft.json) and every `--json` output carries `"schemaVersion"`.
 *
 * - Writers stamp the current version of their kind (`recordText`, `stampOutput`); it is the record's first field.
 * - Readers pass what they parsed through `readRecord` before validating it: a record without the field is
 *   version 0 (written before records were versioned) and every older version is brought up to the current
 *   shape one step at a time; a version newer than this build knows is refused with `NewerRecordError`, and the
 *   stores leave such a file exactly as it is (never moved aside, never saved over).
 *
 * A later change to a record's shape adds one step to its kind below; that bumps its version, and older files
 * keep reading. Adding an optional field needs no step. Pure: no Node or DOM imports, so any layer may use it.
 */

type Json = Record<string, unknown>;
/** Turns a record of version i into version i + 1. */
type Step = (older: Json) => Json;

/** Version 0 → 1: files from before schemaVersion already have today's shape; only the stamp is new. */
const unversioned: Step = (r) => r;

/** For each kind of saved record, its steps: `steps[i]` upgrades version i to i + 1, so its version is the count. */
const RECORD_STEPS = {
  run: [unversioned],
  sweep: [unversioned],
  profile: [unversioned],
  /** An `aio-tuner-profiles` export (`profiles export`). */
  'profile-bundle': [unversioned],
  targets: [unversioned],
  draft: [unversioned],
  /** The app's JSON export of history entries (runs and sweeps as saved). */
  'history-export': [unversioned],
} as const satisfies Record<string, readonly Step[]>;

export type RecordKind = keyof typeof RECORD_STEPS;

/**
 * Written-only JSON (read by scripts and people, never read back by AIO Tuner): a version per output. A change
 * that is not an addition bumps it. `--json` outputs, and the JSON files a support bundle holds (`bundle-*`).
 */
const OUTPUT_VERSIONS = {
  topology: 1,
  command: 1,
  run: 1,
  sweep: 1,
  bundle: 1,
  'profiles-list': 1,
  'profiles-import': 1,
  /** aio-tuner doctor --json (a DoctorReport) */
  doctor: 1,
  /** run/result.json */
  'bundle-result': 1,
  /** system/topology.json */
  'bundle-topology': 1,
  /** system/os.json */
  'bundle-os': 1,
  /** MANIFEST.json */
  'bundle-manifest': 1,
  /** aio-tuner dump --json */
  dump: 1,
  /** aio-tuner-dump.json at the top of an `aio-tuner dump` */
  'dump-manifest': 1,
  /** aio-tuner ops --json (an OpsReport) */
  ops: 1,
} as const;

export type OutputKind = keyof typeof OUTPUT_VERSIONS;

export function recordVersion(kind: RecordKind): number {
  return RECORD_STEPS[kind].length;
}

/** A record this build cannot read: a newer AIO Tuner wrote it. Its file must be left as it is. */
export class NewerRecordError extends Error {
  constructor(
    readonly kind: RecordKind,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `written by a newer AIO Tuner: schemaVersion ${found}, this version reads up to ${known}; update AIO Tuner to use it`,
    );
    this.name = 'NewerRecordError';
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{schemaVersion, ...body}`: the version first, so a person opening the file sees it at once. */
function stamped(version: number, body: object): Json {
  const { schemaVersion: _old, ...rest } = body as Json;
  return { schemaVersion: version, ...rest };
}

/** The record as its file holds it: stamped with its kind's current version. */
export function stampRecord(kind: RecordKind, body: object): Json {
  return stamped(recordVersion(kind), body);
}

/** The text every writer of a record saves: stamped, two-space indented, one final newline. */
export function recordText(kind: RecordKind, body: object): string {
  return JSON.stringify(stampRecord(kind, body), null, 2) + '\n';
}

/**
 * A `--json` output stamped with its version. An array output (`profiles list --json`) has nowhere to put a
 * top-level field without changing its shape, so each of its entries carries it.
 */
export function stampOutput(kind: OutputKind, body: object): Json | Json[] {
  const v = OUTPUT_VERSIONS[kind];
  return Array.isArray(body) ? body.map((e: object) => stamped(v, e)) : stamped(v, body);
}

/** The text a `--json` output prints: stamped, two-space indented, one final newline. */
export function outputText(kind: OutputKind, body: object): string {
  return JSON.stringify(stampOutput(kind, body), null, 2) + '\n';
}

/**
 * A parsed record brought to the current shape of its kind, without its schemaVersion (the version describes
 * the file, not the data): ready for the kind's validation. Anything but an object is returned as it is, for
 * that validation to reject. Throws NewerRecordError for a version this build does not know, and an Error for a
 * schemaVersion that is not a whole number ≥ 0.
 */
export function readRecord(kind: RecordKind, data: unknown): unknown {
  if (!isObject(data)) return data;
  const { schemaVersion, ...body } = data;
  const found = schemaVersion === undefined ? 0 : schemaVersion;
  if (typeof found !== 'number' || !Number.isInteger(found) || found < 0)
    throw new Error(`schemaVersion must be a whole number ≥ 0, got ${JSON.stringify(found)}`);
  const steps: readonly Step[] = RECORD_STEPS[kind];
  if (found > steps.length) throw new NewerRecordError(kind, found, steps.length);
  let r: Json = body;
  for (const step of steps.slice(found)) r = step(r);
  return r;
}
