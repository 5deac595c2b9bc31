/**
 * The workspace's areas: the one list the navigation, the keyboard shortcuts, the URL and the help overlay are
 * made from, so none of them can name an area the others do not know.
 */
import { createContext, useContext } from 'react';

export type AreaId = 'pick' | 'run' | 'tune' | 'history' | 'host' | 'support';

export interface Area {
  id: AreaId;
  label: string;
  /**
   * The key that goes there when focus is not in a text field (digits type into fields; Ctrl/Alt+digit switch
   * browser tabs in Chromium on Linux, so browser mode cannot own them).
   */
  key: string;
  /** One line for the navigation's tooltip and the help overlay. */
  summary: string;
}

export const AREAS: readonly Area[] = [
  { id: 'pick', label: 'Pick', key: '1', summary: 'Map, selection, command preview and its checks' },
  { id: 'run', label: 'Run', key: '2', summary: 'Start and stop, the log, the result and live placement' },
  { id: 'tune', label: 'Tune', key: '3', summary: 'Sweeps over threads, placements and precisions' },
  {
    id: 'history',
    label: 'History',
    key: '4',
    summary: 'Saved runs and sweeps: open, compare, load, export',
  },
  { id: 'host', label: 'Host', key: '5', summary: "The host doctor's findings and the topology's details" },
  {
    id: 'support',
    label: 'Support',
    key: '6',
    summary: 'Support bundles of debug-level logs and a system report',
  },
];

export const DEFAULT_AREA: AreaId = 'pick';

/** Areas that show the map beside them (App's layout): the map's live load is watched while one is shown. */
export const AREAS_WITH_MAP: ReadonlySet<AreaId> = new Set(['pick', 'run']);

/** The area a URL hash names (`#/history`), or null for anything else. */
export function areaFromHash(hash: string): AreaId | null {
  const id = hash.replace(/^#\/?/, '');
  return AREAS.find((a) => a.id === id)?.id ?? null;
}

export function hashFor(area: AreaId): string {
  return `#/${area}`;
}

export interface Workspace {
  area: AreaId;
  /** Show an area (the URL, the navigation and the window state follow). */
  go(area: AreaId): void;
}

export const WorkspaceContext = createContext<Workspace>({ area: DEFAULT_AREA, go: () => {} });

export function useWorkspace(): Workspace {
  return useContext(WorkspaceContext);
}
