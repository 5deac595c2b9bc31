/**
 * The area on screen, kept in the URL hash (`#/history`) so reload, back and forward follow it, and in
 * localStorage so a start without a hash (an Electron restart, a bookmark of the bare URL) returns there too.
 */
import { useCallback, useEffect, useState } from 'react';
import { AREAS, DEFAULT_AREA, areaFromHash, hashFor, type AreaId } from './areas';
import { AREA_KEY, readStored, writeStored } from './persist';

function initialArea(): AreaId {
  const fromHash = areaFromHash(window.location.hash);
  if (fromHash) return fromHash;
  const saved = readStored(AREA_KEY);
  return AREAS.find((a) => a.id === saved)?.id ?? DEFAULT_AREA;
}

export function useAreaState(): { area: AreaId; go(area: AreaId): void } {
  const [area, setArea] = useState<AreaId>(initialArea);

  useEffect(() => {
    // The first history entry names the area too, so Back from the next one returns to it.
    if (areaFromHash(window.location.hash) !== area) {
      window.history.replaceState(window.history.state, '', hashFor(area));
    }
    const follow = () => {
      const a = areaFromHash(window.location.hash);
      if (a) setArea(a);
    };
    window.addEventListener('popstate', follow);
    window.addEventListener('hashchange', follow);
    return () => {
      window.removeEventListener('popstate', follow);
      window.removeEventListener('hashchange', follow);
    };
  }, []);

  useEffect(() => writeStored(AREA_KEY, area), [area]);

  const go = useCallback((next: AreaId) => {
    if (!AREAS.some((a) => a.id === next)) throw new Error(`Unknown area "${String(next)}".`);
    if (areaFromHash(window.location.hash) !== next) window.history.pushState(null, '', hashFor(next));
    setArea(next);
  }, []);

  return { area, go };
}
