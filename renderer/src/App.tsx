import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp } from './store';
import { MapPanel } from './map/MapPanel';
import { CommandPreview } from './command/CommandPreview';
import { ChecksList } from './command/ChecksList';
import { RunSettingsPanel } from './command/RunSettingsPanel';
import { ImportCommandDialog } from './command/ImportCommandDialog';
import { ProfilesPanel } from './profiles/ProfilesPanel';
import { RunPanel } from './run/RunPanel';
import { useRunSession } from './run/useRunSession';
import { SHOW_RUN_EVENT } from './run/showRun';
import { HostReadiness } from './doctor/HostReadiness';
import { useDoctorReport } from './doctor/useDoctorReport';
import { SweepPanel } from './sweep';
import { OpsPanel } from './ops/OpsPanel';
import { HistoryPanel } from './history';
import { AREAS, WorkspaceContext, type AreaId } from './workspace/areas';
import { useAreaState } from './workspace/useAreaState';
import { Header } from './workspace/Header';
import { Nav } from './workspace/Nav';
import { Splitter, useMapWidth } from './workspace/Splitter';
import { RunBar } from './workspace/RunBar';
import { HelpOverlay } from './workspace/HelpOverlay';
import { setTheme } from './workspace/theme';
import { ShellMenuCommands } from './shell';
import { SupportArea } from './workspace/SupportArea';
import { TopologyDetails } from './workspace/TopologyDetails';
import { useShortcuts } from './workspace/useShortcuts';
import './workspace/workspace.css';

/** Areas that show the map beside them: where picking CPUs, and watching them work, matters. */
const WITH_MAP: ReadonlySet<AreaId> = new Set(['pick', 'run']);

/**
 * The workspace: a header, the areas' navigation, and one area at a time. Every area stays mounted (hidden when
 * not shown) so a sweep's progress, a log being followed and the map's picking survive switching, and switching
 * is only a change of attributes.
 */
export function App() {
  const { error, setError } = useApp();
  const [importing, setImporting] = useState(false);
  const [help, setHelp] = useState(false);
  const { area, go } = useAreaState();
  const workspace = useMemo(() => ({ area, go }), [area, go]);
  const session = useRunSession();
  const doctor = useDoctorReport();
  const [mapPct, setMapPct] = useMapWidth();
  const main = useRef<HTMLElement>(null);
  const running = session.run?.state === 'running';
  const withMap = WITH_MAP.has(area);

  // "Show in run view" (History) means just that: the run view, where the run now is.
  useEffect(() => {
    const show = () => go('run');
    window.addEventListener(SHOW_RUN_EVENT, show);
    return () => window.removeEventListener(SHOW_RUN_EVENT, show);
  }, [go]);

  useShortcuts((action) => {
    if (action.kind === 'area') go(action.area);
    else if (action.kind === 'help') setHelp(true);
    // Pressing the button itself keeps one path to a run: its timeout field, its checks and its disabled state.
    else document.querySelector<HTMLButtonElement>(`[data-testid=run-${action.kind}]`)?.click();
  });

  const label = (id: AreaId) => AREAS.find((a) => a.id === id)!.label;
  const region = (id: AreaId, children: React.ReactNode) => (
    <section
      className={`area area-${id}`}
      data-testid={`area-${id}`}
      aria-label={label(id)}
      hidden={area !== id}
    >
      {children}
    </section>
  );

  return (
    <WorkspaceContext.Provider value={workspace}>
      <div className="app">
        <Header doctor={doctor} />
        {error && (
          <div role="alert" className="banner error">
            {error}
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setError(null)}>
              ×
            </button>
          </div>
        )}
        <div className="workspace-body">
          <Nav />
          <main
            ref={main}
            className={`workspace ${withMap ? 'with-map' : ''}`}
            style={{ '--map-width': `${mapPct}%` } as React.CSSProperties}
          >
            <div className="map-pane" data-testid="map-pane" hidden={!withMap}>
              <MapPanel />
            </div>
            {withMap && <Splitter pct={mapPct} onChange={setMapPct} container={main} />}
            <div className="area-pane">
              <div hidden={!withMap}>
                <RunBar session={session} />
              </div>
              {region(
                'pick',
                <>
                  <CommandPreview
                    actions={
                      <button
                        type="button"
                        data-testid="import-command-open"
                        onClick={() => setImporting(true)}
                      >
                        Paste a command line…
                      </button>
                    }
                  />
                  <ChecksList />
                  <RunSettingsPanel />
                  <ProfilesPanel />
                </>,
              )}
              {region('run', <RunPanel session={session} />)}
              {region(
                'tune',
                <>
                  <SweepPanel />
                  <OpsPanel />
                </>,
              )}
              {region('history', <HistoryPanel />)}
              {region(
                'host',
                <>
                  <HostReadiness doctor={doctor} />
                  <TopologyDetails />
                </>,
              )}
              {region('support', <SupportArea finishedRun={session.run && !running ? session.run : null} />)}
            </div>
          </main>
        </div>
        <ImportCommandDialog open={importing} onClose={() => setImporting(false)} />
        <HelpOverlay open={help} onClose={() => setHelp(false)} />
        {/* The Electron menu's commands (nothing in browser mode): inside the provider, so View's areas reach go(). */}
        <ShellMenuCommands setTheme={setTheme} showHelp={() => setHelp(true)} />
      </div>
    </WorkspaceContext.Provider>
  );
}
