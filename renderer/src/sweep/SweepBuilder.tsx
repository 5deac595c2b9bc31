import { BUILTIN_VARIANTS } from '../../../app/sweep/types';
import { BUILTIN_LABELS } from '../../../app/sweep/variants';
import type { Placement } from '../../../app/sweep/types';
import type { SweepForm } from './form';

const PLACEMENTS: [Placement, string][] = [
  ['compact', 'compact: fill a node before the next'],
  ['spread', 'spread: an equal share of each node'],
];

/** The sweep's dimensions. The selection and workload come from the main settings (map + command panel). */
export function SweepBuilder({
  form,
  onChange,
  disabled,
}: {
  form: SweepForm;
  onChange(f: SweepForm): void;
  disabled: boolean;
}) {
  const set = <K extends keyof SweepForm>(k: K, v: SweepForm[K]) => onChange({ ...form, [k]: v });
  const togglePlacement = (p: Placement) =>
    set(
      'placements',
      form.placements.includes(p) ? form.placements.filter((x) => x !== p) : [...form.placements, p],
    );
  const toggle = (v: string) =>
    set('variants', form.variants.includes(v) ? form.variants.filter((x) => x !== v) : [...form.variants, v]);
  return (
    <fieldset className="sweep-builder" disabled={disabled}>
      <label>
        Threads per instance
        <input
          type="text"
          data-testid="sweep-threads"
          value={form.threads}
          placeholder="doubling, or 1,2,4"
          onChange={(e) => set('threads', e.target.value)}
        />
        <span className="muted hint">“doubling” = 1, 2, 4 … up to the selection</span>
      </label>
      <label>
        Instances
        <input
          type="text"
          data-testid="sweep-instances"
          value={form.instances}
          placeholder="1,2"
          onChange={(e) => set('instances', e.target.value)}
        />
        <span className="muted hint">each gets its own CPUs, run together</span>
      </label>
      <div className="sweep-variants" role="group" aria-label="Placement">
        <span>Placement</span>
        {PLACEMENTS.map(([p, title]) => (
          <label key={p} className="toggle" title={title}>
            <input
              type="checkbox"
              data-testid={`sweep-placement-${p}`}
              checked={form.placements.includes(p)}
              onChange={() => togglePlacement(p)}
            />
            {p}
          </label>
        ))}
      </div>
      <label>
        Batch sizes
        <input
          type="text"
          data-testid="sweep-batches"
          value={form.batches}
          placeholder="as in the workload"
          onChange={(e) => set('batches', e.target.value)}
        />
        <span className="muted hint">sets the workload’s own -b / --batch_size</span>
      </label>
      <label>
        Repetitions
        <input
          type="number"
          min={1}
          max={100}
          className="narrow"
          data-testid="sweep-repeat"
          value={form.repeat}
          onChange={(e) => set('repeat', Number(e.target.value))}
        />
      </label>
      <label>
        Time limit per run (s)
        <input
          type="text"
          className="narrow"
          value={form.timeoutS}
          placeholder="none"
          onChange={(e) => set('timeoutS', e.target.value)}
        />
      </label>
      <div className="sweep-variants" role="group" aria-label="Variants">
        <span>Variants</span>
        {BUILTIN_VARIANTS.map((v) => (
          <label key={v} className="toggle" title={BUILTIN_LABELS[v]}>
            <input
              type="checkbox"
              data-testid={`sweep-variant-${v}`}
              checked={form.variants.includes(v)}
              onChange={() => toggle(v)}
            />
            {v}
          </label>
        ))}
      </div>
      <label className="sweep-custom">
        Your own variants (one per line: NAME: VAR=VALUE, VAR=VALUE)
        <textarea
          rows={2}
          value={form.custom}
          placeholder="nomerge: AIO_MERGE_LINEAR=0"
          onChange={(e) => set('custom', e.target.value)}
        />
      </label>
    </fieldset>
  );
}
