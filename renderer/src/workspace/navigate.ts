import { AREAS, hashFor, type AreaId } from './areas';

/**
 * Show an area from outside React (the Electron View menu's command, say): the workspace follows the URL hash,
 * so this is the same as a link to `#/area`, history entry included. Inside components use `useWorkspace().go`.
 */
export function goToArea(area: AreaId): void {
  if (!AREAS.some((a) => a.id === area)) throw new Error(`Unknown area "${String(area)}".`);
  window.location.hash = hashFor(area);
}
