/**
 * What the recommendation cards say, worked out without the DOM: confidence intervals as text, which cards name
 * the same configuration (shown once), and the tied configurations by name. Tested by node (test/unit).
 */
import type { EngineInfo } from '../../../app/shared/findings';
import type {
  ConfigStats,
  Recommendation,
  SweepBest,
  SweepRecord,
  SweepRow,
} from '../../../app/shared/sweep';

export type CardKey = 'latency' | 'throughput' | 'perCore';

const CARD_KEYS: readonly CardKey[] = ['latency', 'throughput', 'perCore'];

const TITLES: Record<CardKey, string> = {
  latency: 'Lowest latency',
  throughput: 'Highest throughput',
  perCore: 'Best throughput per core',
};

/** The same answers, as they read in a card that gives several at once. */
const SHORT: Record<CardKey, string> = {
  latency: 'lowest latency',
  throughput: 'highest throughput',
  perCore: 'best per core',
};

const TEST_IDS: Record<CardKey, string> = {
  latency: 'rec-latency',
  throughput: 'rec-throughput',
  perCore: 'rec-percore',
};

/** The fields that make a configuration; a Recommendation, a ConfigStats and a SweepRow all have them. */
export type ConfigLike = Pick<ConfigStats, 'threads' | 'instances' | 'placement' | 'variant' | 'batch'>;

/**
 * Two recommendations name one configuration: the same index into `configs` when both carry one (records from
 * issue 12 on), else the same settings (older records, recommendations worked out in the page).
 */
export function sameConfig(a: Recommendation, b: Recommendation): boolean {
  if (typeof a.config === 'number' && typeof b.config === 'number') return a.config === b.config;
  return (
    a.threads === b.threads &&
    a.instances === b.instances &&
    a.placement === b.placement &&
    a.variant === b.variant &&
    a.batch === b.batch
  );
}

export interface CardModel {
  /** The answers this card gives, in card order (one, or several naming the same configuration). */
  keys: CardKey[];
  title: string;
  testId: string;
  rec: Recommendation | null;
}

