import { useEffect, useState } from 'react';
import { call } from '../api';
import { clearEnvKey, useApp } from '../store';
import type { RunSettings } from '../../../app/shared/command';
import { normalizeVariables, type VarSpec } from './variables';
import { VariableRow, type VarState } from './VariableRow';

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
  useEffect(() => {
    call('command.variables', {}).then(
      (v) => setVars(normalizeVariables(v)),
      () => setVars([]),
    );
  }, []);
  return vars;
}

/** Every catalogued variable, current ones first, deprecated names folded away unless in use. */
export function VariablesTable({ vars }: { vars: VarSpec[] }) {
  const { settings, setSettings, built } = useApp();
  const [showDeprecated, setShowDeprecated] = useState(false);
  const visible = vars.filter((v) => !v.deprecated || showDeprecated || v.name in settings.env);
  return (
    <div className="variables" data-testid="variables">
      {visible.map((v) => (
        <VariableRow
          key={v.name}
          spec={v}
          state={stateOf(settings, v.name)}
          derivedValue={built?.env[v.name] ?? null}
          onChange={(st) => setSettings(withState(settings, v.name, st))}
        />
      ))}
      <label className="toggle">
        <input
          type="checkbox"
          checked={showDeprecated}
          onChange={(e) => setShowDeprecated(e.target.checked)}
        />
        show deprecated names (AIO_QUANTIZE_INT8, DLS_*)
      </label>
    </div>
  );
}
