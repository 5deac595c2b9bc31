import type { RunInfo } from '../../../app/shared/contract';
import { BundleButton } from '../bundle/BundleButton';
import { Section } from '../common/Section';
import { useApp } from '../store';

/** Support bundles: what one holds, and the two ways to make one. */
export function SupportArea({ finishedRun }: { finishedRun: RunInfo | null }) {
  const { settings } = useApp();
  return (
    <Section title="Support" className="support-area" testId="support-panel">
      <p>
        A support bundle is one <code>.tar.gz</code> to attach to a bug report: the workload&apos;s log at
        AIO_DEBUG_MODE=4 (debug level), the exact command and environment it ran with, and a system report
        (CPU topology, NUMA nodes and memory, kernel settings the host doctor reads, numactl and Python
        versions). Secrets in the environment are redacted, and the plan is shown before anything is written.
      </p>
      <p className="muted">
        &quot;Gather logs for support&quot; runs the current settings again at debug level to capture a fresh
        log; after a run, &quot;Bundle this run&quot; packs that run&apos;s log as it is
        {finishedRun ? ` (run ${finishedRun.runId})` : ' (none has finished yet)'}.
      </p>
      <div className="section-actions">
        <BundleButton settings={settings} finishedRun={finishedRun} />
      </div>
    </Section>
  );
}