/** "Lowest latency, highest throughput and best per core". */
export function mergedTitle(keys: readonly CardKey[]): string {
  if (keys.length === 1) return TITLES[keys[0]!];
  const words = keys.map((k) => SHORT[k]);
  const text = `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
  return text[0]!.toUpperCase() + text.slice(1);
}

/**
 * The three cards, those naming the same configuration folded into one: three identical cards read as three
 * findings when there is one.
 */
export function mergeCards(best: Pick<SweepBest, CardKey>): CardModel[] {
  const groups: { keys: CardKey[]; rec: Recommendation | null }[] = [];
  for (const k of CARD_KEYS) {
    const rec = best[k];
    const same = rec ? groups.find((g) => g.rec && sameConfig(g.rec, rec)) : undefined;
    if (same) same.keys.push(k);
    else groups.push({ keys: [k], rec });
  }
  return groups.map((g) => ({
    keys: g.keys,
    title: mergedTitle(g.keys),
    testId: TEST_IDS[g.keys[0]!],
    rec: g.rec,
  }));
}

/** "2 threads · off", "2 × 4 threads · spread · batch 8 · fp32": a configuration named in a line. */
export function configName(c: ConfigLike, withPlacement = false): string {
  const threads = `${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  return [
    c.instances > 1 ? `${c.instances} × ${threads}` : threads,
    withPlacement ? c.placement : '',
    c.batch !== null ? `batch ${c.batch}` : '',
    c.variant,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Digits that keep about three significant figures: 0.98 → "0.980", 24.9 → "24.9", 1234 → "1234". */
export function num(v: number): string {
  const a = Math.abs(v);
  if (a >= 100 || a === 0) return v.toFixed(a >= 100 ? 0 : 2);
  return v.toFixed(Math.max(0, 2 - Math.floor(Math.log10(a))));
}

/** Half the width of a confidence interval; the t interval of a mean is symmetric about it. */
export function halfWidth(ci: readonly [number, number]): number {
  return (ci[1] - ci[0]) / 2;
}

/** "12.3 ms ± 0.40 (95 % CI)", or "12.3 ms (no interval: one value)" without one. */
export function ciText(
  mean: number | null,
  ci: readonly [number, number] | null | undefined,
  unit: string,
): string {
  if (mean === null) return '—';
  const u = unit ? ` ${unit}` : '';
  if (!ci) return `${num(mean)}${u} (no interval: one value)`;
  return `${num(mean)}${u} ± ${num(halfWidth(ci))} (95 % CI)`;
}

/** The statistics of a recommendation's configuration, when the record has them. */
export function statsOf(
  rec: Recommendation | null,
  configs: readonly ConfigStats[] | undefined,
): ConfigStats | null {
  if (!rec || !configs || typeof rec.config !== 'number') return null;
  return configs[rec.config] ?? null;
}

export interface CardFigures {
  latency: string;
  throughput: string;
  perCore: string;
}

/** A card's three figures: with their interval when the record has statistics, else the means as before. */
export function cardFigures(rec: Recommendation, stats: ConfigStats | null): CardFigures {
  const unit = stats?.throughputStats.unit ?? '';
  const per = unit ? `${unit} per core` : '/s per core';
  if (!stats)
    return {
      latency: rec.latencyMs === null ? '—' : `${rec.latencyMs.toFixed(2)} ms`,
      throughput: rec.throughput === null ? '—' : `${rec.throughput.toFixed(1)}/s`,
      perCore: rec.perCore === null ? '—' : `${rec.perCore.toFixed(1)}/s per core`,
    };
  const l = stats.latencyStats;
  const t = stats.throughputStats;
  const ci = t.ci95;
  return {
    latency: ciText(l.meanMs, l.ci95Ms, 'ms'),
    throughput: ciText(t.value, ci, unit || '/s'),
    perCore: ciText(
      t.value === null ? null : t.value / stats.cores,
      ci ? [ci[0] / stats.cores, ci[1] / stats.cores] : null,
      per,
    ),
  };
}

export interface TieLine {
  /** Which answer the line is about; null when it is the card's only (or every answer's) tie. */
  about: CardKey | null;
  names: string[];
}

/**
 * "tied with: …" lines of a card. A recommendation that is not significant and has others it cannot be told
 * apart from is tied; one line for the card when its answers are tied with the same configurations.
 */
export function tieLines(
  card: CardModel,
  best: Pick<SweepBest, CardKey>,
  configs: readonly ConfigStats[] | undefined,
  withPlacement = false,
): TieLine[] {
  const per = card.keys.flatMap((k) => {
    const r = best[k];
    return r && isTied(r) ? [{ key: k, ids: r.tiedWith }] : [];
  });
  if (per.length === 0) return [];
  const nameOf = (i: number) => {
    const c = configs?.[i];
    return c ? configName(c, withPlacement) : `configuration ${i + 1}`;
  };
  const same = per.every((p) => JSON.stringify(p.ids) === JSON.stringify(per[0]!.ids));
  if (same && per.length === card.keys.length) return [{ about: null, names: per[0]!.ids.map(nameOf) }];
  return per.map((p) => ({ about: p.key, names: p.ids.map(nameOf) }));
}

/** Not significant, with named configurations it cannot be told apart from (older records have neither). */
export function isTied(r: Recommendation): boolean {
  return r.significant === false && Array.isArray(r.tiedWith) && r.tiedWith.length > 0;
}

export const SHORT_TITLES = SHORT;

/**
 * Where the cards' answers come from. A finished record with `configs` carries the engine's own, tested
 * recommendations; while a sweep runs, or for a record from before statistics, they are worked out here from the
 * rows, as before (no significance, so no "tied").
 */
export function hasEngineStats(record: SweepRecord | null, running: boolean): boolean {
  return Boolean(record && !running && Array.isArray(record.configs) && record.best);
}

/** The rows (repetitions) of one configuration. */
export function rowsOfConfig(rows: readonly SweepRow[], c: ConfigLike): SweepRow[] {
  return rows.filter(
    (r) =>
      r.threads === c.threads &&
      r.instances === c.instances &&
      r.placement === c.placement &&
      r.variant === c.variant &&
      r.batch === c.batch,
  );
}

/** What the engine probe found in the workload's interpreter: whether engine variables could change anything. */
export function engineText(e: EngineInfo): string {
  const parts = [
    e.present ? `Ampere engine present${e.version ? ` (${e.version})` : ''}` : 'No Ampere engine',
    e.python ? `Python ${e.python}` : '',
    e.torch ? `PyTorch ${e.torch}` : '',
    e.error ? `probe: ${e.error}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}
