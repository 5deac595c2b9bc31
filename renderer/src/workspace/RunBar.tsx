import type { RunSession } from '../run/useRunSession';
import { useApp } from '../store';
import { WorkloadFields } from '../command/WorkloadFields';
import { RunControls } from '../run/RunControls';
import { RunStatus } from '../run/RunStatus';
import { useWorkspace } from './areas';

/**
 * What to run and Start/Stop, above Pick and Run alike: a user picks cores, then starts without leaving the map.
 * Start shows the Run area, where the log and the result come in.
 */
export function RunBar({ session }: { session: RunSession }) {
  const { settings } = useApp();
  const { go } = useWorkspace();
  const { run } = session;
  const running = run?.state === 'running';
  return (
    <section className="run-bar" aria-label="Workload and Start" data-testid="run-bar">
      <WorkloadFields />
      <RunControls
        running={running}
        starting={session.starting}
        stopping={session.stopping}
        onStart={(t) => {
          go('run');
          void session.start(settings, t);
        }}
        onStop={() => void session.stop()}
      />
      {session.startError && (
        <div className="banner error" role="alert" data-testid="run-start-error">
          {session.startError}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={session.dismissError}>
            ×
          </button>
        </div>
      )}
      {run && (
        <RunStatus
          run={run}
          elapsedMs={session.elapsedMs}
          totalLines={session.totalLines}
          stopping={session.stopping}
        />
      )}
    </section>
  );
}
