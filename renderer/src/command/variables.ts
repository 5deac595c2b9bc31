/**
 * The variable catalogue as the UI needs it. The engine sends app/shared/variables.ts's shape
 * (`values: {kind, options}`); the contract also describes a flat one (`kind`, `values: string[]`). Both are
 * accepted so the panel keeps working whichever way the contract settles.
 */
export interface VarSpec {
  name: string;
  kind: 'enum' | 'int' | 'regex' | 'cpus' | 'string';
  options: { value: string; label: string }[] | null;
  min: number | null;
  default: string | null;
  description: string;
  /** The description's first sentence: what the table shows on the variable's row. */
  effect: string;
  derived: boolean;
  deprecated: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The first sentence of a description. The catalogue's descriptions open with what the variable does, so the
 * row's one line comes from the same text as its full help instead of a second wording that could drift.
 * A sentence ends at ". " before a capital or a quote; dots inside names (`model.half()`) are not followed by
 * a space.
 */
export function firstSentence(text: string): string {
  const m = /^(.*?[.!?])\s+(?=[A-Z"“(])/s.exec(text);
  return (m ? m[1]! : text).trim();
}

export function normalizeVariables(raw: unknown): VarSpec[] {
  if (!Array.isArray(raw)) return [];
  const out: VarSpec[] = [];
  for (const r of raw) {
    if (!isRecord(r) || typeof r.name !== 'string') continue;
    let kind: VarSpec['kind'] = 'string';
    let options: VarSpec['options'] = null;
    let min: number | null = null;
    if (isRecord(r.values) && typeof r.values.kind === 'string') {
      kind = r.values.kind as VarSpec['kind'];
      if (Array.isArray(r.values.options)) {
        options = r.values.options
          .filter(isRecord)
          .map((o) => ({ value: String(o.value), label: String(o.label ?? '') }));
      }
      if (typeof r.values.min === 'number') min = r.values.min;
    } else {
      if (typeof r.kind === 'string') kind = r.kind as VarSpec['kind'];
      if (Array.isArray(r.values)) options = r.values.map((v) => ({ value: String(v), label: '' }));
    }
    const dep = r.deprecated;
    const description = typeof r.description === 'string' ? r.description : '';
    out.push({
      name: r.name,
      kind,
      options,
      min,
      default: typeof r.default === 'string' ? r.default : null,
      description,
      effect: firstSentence(description),
      derived: r.derived === true,
      deprecated:
        typeof dep === 'string' ? dep : isRecord(dep) && typeof dep.note === 'string' ? dep.note : null,
    });
  }
  return out;
}

/**
 * Whether a variable's row stays under the filter box's text: every word typed must occur (any case) in the
 * name or in the one-line effect, so "thread" finds both thread counts and "fp16 filter" the FP16 filter.
 */
export function matchesFilter(spec: VarSpec, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = `${spec.name} ${spec.effect}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}
