/**
 * Where the tuner reads, runs and bundles: this machine, an SSH host or a Docker container. A small header
 * control: it shows the active target, and opens a panel to add one (URL + Test), choose one, or remove one.
 * Choosing a target reloads the map with that machine (its origin names the target).
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { call } from '../api';
import { useApp } from '../store';
import type { ApiResults } from '../../../app/shared/contract';
import './targets.css';

type TargetList = ApiResults['targets.list'];
type TargetCheck = ApiResults['targets.test'];

const EXAMPLES = 'ssh://me@server · ssh://me@server:2222 · docker://aio · ssh://me@server/docker/aio';

export function TargetPicker() {
  const { setTopology } = useApp();
  const [list, setList] = useState<TargetList | null>(null);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [check, setCheck] = useState<TargetCheck | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const inputId = useId();

  const refresh = useCallback(() => {
    call('targets.list', {}).then(setList, (e: Error) => setMessage({ text: e.message, error: true }));
  }, []);
  useEffect(refresh, [refresh]);

  const active = list?.targets.find((t) => t.active);
  // Long-running actions (a first ssh login, a probe) keep the panel honest about what is going on.
  const run = async <T,>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(what);
    setMessage(null);
    try {
      return await fn();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
      return undefined;
    } finally {
      setBusy(null);
    }
  };

  const test = () =>
    void run('Testing…', async () => {
      setCheck(await call('targets.test', { url: url.trim() }));
    });
  const add = () =>
    void run('Adding…', async () => {
      setList(await call('targets.add', { url: url.trim() }));
      setUrl('');
      setCheck(null);
    });
  const select = (target: string) =>
    void run('Connecting…', async () => {
      const r = await call('targets.select', { url: target });
      setList(r.list);
      setTopology(r.topology);
      setMessage({ text: `Now showing ${r.topology.origin ?? target}.`, error: false });
    });
  const remove = (target: string) =>
    void run('Removing…', async () => {
      const wasActive = list?.active === target;
      setList(await call('targets.remove', { url: target }));
      // Removing the active target falls back to this machine: show it.
      if (wasActive) setTopology(await call('topology.get', {}));
    });

  return (
    <details className="target-picker" data-testid="target-picker">
      <summary title="Where runs, the map and support bundles come from">
        <span className="muted">Target:</span>{' '}
        <strong data-testid="target-active">{active?.label ?? 'this machine'}</strong>
        {busy && <span className="muted"> · {busy}</span>}
      </summary>
      <div className="target-panel">
        {list?.problem && <p className="inline-error">{list.problem}</p>}
        <ul className="target-list" data-testid="target-list">
          {list?.targets.map((t) => (
            <li key={t.url} data-target={t.url} className={t.active ? 'active' : ''}>
              <span className="target-label" title={t.url}>
                {t.name ? `${t.name} — ` : ''}
                {t.label}
              </span>
              <span className="target-actions">
                {t.active ? (
                  <span className="muted">active</span>
                ) : (
                  <button type="button" disabled={busy !== null} onClick={() => select(t.url)}>
                    Use
                  </button>
                )}
                {t.kind !== 'local' && (
                  <button
                    type="button"
                    aria-label={`Remove ${t.label}`}
                    disabled={busy !== null}
                    onClick={() => remove(t.url)}
                  >
                    Remove
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
        <label htmlFor={inputId} className="muted">
          Add a target
        </label>
        <div className="field-row">
          <input
            id={inputId}
            type="text"
            className="wide mono"
            data-testid="target-url"
            placeholder="ssh://user@host[:port]"
            spellCheck={false}
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              setCheck(null);
            }}
            onKeyDown={(e) => e.key === 'Enter' && url.trim() && test()}
          />
          <button
            type="button"
            data-testid="target-test"
            disabled={!url.trim() || busy !== null}
            onClick={test}
          >
            Test
          </button>
          <button
            type="button"
            data-testid="target-add"
            disabled={!url.trim() || busy !== null}
            onClick={add}
          >
            Add
          </button>
        </div>
        <p className="muted target-hint">
          {EXAMPLES}. Your ~/.ssh/config, keys and agent are used; AIO Tuner never asks for a password.{' '}
          <span data-testid="target-config-hint">
            Another ssh config file: add <code>?config=FILE</code>, e.g.{' '}
            <code>ssh://me@server?config=/home/me/lab.ssh_config</code>.
          </span>
        </p>
        {check && (
          <p className={check.ok ? 'target-ok' : 'inline-error'} role="status" data-testid="target-check">
            {check.message}
            {check.ok && check.url !== 'local' && (
              <>
                {' '}
                <button type="button" disabled={busy !== null} onClick={() => select(check.url)}>
                  Use it
                </button>
              </>
            )}
          </p>
        )}
        {message && (
          <p className={message.error ? 'inline-error' : 'muted'} role="status">
            {message.text}
          </p>
        )}
      </div>
    </details>
  );
}
