/** The sweep builder's form: its text fields and their translation into a SweepSpec, with readable errors. */
import type { RunSettings } from '../../../app/shared/command';
import type { CustomVariant, Placement, SweepSpec } from '../../../app/shared/sweep';
import { parseCustomVariant } from '../../../app/shared/variants';
import { LLM_METRICS, type LlmMetricName } from '../../../app/shared/llm';

export interface SweepForm {
  /** "doubling" or a list such as "1,2,4". */
  threads: string;
  /** Placements to sweep (checkboxes); one keeps the spec as it always was. */
  placements: Placement[];
  variants: string[];
  /** One custom variant per line: NAME: VAR=VALUE, VAR=VALUE. */
  custom: string;
  instances: string;
  /** Empty = the workload's own batch size. */
  batches: string;
  repeat: number;
  /** Empty = exactly `repeat` runs; a percentage = repeat until the last two means agree within it. */
  untilStablePct: string;
  /** Smallest difference (percent) worth recommending over. */
  practicalPct: string;
  timeoutS: string;
  /** An LLM metric to rank by as well ('' = none): SweepSpec.metric. */
  metric: string;
}

export const DEFAULT_FORM: SweepForm = {
  threads: 'doubling',
  placements: ['compact'],
  variants: ['fp32', 'off'],
  custom: '',
  instances: '1',
  batches: '',
  repeat: 1,
  untilStablePct: '',
  practicalPct: '2',
  timeoutS: '',
  metric: '',
};

/**
 * A form saved by an older version (one `placement` value) or by this one, made whole: a restored form must
 * never lack a field the builder reads.
 */
export function restoreForm(saved: Partial<SweepForm> & { placement?: unknown }): SweepForm {
  const { placement, ...rest } = saved;
  const f: SweepForm = { ...DEFAULT_FORM, ...rest };
  if (!Array.isArray(saved.placements))
    f.placements = placement === 'spread' || placement === 'compact' ? [placement] : DEFAULT_FORM.placements;
  return f;
}

export function parseList(text: string, what: string): number[] {
  const items = text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`${what}: give at least one number`);
  for (const x of items)
    if (!/^\d+$/.test(x) || Number(x) < 1) throw new Error(`${what}: "${x}" is not a whole number ≥ 1`);
  return items.map(Number);
}

export function buildSpec(f: SweepForm, settings: RunSettings): { spec: SweepSpec | null; errors: string[] } {
  const errors: string[] = [];
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      errors.push((e as Error).message);
      return fallback;
    }
  };
  const threads =
    f.threads.trim() === 'doubling'
      ? ('doubling' as const)
      : attempt(() => parseList(f.threads, 'Threads'), []);
  const instances = attempt(() => parseList(f.instances, 'Instances'), []);
  const batches = f.batches.trim() === '' ? null : attempt(() => parseList(f.batches, 'Batch sizes'), []);
  const custom: CustomVariant[] = [];
  for (const line of f.custom.split('\n')) {
    if (line.trim() === '') continue;
    const v = attempt(() => parseCustomVariant(line.trim()), null);
    if (v) custom.push(v);
  }
  const variants = [...f.variants, ...custom.map((c) => c.name).filter((n) => !f.variants.includes(n))];
  if (variants.length === 0) errors.push('Choose at least one variant');
  const placements = (['compact', 'spread'] as const).filter((p) => f.placements.includes(p));
  if (placements.length === 0) errors.push('Choose at least one placement');
  if (settings.workload.length === 0) errors.push('Enter a workload first');
  const timeout = f.timeoutS.trim() === '' ? undefined : Number(f.timeoutS);
  if (timeout !== undefined && !(timeout > 0)) errors.push('Time limit: seconds > 0, or empty');
  const repeat = Math.max(1, Math.floor(f.repeat) || 1);
  const stable = percent(f.untilStablePct, 'Repeat until stable', errors, { zeroOk: false });
  if (stable !== undefined && repeat < 2)
    errors.push('Repeat until stable: set Repetitions to the most runs it may take (2 or more)');
  const practical = percent(f.practicalPct, 'Minimum difference', errors, { zeroOk: true });
  const metric = (f.metric ?? '') === '' ? undefined : f.metric;
  if (metric !== undefined && !(LLM_METRICS as readonly string[]).includes(metric))
    errors.push(`Rank by: "${metric}" is not one of ${LLM_METRICS.join(', ')}`);
  if (errors.length) return { spec: null, errors };
  return {
    spec: {
      settings,
      threads,
      placement: placements.length === 1 ? placements[0]! : placements,
      variants,
      customVariants: custom,
      instances,
      batches,
      repeat,
      ...(stable !== undefined ? { untilStablePct: stable } : {}),
      ...(practical !== undefined ? { practicalPct: practical } : {}),
      ...(timeout !== undefined ? { timeoutS: timeout } : {}),
      ...(metric !== undefined ? { metric: metric as LlmMetricName } : {}),
    },
    errors,
  };
}

/** A percentage field: empty is "not set"; otherwise a number in (0, 100], or [0, 100] when 0 means something. */
function percent(
  text: string | undefined,
  what: string,
  errors: string[],
  { zeroOk }: { zeroOk: boolean },
): number | undefined {
  const t = (text ?? '').trim().replace(/\s*%$/, '');
  if (t === '') return undefined;
  const v = Number(t);
  if (!Number.isFinite(v) || v < 0 || v > 100 || (!zeroOk && v === 0)) {
    errors.push(`${what}: a percentage ${zeroOk ? 'from 0' : 'above 0'} to 100, or empty`);
    return undefined;
  }
  return v;
}
