import { useEffect, useId, useState } from 'react';
import { call } from '../api';
import { clearEnvKey, useApp } from '../store';
import type { RunSettings } from '../../../app/shared/command';
import { matchesFilter, normalizeVariables, type VarSpec } from './variables';
import { VariableRow, type VarState } from './VariableRow';
import { EngineSelect } from './EngineSelect';

/** AIO_DEBUG_MODE has a first-class setting (debugMode); an env entry for it is only kept for "unset". */
const DEBUG = 'AIO_DEBUG_MODE';

function stateOf(s: RunSettings, name: string): VarState {
  if (name in s.env) {
    const v = s.env[name];
    return v === null || v === undefined ? { mode: 'unset' } : { mode: 'value', value: v };
  }
  if (name === DEBUG && s.debugMode !== null) return { mode: 'value', value: String(s.debugMode) };
  return { mode: 'absent' };
}

function withState(s: RunSettings, name: string, st: VarState): RunSettings {
  if (name === DEBUG) {
    const cleared = clearEnvKey(s, name);
    if (st.mode === 'value' && /^[0-4]$/.test(st.value)) return { ...cleared, debugMode: Number(st.value) };
    if (st.mode === 'unset') return { ...cleared, debugMode: null, env: { ...cleared.env, [name]: null } };
    if (st.mode === 'value')
      return { ...cleared, debugMode: null, env: { ...cleared.env, [name]: st.value } };
    return { ...cleared, debugMode: null };
  }
  if (st.mode === 'absent') return clearEnvKey(s, name);
  return { ...s, env: { ...s.env, [name]: st.mode === 'unset' ? null : st.value } };
}

export function useVariables(): VarSpec[] {
  const [vars, setVars] = useState<VarSpec[]>([]);
  const { settings, topology: machine } = useApp();
  const engine = settings.engine;
  useEffect(() => {
    let live = true;
    // Each engine has its own catalogue; the machine decides which precision choices are offered.
    call('command.variables', engine ? { engine } : {}).then(
      (v) => live && setVars(normalizeVariables(v)),
      () => live && setVars([]),
    );
    return () => {
      live = false;
    };
  }, [engine, machine]);
  return vars;
}

/**
 * Every catalogued variable as one compact row (name, state, value, what it does), current ones first,
 * deprecated names folded away unless in use. The full help of a row opens under it with its "?".
 */
export function VariablesTable({ vars }: { vars: VarSpec[] }) {
  const { settings, setSettings, built } = useApp();
  const [showDeprecated, setShowDeprecated] = useState(false);
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const filterId = useId();
  const listed = vars.filter((v) => !v.deprecated || showDeprecated || v.name in settings.env);
  const visible = listed.filter((v) => matchesFilter(v, filter));
  // Deprecated names that would match are worth a word when nothing else does: the user may be typing one.
  const hiddenMatches = vars.filter((v) => !listed.includes(v) && matchesFilter(v, filter)).length;
  const toggle = (name: string) => {
    const next = new Set(open);
    if (!next.delete(name)) next.add(name);
    setOpen(next);
  };
  return (
    <div className="variables" data-testid="variables">
      <EngineSelect />
      <div className="vars-tools">
        <label htmlFor={filterId}>Filter variables</label>
        <input
          id={filterId}
          type="search"
          className="mono"
          data-testid="variables-filter"
          spellCheck={false}
          placeholder="name or word, e.g. thread"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && filter !== '') {
              e.preventDefault();
              setFilter('');
            }
          }}
        />
        <span className="muted" role="status" data-testid="variables-count">
          {filter.trim() === '' ? '' : `${visible.length} of ${listed.length}`}
        </span>
      </div>
      <div className="vars-scroll" data-testid="variables-scroll">
        <table className="vars-table">
          <caption className="sr-only">Engine variables</caption>
          <thead>
            <tr>
              <th scope="col" className="var-name-cell">
                <div className="var-name-wrap">
                  <span className="var-name-line">Variable</span>
                  <span className="var-effect">Effect</span>
                </div>
              </th>
              <th scope="col" className="var-state-cell">
                State
              </th>
              <th scope="col" className="var-value-cell">
                Value
              </th>
              <th scope="col" className="var-help-cell">
                <span className="sr-only">Help</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {visible.map((v) => (
              <VariableRow
                key={v.name}
                spec={v}
                state={stateOf(settings, v.name)}
                derivedValue={built?.env[v.name] ?? null}
                helpOpen={open.has(v.name)}
                onToggleHelp={() => toggle(v.name)}
                onChange={(st) => setSettings(withState(settings, v.name, st))}
              />
            ))}
          </tbody>
        </table>
        {visible.length === 0 && listed.length > 0 && (
          <p className="muted vars-none" data-testid="variables-no-match">
            No variable matches “{filter.trim()}”
            {hiddenMatches > 0
              ? ` (${hiddenMatches} deprecated ${hiddenMatches === 1 ? 'name does' : 'names do'}: show deprecated names).`
              : '.'}
          </p>
        )}
      </div>
      {vars.some((v) => v.deprecated) && (
        <label className="toggle">
          <input
            type="checkbox"
            checked={showDeprecated}
            onChange={(e) => setShowDeprecated(e.target.checked)}
          />
          show deprecated names (AIO_QUANTIZE_INT8, DLS_*)
        </label>
      )}
    </div>
  );
}
