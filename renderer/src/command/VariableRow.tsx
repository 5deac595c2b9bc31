import type { VarSpec } from './variables';
import './command.css';

/**
 * One variable's three states: absent (the engine's default or the value derived from the selection), an
 * explicit value, and explicitly unset (removed from the inherited environment).
 */
export type VarState = { mode: 'absent' } | { mode: 'value'; value: string } | { mode: 'unset' };

export function VariableRow({
  spec,
  state,
  derivedValue,
  onChange,
}: {
  spec: VarSpec;
  state: VarState;
  /** What the builder sets when the user does not: shown so "absent" is never a mystery. */
  derivedValue: string | null;
  onChange(next: VarState): void;
}) {
  const absentLabel =
    spec.derived && derivedValue !== null
      ? `derived: ${derivedValue}`
      : spec.default !== null
        ? `not set (engine default ${spec.default})`
        : spec.derived
          ? 'derived (nothing to set yet)'
          : 'not set';
  const id = `var-${spec.name}`;
  return (
    <div className={`var-row ${state.mode !== 'absent' ? 'is-set' : ''}`} data-var={spec.name}>
      <div className="var-head">
        <label htmlFor={id} className="mono var-name">
          {spec.name}
        </label>
        {/* An explicit value or unset replaces what the tool would derive: the badge would then mislead. */}
        {spec.derived && state.mode === 'absent' && <span className="badge">derived</span>}
        {spec.deprecated && (
          <span className="badge warn" title={spec.deprecated}>
            deprecated
          </span>
        )}
        <VarControl id={id} spec={spec} state={state} absentLabel={absentLabel} onChange={onChange} />
      </div>
      <p className="var-desc muted">
        {spec.description}
        {spec.default !== null && <> Default: {spec.default}.</>}
      </p>
    </div>
  );
}

const ABSENT = '__absent__';
const UNSET = '__unset__';
const VALUE = '__value__';

function VarControl({
  id,
  spec,
  state,
  absentLabel,
  onChange,
}: {
  id: string;
  spec: VarSpec;
  state: VarState;
  absentLabel: string;
  onChange(next: VarState): void;
}) {
  const fromSelect = (v: string): VarState =>
    v === ABSENT ? { mode: 'absent' } : v === UNSET ? { mode: 'unset' } : { mode: 'value', value: v };

  if (spec.kind === 'enum' && spec.options) {
    const options = spec.options;
    // A value outside the catalogue (e.g. imported) must still show, or the select would lie about the state.
    const extra =
      state.mode === 'value' && !options.some((o) => o.value === state.value) ? state.value : null;
    const current = state.mode === 'absent' ? ABSENT : state.mode === 'unset' ? UNSET : state.value;
    return (
      <select id={id} data-testid={id} value={current} onChange={(e) => onChange(fromSelect(e.target.value))}>
        <option value={ABSENT}>{absentLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.value}
            {o.label ? ` — ${o.label}` : ''}
          </option>
        ))}
        {extra !== null && <option value={extra}>{extra} (not a known value)</option>}
        <option value={UNSET}>unset (remove from the environment)</option>
      </select>
    );
  }

  const mode = state.mode === 'absent' ? ABSENT : state.mode === 'unset' ? UNSET : VALUE;
  return (
    <span className="var-free">
      <select
        id={id}
        data-testid={id}
        value={mode}
        onChange={(e) => {
          const v = e.target.value;
          if (v === VALUE)
            onChange({ mode: 'value', value: state.mode === 'value' ? state.value : (spec.default ?? '') });
          else onChange(fromSelect(v));
        }}
      >
        <option value={ABSENT}>{absentLabel}</option>
        <option value={VALUE}>set to…</option>
        <option value={UNSET}>unset (remove from the environment)</option>
      </select>
      {state.mode === 'value' && (
        <input
          type={spec.kind === 'int' ? 'number' : 'text'}
          min={spec.min ?? undefined}
          className="mono"
          aria-label={`${spec.name} value`}
          data-testid={`${id}-value`}
          spellCheck={false}
          value={state.value}
          placeholder={spec.kind === 'regex' ? 'regular expression, e.g. .*' : ''}
          onChange={(e) => onChange({ mode: 'value', value: e.target.value })}
        />
      )}
    </span>
  );
}
