import { useState } from 'react';
import { clearEnvKey, useApp } from '../store';
import { isValidEnvName } from '../../../app/shared/quote';

/** Variables outside the catalogue (e.g. PYTHONPATH, HF_HOME): add, edit, explicitly unset, remove. */
export function ExtraEnvEditor({ known }: { known: Set<string> }) {
  const { settings, setSettings, patch } = useApp();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const extra = Object.entries(settings.env).filter(([k]) => !known.has(k));
  const nameError =
    name === '' ? null : !isValidEnvName(name) ? 'letters, digits and _, not starting with a digit' : null;
  const add = () => {
    if (name === '' || nameError) return;
    patch({ env: { [name]: value } });
    setName('');
    setValue('');
  };
  return (
    <div className="extra-env" data-testid="extra-env">
      {extra.length === 0 && <p className="muted">No extra variables.</p>}
      {extra.map(([k, v]) => (
        <div key={k} className="env-row" data-env={k}>
          <code className="var-name">{k}</code>
          {v === null ? (
            <span className="muted">unset (removed from the environment)</span>
          ) : (
            <input
              type="text"
              className="mono"
              aria-label={`${k} value`}
              spellCheck={false}
              value={v}
              onChange={(e) => patch({ env: { [k]: e.target.value } })}
            />
          )}
          <button type="button" onClick={() => patch({ env: { [k]: v === null ? '' : null } })}>
            {v === null ? 'Set' : 'Unset'}
          </button>
          <button
            type="button"
            aria-label={`Remove ${k}`}
            onClick={() => setSettings(clearEnvKey(settings, k))}
          >
            Remove
          </button>
        </div>
      ))}
      <div className="env-row env-add">
        <input
          type="text"
          className="mono"
          aria-label="New variable name"
          data-testid="env-new-name"
          placeholder="NAME"
          value={name}
          aria-invalid={nameError !== null}
          onChange={(e) => setName(e.target.value)}
        />
        <input
          type="text"
          className="mono"
          aria-label="New variable value"
          data-testid="env-new-value"
          placeholder="value"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && add()}
        />
        <button
          type="button"
          data-testid="env-add"
          disabled={name === '' || nameError !== null}
          onClick={add}
        >
          Add
        </button>
      </div>
      {nameError && <p className="inline-error">{nameError}</p>}
    </div>
  );
}
