import { Fragment } from 'react';
import type { VarSpec } from './variables';
import { HelpButton } from './Help';
import './command.css';

/**
 * One variable's three states: absent (the engine's default or the value derived from the selection), an
 * explicit value, and explicitly unset (removed from the inherited environment).
 */
export type VarState = { mode: 'absent' } | { mode: 'value'; value: string } | { mode: 'unset' };

/** The columns of the table (the effect shares the name's cell); the help row spans them all. */
export const VAR_COLUMNS = 4;

/**
 * What the row's state badge says, in words (never colour alone). An explicit value or unset replaces what the
 * tool would derive, so "derived" shows only while the user has not decided.
 */
function badgeOf(spec: VarSpec, state: VarState): { text: string; kind: string; title: string } {
  if (state.mode === 'value')
    return { text: 'set', kind: 'set', title: 'Set here: this value is used as is' };
  if (state.mode === 'unset')
    return { text: 'unset', kind: 'set', title: 'Removed from the environment the run inherits' };
  if (spec.derived)
    return { text: 'derived', kind: 'derived', title: 'The tool sets it from the run settings' };
  if (spec.default !== null)
    return { text: 'default', kind: 'default', title: `Not set: the engine assumes ${spec.default}` };
  return { text: 'not set', kind: 'default', title: 'Not set: the feature stays off' };
}

/** A long name may break after its underscores, so the name column can stay narrow. */
function breakable(name: string) {
  const parts = name.split('_');
  return parts.map((p, i) => (
    <Fragment key={i}>
      {p}
      {i < parts.length - 1 && (
        <>
          _<wbr />
        </>
      )}
    </Fragment>
  ));
}

export function VariableRow({
  spec,
  state,
  derivedValue,
  helpOpen,
  onToggleHelp,
  onChange,
}: {
  spec: VarSpec;
  state: VarState;
  /** What the builder sets when the user does not: shown so "absent" is never a mystery. */
  derivedValue: string | null;
  helpOpen: boolean;
  onToggleHelp(): void;
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
  const helpId = `var-help-${spec.name}`;
  const badge = badgeOf(spec, state);
  return (
    <>
      <tr className={`var-row ${state.mode !== 'absent' ? 'is-set' : ''}`} data-var={spec.name}>
        <th scope="row" className="var-name-cell">
          <div className="var-name-wrap">
            <span className="var-name-line">
              <label htmlFor={id} className="mono var-name">
                {breakable(spec.name)}
              </label>
              {spec.deprecated && (
                <span className="badge warn" title={spec.deprecated}>
                  deprecated
                </span>
              )}
            </span>
            <span className="var-effect muted" title={spec.effect}>
              {spec.effect}
            </span>
          </div>
        </th>
        <td className="var-state-cell">
          <span className={`badge state-${badge.kind}`} title={badge.title} data-testid={`${id}-state`}>
            {badge.text}
          </span>
        </td>
        <td className="var-value-cell">
          <VarControl id={id} spec={spec} state={state} absentLabel={absentLabel} onChange={onChange} />
        </td>
        <td className="var-help-cell">
          <HelpButton
            topic={spec.name}
            expanded={helpOpen}
            controls={helpId}
            onToggle={onToggleHelp}
            testId={`${id}-help`}
          />
        </td>
      </tr>
      <tr id={helpId} className="var-help-row" hidden={!helpOpen} data-help-for={spec.name}>
        <td colSpan={VAR_COLUMNS}>{helpOpen && <VarHelp spec={spec} derivedValue={derivedValue} />}</td>
      </tr>
    </>
  );
}

function VarHelp({ spec, derivedValue }: { spec: VarSpec; derivedValue: string | null }) {
  return (
    <div className="var-desc muted" data-testid={`var-${spec.name}-help-text`}>
      <p>
        {spec.description}
        {spec.default !== null && <> Default: {spec.default}.</>}
      </p>
      {spec.derived && (
        <p>
          Derived: unless you choose a value here, the tool writes it from the run settings
          {derivedValue !== null ? (
            <>
              {' '}
              (now <code>{derivedValue}</code>).
            </>
          ) : (
            '.'
          )}
        </p>
      )}
      {spec.deprecated && (
        <p>
          <b>Deprecated:</b> {spec.deprecated}
        </p>
      )}
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
