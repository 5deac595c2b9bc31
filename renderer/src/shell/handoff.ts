/**
 * Hands what a menu command produced to the panel that shows it, which may not be on screen yet: the command
 * goes to the panel's area first, and the panel picks the item up when it mounts. An item offered while a
 * panel listens goes to it at once; otherwise the latest one waits (an older one is dropped: the user asked
 * again).
 */
export interface Handoffs {
  /** A log opened from File › Open Log… (the reply of `log.open`), for the log viewer. */
  'open-log': { logId: string; path: string; totalLines: number };
}
export type HandoffKind = keyof Handoffs;

type Listener<K extends HandoffKind> = (item: Handoffs[K]) => void;
// Keyed by kind; offer() and take() keep each kind's items and listeners to its own type.
const listeners = new Map<HandoffKind, Set<(item: unknown) => void>>();
const waiting = new Map<HandoffKind, unknown>();

export function offer<K extends HandoffKind>(kind: K, item: Handoffs[K]): void {
  const ls = listeners.get(kind);
  if (ls && ls.size > 0) for (const l of ls) l(item);
  else waiting.set(kind, item);
}

/** Listen for `kind`; an item that waited is delivered now. Returns the unsubscribe function. */
export function take<K extends HandoffKind>(kind: K, cb: Listener<K>): () => void {
  const l = cb as (item: unknown) => void;
  let ls = listeners.get(kind);
  if (!ls) listeners.set(kind, (ls = new Set()));
  ls.add(l);
  if (waiting.has(kind)) {
    const w = waiting.get(kind) as Handoffs[K];
    waiting.delete(kind);
    cb(w);
  }
  return () => void ls.delete(l);
}
