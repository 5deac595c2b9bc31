/**
 * Read what the run prints: proof of binding (CPU load), results, the log. The workspace's run bar holds the
 * controls and the status (workspace/RunBar), the Support area the bundle button; both share this `session`.
 */
import { useEffect, useMemo, useState } from 'react';
import type { RunSession } from './useRunSession';
import { useApp } from '../store';
import { Section } from '../common/Section';
import { ResultCard } from './ResultCard';
import { FindingsList } from '../common/FindingsList';
import { LoadStrip, OutsideWarning } from './LoadStrip';
import { LogViewer } from './log/LogViewer';
import type { LogSource } from './log/types';
import { useLoadWatch } from './liveLoad';
import { usePlacementWatch } from '../map/proofStore';
import { DEFAULT_DEBUG_MODE, modeOfEnv } from './levels';
import './run.css';

const NO_CPUS: number[] = [];

export function RunPanel({ session }: { session: RunSession }) {
  const { settings } = useApp();
  const { run, totalLines } = session;
  const running = run?.state === 'running';
  const [opened, setOpened] = useState<LogSource | null>(null);
  useLoadWatch(run?.runId ?? null, running, run?.outcome?.cpuLoad);
  usePlacementWatch(
    run?.runId ?? null,
    running,
    run?.outcome?.proof,
    run?.outcome?.durationMs ?? 0,
    run?.settings.cpus ?? NO_CPUS,
    run?.settings.memNodes ?? null,
  );

  // A new run brings its log back into view even if a file was open.
  useEffect(() => setOpened(null), [run?.runId]);

  const runSource = useMemo<LogSource | null>(
    () =>
      run
        ? {
            logId: run.logId,
            label: `Run ${run.runId}`,
            path: run.logFile,
            growing: running,
            liveTotal: totalLines,
            kind: 'run',
          }
        : null,
    [run, running, totalLines],
  );
  const source = opened ?? runSource;
  const mode = run && !opened ? modeOfEnv(run.env) : (settings.debugMode ?? DEFAULT_DEBUG_MODE);

  return (
    <Section title="Run" className="run-panel" testId="run-panel">
      {!run && (
        <p className="muted" data-testid="run-empty">
          No run yet: set the workload above and press Start (Ctrl+Enter).
        </p>
      )}
      {run?.outcome?.startError && (
        <div className="banner error" role="alert" data-testid="run-start-error">
          The workload could not start: {run.outcome.startError}
        </div>
      )}
      {run?.outcome?.connectionLost && (
        <div className="banner warn" role="alert" data-testid="run-connection-lost">
          Lost the connection to the target before the run ended: {run.outcome.connectionLost}. The log so far
          is kept.
        </div>
      )}
      {run && <OutsideWarning runId={run.runId} />}
      {run && running && (run.hostFindings?.length ?? 0) > 0 && (
        // Known when the run started (the host doctor ran beside the engine probe); once it ends they are among the
        // result card's findings.
        <FindingsList
          findings={run.hostFindings ?? []}
          testId="run-host-findings"
          title="Host settings that may decide this run's result"
        />
      )}
      <div className="run-summary">
        {run && (
          <LoadStrip selection={run.settings.cpus} running={running} peaks={run.outcome?.cpuLoad ?? null} />
        )}
        {run?.outcome && !run.outcome.startError && (
          <ResultCard outcome={run.outcome} selection={run.settings.cpus} />
        )}
      </div>
      <LogViewer
        source={source}
        mode={mode}
        onOpened={setOpened}
        onBackToRun={opened && runSource ? () => setOpened(null) : undefined}
      />
    </Section>
  );
}
