import { useCallback, useEffect, useState } from 'react';
import { call } from '../api';
import { useApp } from '../store';
import { Section } from '../common/Section';
import { downloadText } from '../common/download';
import type { ProfileEntry } from '../../../app/shared/contract';

/** Named settings kept under the data directory: save, load, delete, export and import as JSON files. */
export function ProfilesPanel() {
  const { settings, setSettings, selectCpus } = useApp();
  const [profiles, setProfiles] = useState<ProfileEntry[]>([]);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const say = (text: string, error = false) => setMessage({ text, error });
  const fail = (e: Error) => say(e.message, true);

  const refresh = useCallback(() => {
    call('profiles.list', {}).then(setProfiles, (e: Error) => setMessage({ text: e.message, error: true }));
  }, []);
  useEffect(refresh, [refresh]);

  const save = () => {
    const n = name.trim();
    if (!n) return;
    call('profiles.save', { name: n, settings }).then(() => {
      say(`Saved "${n}".`);
      setName('');
      refresh();
    }, fail);
  };
  const load = (n: string) =>
    call('profiles.load', { name: n }).then((s) => {
      setSettings(s);
      selectCpus(s.cpus);
      say(`Loaded "${n}".`);
    }, fail);
  const remove = (n: string) =>
    call('profiles.delete', { name: n }).then(() => {
      say(`Deleted "${n}".`);
      refresh();
    }, fail);
  const exportOne = (n: string) =>
    call('profiles.export', { name: n }).then((r) => {
      downloadText(r.fileName, r.json);
      say(`Exported "${n}" as ${r.fileName}.`);
    }, fail);
  const importFile = (f: File) =>
    f
      .text()
      .then((json) => call('profiles.import', { json }))
      .then((p) => {
        say(`Imported "${p.name}".`);
        refresh();
      }, fail);

  return (
    <Section title="Profiles" className="profiles" testId="profiles">
      <div className="field-row">
        <input
          type="text"
          aria-label="Profile name"
          data-testid="profile-name"
          placeholder="profile name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && save()}
        />
        <button type="button" data-testid="profile-save" disabled={name.trim() === ''} onClick={save}>
          Save current
        </button>
        <label className="file-button">
          Import…
          <input
            type="file"
            accept=".json,application/json"
            data-testid="profile-import"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {message && (
        <p className={message.error ? 'inline-error' : 'muted'} role="status">
          {message.text}
        </p>
      )}
      <ul className="profile-list" data-testid="profile-list">
        {profiles.length === 0 && <li className="muted">No saved profiles.</li>}
        {profiles.map((p) => (
          <li key={p.name} data-profile={p.name} className={p.error ? 'corrupt' : ''}>
            <span className="profile-name">{p.name}</span>
            {p.error ? (
              <span className="inline-error">{p.error}</span>
            ) : (
              <span className="muted">{p.savedAt ? new Date(p.savedAt).toLocaleString() : ''}</span>
            )}
            <span className="profile-actions">
              {!p.error && (
                <>
                  <button
                    type="button"
                    data-testid={`profile-load-${p.name}`}
                    onClick={() => void load(p.name)}
                  >
                    Load
                  </button>
                  <button type="button" onClick={() => void exportOne(p.name)}>
                    Export
                  </button>
                </>
              )}
              <button type="button" aria-label={`Delete ${p.name}`} onClick={() => void remove(p.name)}>
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}
