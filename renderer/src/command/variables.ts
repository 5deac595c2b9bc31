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
  derived: boolean;
  deprecated: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
    out.push({
      name: r.name,
      kind,
      options,
      min,
      default: typeof r.default === 'string' ? r.default : null,
      description: typeof r.description === 'string' ? r.description : '',
      derived: r.derived === true,
      deprecated:
        typeof dep === 'string' ? dep : isRecord(dep) && typeof dep.note === 'string' ? dep.note : null,
    });
  }
  return out;
}
