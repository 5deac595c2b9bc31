import type { SweepRecord, SweepRow } from '../../../app/shared/sweep';
import type { EngineInfo } from '../../../app/shared/findings';
import { engineText } from './view';
import { FindingsList } from '../common/FindingsList';
import { SweepChart } from './SweepChart';
import { SweepTable } from './SweepTable';
import { Recommendations } from './Recommendations';

/**
 * A sweep's results: its findings first (engine absent, noise…: they say how far the numbers can be trusted),
 * then the chart, the recommendations and the rows. Shared by the Tune panel and History.
 */
export function SweepResults({
  record,
  rows,
  running,
}: {
  record: SweepRecord;
  rows: readonly SweepRow[];
  running: boolean;
}) {
  const configs = !running && Array.isArray(record.configs) ? record.configs : undefined;
  return (
    <>
      {record.engine && <EngineLine e={record.engine} />}
      <FindingsList findings={record.findings ?? []} testId="sweep-findings" title="Findings" />
      <SweepChart rows={rows} variants={record.spec.variants} configs={configs} />
      <Recommendations rows={rows} record={record} running={running} />
      <SweepTable rows={rows} />
    </>
  );
}

function EngineLine({ e }: { e: EngineInfo }) {
  return (
    <p className={e.present ? 'muted' : 'warn-text'} data-testid="sweep-engine">
      {engineText(e)}
    </p>
  );
}
