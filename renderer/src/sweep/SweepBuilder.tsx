import { BUILTIN_VARIANTS } from '../../../app/shared/sweep';
import { BUILTIN_LABELS } from '../../../app/shared/variants';
import type { Placement } from '../../../app/shared/sweep';
import type { SweepForm } from './form';
import { LLM_HIGHER_BETTER, LLM_METRICS, LLM_UNITS } from '../../../app/shared/llm';

const PLACEMENTS: [Placement, string][] = [
  ['compact', 'compact: fill a node before the next'],
  ['spread', 'spread: an equal share of each node'],
];

/** A row of checkboxes for one list-valued dimension (placements, variants): ticking adds, unticking removes. */
function CheckList<T extends string>({
  label,
  options,
  chosen,
  testId,
  onChange,
}: {
  label: string;
  options: readonly (readonly [T, string])[];
  chosen: readonly T[];
  testId: string;
  onChange(next: T[]): void;
}) {
  return (
    <div className="sweep-variants" role="group" aria-label={label}>
      <span>{label}</span>
      {options.map(([value, title]) => (
        <label key={value} className="toggle" title={title}>
          <input
            type="checkbox"
            data-testid={`${testId}-${value}`}
            checked={chosen.includes(value)}
            onChange={() =>
              onChange(chosen.includes(value) ? chosen.filter((x) => x !== value) : [...chosen, value])
            }
          />
          {value}
        </label>
      ))}
    </div>
  );
}

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
  const stable = form.untilStablePct.trim() !== '';
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
      <CheckList
        label="Placement"
        options={PLACEMENTS}
        chosen={form.placements}
        testId="sweep-placement"
        onChange={(v) => set('placements', v)}
      />
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
        Repetitions{stable ? ' (at most)' : ''}
        <input
          type="number"
          min={1}
          max={100}
          className="narrow"
          data-testid="sweep-repeat"
          value={form.repeat}
          onChange={(e) => set('repeat', Number(e.target.value))}
        />
        <span className="muted hint">runs of each configuration; two or more give a confidence interval</span>
      </label>
      <label>
        Repeat until stable within (%)
        <input
          type="text"
          className="narrow"
          data-testid="sweep-until-stable"
          value={form.untilStablePct}
          placeholder="off"
          onChange={(e) => set('untilStablePct', e.target.value)}
        />
        <span className="muted hint">
          stop repeating once the last two means agree within this; Repetitions is the most
        </span>
      </label>
      <label>
        Minimum difference worth recommending (%)
        <input
          type="text"
          className="narrow"
          data-testid="sweep-practical"
          value={form.practicalPct}
          placeholder="2"
          onChange={(e) => set('practicalPct', e.target.value)}
        />
        <span className="muted hint">smaller (or not significant at 95 %) differences are called a tie</span>
      </label>
      <label>
        Also rank by
        <select
          data-testid="sweep-metric"
          value={form.metric ?? ''}
          onChange={(e) => set('metric', e.target.value)}
        >
          <option value="">nothing more (latency and throughput)</option>
          {LLM_METRICS.map((m) => (
            <option key={m} value={m}>
              {m} ({LLM_UNITS[m]}, {LLM_HIGHER_BETTER[m] ? 'highest' : 'lowest'} best)
            </option>
          ))}
        </select>
        <span className="muted hint">an LLM metric the runs print (llama-bench, llama.cpp timings)</span>
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
      <CheckList
        label="Variants"
        options={BUILTIN_VARIANTS.map((v) => [v, BUILTIN_LABELS[v]] as const)}
        chosen={form.variants}
        testId="sweep-variant"
        onChange={(v) => set('variants', v)}
      />
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
