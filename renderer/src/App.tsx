import { useState } from 'react';
import { useApp } from './store';
import { MapPanel } from './map/MapPanel';
import { CommandPreview } from './command/CommandPreview';
import { ChecksList } from './command/ChecksList';
import { RunSettingsPanel } from './command/RunSettingsPanel';
import { ImportCommandDialog } from './command/ImportCommandDialog';
import { ProfilesPanel } from './profiles/ProfilesPanel';
import { RunPanel } from './run/RunPanel';
import { TargetPicker } from './targets/TargetPicker';
import { HostReadiness } from './doctor/HostReadiness';
// [tuning] minimal mount of the sweep and history panels; the lead may move them into tabs.
import { SweepPanel } from './sweep';
import { HistoryPanel } from './history';

/**
 * Layout: the map (and picking) on the left with the run panel under it, the command it produces on the right.
 * The two columns scroll on their own so the preview and checks stay in view while picking.
 */
export function App() {
  const { system, error, setError } = useApp();
  const [importing, setImporting] = useState(false);
  return (
    <div className="app">
      <header className="app-header">
        <h1>AIO Tuner</h1>
        {system && (
          <span className="muted app-meta">
            v{system.version} · {system.shell} mode ·{' '}
            {system.numactl.available
              ? `numactl ${system.numactl.version ?? 'available'}`
              : 'numactl not found'}
          </span>
        )}
        <TargetPicker />
      </header>
      {error && (
        <div role="alert" className="banner error">
          {error}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setError(null)}>
            ×
          </button>
        </div>
      )}
      <main className="workspace">
        <div className="map-column">
          <MapPanel />
          {/* Under the map: it leaves most of this column free on machines up to ~200 CPUs. */}
          <div className="run-panel-slot" data-testid="run-panel-slot">
            <RunPanel />
          </div>
          {/* [tuning] begin: sweep + history panels (renderer/src/sweep, renderer/src/history) */}
          <SweepPanel />
          <HistoryPanel />
          {/* [tuning] end */}
        </div>
        <aside className="command-column" aria-label="Command">
          <CommandPreview
            actions={
              <button type="button" data-testid="import-command-open" onClick={() => setImporting(true)}>
                Paste a command line…
              </button>
            }
          />
          <ChecksList />
          {/* The machine's own settings, judged for the run about to start: seen with the checks before Start. */}
          <HostReadiness />
          <RunSettingsPanel />
          <ProfilesPanel />
        </aside>
      </main>
      <ImportCommandDialog open={importing} onClose={() => setImporting(false)} />
    </div>
  );
}
