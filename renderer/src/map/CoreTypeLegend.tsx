import type { CoreTypeInfo } from '../../../app/shared/topology';
import { formatCpuList } from '../../../app/shared/cpulist';
import './coreTypes.css';

/**
 * Core types on the map (big.LITTLE / DynamIQ, x86 P/E cores): every CPU cell gets a stripe along its top edge in
 * its type's colour, and the legend names each type, fastest first. The stripe is the one edge no other mark
 * uses (fill: selection and unavailability; bottom: load; left: a run's busy share), so types read together with
 * everything else. A uniform machine shows nothing: one type says nothing the header does not.
 */

/** Distinct in hue and in lightness (greyscale), fastest type first. */
const COLOURS = ['#d9480f', '#1c7ed6', '#2b8a3e', '#ae3ec9', '#f08c00', '#495057'];

export function coreTypeColour(rank: number): string {
  return COLOURS[Math.min(rank, COLOURS.length - 1)]!;
}

/**
 * The per-CPU stripes, as one style rule per type keyed by the cells' data-cpu: the map's cells stay
 * unaware of types, so its layout can change freely.
 */
export function CoreTypeShading({ types }: { types: CoreTypeInfo[] | undefined }) {
  if (!types || types.length < 2) return null;
  const rules = types
    .map((t, rank) => {
      const cells = t.cpus.map((id) => `.topology-map .cpu-cell[data-cpu="${id}"]`).join(',');
      return `${cells}{--core-type:${coreTypeColour(rank)}}`;
    })
    .join('\n');
  return <style data-testid="core-type-shading">{rules}</style>;
}

/** The legend entries: one swatch per type with its CPUs and capacity. */
export function CoreTypeLegend({ types }: { types: CoreTypeInfo[] | undefined }) {
  if (!types || types.length < 2) return null;
  return (
    <div className="map-legend muted core-type-legend" data-testid="map-legend-core-types">
      <span>Core types, fastest first (the stripe along the top of each CPU):</span>
      {types.map((t, rank) => (
        <span key={t.name} className="core-type-entry" data-core-type={t.name}>
          <i
            className="cpu-cell core-type-swatch"
            style={{ ['--core-type' as string]: coreTypeColour(rank) }}
          />
          {t.name} — {t.cpus.length === 1 ? 'CPU' : 'CPUs'} {formatCpuList(t.cpus)}
          {t.capacity !== null && t.capacity !== undefined ? ` · capacity ${t.capacity}` : ''}
        </span>
      ))}
    </div>
  );
}
