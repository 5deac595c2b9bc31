import { useState } from 'react';
import { call } from '../api';
import { useApp } from '../store';
import { Section } from '../common/Section';
import { parseInputSpec, type InputDtype, type OpsReport } from '../../../app/shared/ops';
import { CoverageBars } from './CoverageBars';
import { OpTable } from './OpTable';
import { HeaviestUnaccelerated } from './HeaviestUnaccelerated';
import './ops.css';

/** Shapes as typed: `1,3,224,224` or `1,128:int64`, several separated by `;` (one per model input, in order). */
export function parseShapes(text: string): {
  shapes: number[][];
  dtypes: InputDtype[];
  error: string | null;
} {
  const parts = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const shapes: number[][] = [];
  const dtypes: InputDtype[] = [];
  for (const p of parts) {
    const spec = parseInputSpec(p);
    if (typeof spec === 'string') return { shapes: [], dtypes: [], error: spec };
    shapes.push(spec.dims);
    dtypes.push(spec.dtype);
  }
  return { shapes, dtypes, error: null };
}

/**
 * Op coverage (issue 17): which of a TorchScript model's ops the engine accelerates at each precision, by op
 * count and, with input shapes, by time. The model is read on the machine the app runs on.
 */
export function OpsPanel() {
  const { system } = useApp();
  const [model, setModel] = useState('');
  const [shapesText, setShapesText] = useState('');
  const [python, setPython] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<OpsReport | null>(null);

  const parsed = parseShapes(shapesText);
  const canAnalyze = model.trim() !== '' && parsed.error === null && !busy;

  const analyze = () => {
    if (!canAnalyze) return;
    setBusy(true);
    setError(null);
    call('ops.report', {
      model: model.trim(),
      ...(parsed.shapes.length ? { inputShapes: parsed.shapes, inputDtypes: parsed.dtypes } : {}),
      ...(python.trim() ? { python: python.trim() } : {}),
    }).then(
      (r) => {
        setReport(r);
        setBusy(false);
      },
      (e: Error) => {
        setError(e.message);
        setBusy(false);
      },
    );
  };

  return (
    <Section title="Op coverage" className="ops-panel" testId="ops-panel">
      <p className="muted ops-intro">
        Which ops of a TorchScript model (<code>.pt</code>) the Ampere engine accelerates at each precision,
        by the user guide&apos;s op table. With input shapes the model also runs a few passes on random inputs
        and each op is weighed by its time.
      </p>
      <form
        className="ops-form"
        onSubmit={(e) => {
          e.preventDefault();
          analyze();
        }}
      >
        <label>
          Model file
          <input
            type="text"
            data-testid="ops-model"
            placeholder="/path/to/model.pt"
            value={model}
            onChange={(e) => setModel(e.target.value)}
          />
        </label>
        <label>
          Input shapes
          <input
            type="text"
            data-testid="ops-shapes"
            placeholder="1,3,224,224 (several: 1,128:int64; 1,128:int64)"
            value={shapesText}
            aria-invalid={parsed.error !== null}
            aria-describedby={parsed.error !== null ? 'ops-shapes-error' : undefined}
            onChange={(e) => setShapesText(e.target.value)}
          />
          {parsed.error !== null && (
            <span className="inline-error" id="ops-shapes-error" data-testid="ops-shapes-error">
              {parsed.error}
            </span>
          )}
        </label>
        <label>
          Python
          <input
            type="text"
            data-testid="ops-python"
            placeholder={system?.examplePython ?? 'first interpreter with PyTorch'}
            value={python}
            onChange={(e) => setPython(e.target.value)}
          />
        </label>
        <div className="ops-actions">
          <button type="submit" className="primary" data-testid="ops-analyze" disabled={!canAnalyze}>
            {busy ? 'Analyzing…' : 'Analyze'}
          </button>
          {busy && (
            <span className="muted" role="status">
              Loading and freezing the model{parsed.shapes.length ? ', then profiling it' : ''}…
            </span>
          )}
        </div>
      </form>
      {error !== null && (
        <p className="inline-error" role="alert" data-testid="ops-error">
          {error}
        </p>
      )}
      {report && (
        <div className="ops-report" data-testid="ops-report">
          <p className="muted ops-facts" data-testid="ops-facts">
            {report.model} · torch {report.torch}
            {report.engine ? ' (Ampere engine present, off while timing)' : ''}
            {report.frozen ? ' · frozen graph' : ' · graph not frozen'}
            {report.profile
              ? ` · ${report.profile.passes} profiled passes of ${report.profile.passMs.toFixed(2)} ms on ` +
                report.profile.inputShapes
                  .map((s, i) => {
                    const t = report.profile!.inputDtypes?.[i];
                    return s.join('×') + (t && t !== 'float32' ? ` ${t}` : '');
                  })
                  .join(' + ')
              : ' · not profiled: give input shapes to weigh ops by time'}
          </p>
          {report.notes.map((n) => (
            <p key={n} className="muted">
              {n}
            </p>
          ))}
          <CoverageBars report={report} />
          <HeaviestUnaccelerated report={report} />
          <OpTable report={report} />
        </div>
      )}
    </Section>
  );
}
