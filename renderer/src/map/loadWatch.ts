/**
 * The map's own load watch: while the map is on screen (its area shown, the page visible) and of the machine
 * whose load is sampled, the engine samples it, so the sparklines and the nodes' free memory stay live with no
 * run going. The engine counts watches per client, so the run panel letting go of its own does not end this
 * one; a new connection is a new client, so the watch is asked for again after a reconnect.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { call, onDisconnect } from '../api';

const RETRY_MS = 2000;

export function useMapLoadWatch(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    /** The engine holds a watch of ours on the current connection. */
    let held = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const watch = () => {
      retry = null;
      call('load.watch', { on: true }).then(
        () => {
          held = true;
          // Let go at once of a watch granted after the map went away.
          if (stopped) release();
        },
        () => {
          if (!stopped) retry = setTimeout(watch, RETRY_MS);
        },
      );
    };
    const release = () => {
      if (!held) return;
      held = false;
      void call('load.watch', { on: false }).catch(() => undefined);
    };
    watch();
    const off = onDisconnect(() => {
      // The closed connection's watches ended with it.
      held = false;
      if (!stopped && retry === null) retry = setTimeout(watch, RETRY_MS / 4);
    });
    return () => {
      stopped = true;
      off();
      if (retry !== null) clearTimeout(retry);
      release();
    };
  }, [active]);
}

function subscribeVisibility(l: () => void): () => void {
  document.addEventListener('visibilitychange', l);
  return () => document.removeEventListener('visibilitychange', l);
}

/** The page is on screen (not a background tab, not a minimised window). */
export function usePageVisible(): boolean {
  return useSyncExternalStore(subscribeVisibility, () => document.visibilityState !== 'hidden');
}
