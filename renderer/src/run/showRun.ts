/**
 * A saved run brought back into the run panel (and its placement onto the map) from elsewhere in the page, e.g.
 * the history's "Show in run view": a window event, so the history needs no handle on the run panel.
 */
import type { RunInfo } from '../../../app/shared/contract';

export const SHOW_RUN_EVENT = 'aio-tuner:show-run';

export function showRun(run: RunInfo): void {
  window.dispatchEvent(new CustomEvent<RunInfo>(SHOW_RUN_EVENT, { detail: run }));
}
