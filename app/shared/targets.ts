/** Target types the UI sees through the API contract (kept free of Node imports for the renderer). */

export type TargetKind = 'local' | 'ssh' | 'docker';

export interface TargetEntry {
  /** Canonical URL ("local" for this machine). */
  url: string;
  label: string;
  kind: TargetKind;
  active: boolean;
  name: string | null;
  addedAt: string | null;
}

export interface TargetList {
  active: string;
  targets: TargetEntry[];
  /** Why targets.json could not be read, when it could not (the list then shows this machine only). */
  problem?: string;
}

export interface TargetCheck {
  url: string;
  ok: boolean;
  message: string;
  /** Stable error code when not ok (unknown-host, auth-refused, …). */
  code?: string;
  detail?: string;
  /** What was found: `uname -srm`, CPU model and count, tools. */
  uname?: string;
  model?: string | null;
  cpus?: number;
  tools?: Record<string, string>;
}
