import { useEffect, useRef, useState } from 'react';
import { call } from '../api';
import { useApp, useFieldProblem } from '../store';
import { orderedCpuList, validateCpuList } from '../../../app/shared/presets';
import { orderSelection } from '../map/selection';
import type { CpuValidation } from '../../../app/shared/contract';

const VALIDATE_DELAY_MS = 250;

/**
 * A CPU typed twice stays twice in the settings: the command binds it once either way, and the engine's
 * cpus-duplicate check (with its fix) then tells the user, as it does for `--cores 0,0,1` and imported lines.
 */
function withRepeats(ordered: number[], repeated: number[] | undefined): number[] {
  return repeated && repeated.length > 0 ? [...ordered, ...repeated] : ordered;
}

/**
 * The selection as text ("0-15,64-79"), both ways: picking rewrites it, typing a valid list re-picks. The
 * engine's cpus.validate is the judge, so the messages match the CLI's word for word.
 */
export function CpuListField() {
  const { settings, selectCpus, tree, topology } = useApp();
  const [text, setText] = useState(() => orderedCpuList(settings.cpus));
  const [errors, setErrors] = useState<CpuValidation['errors']>([]);
  // The selection this field itself produced: when the store echoes it back, the user's spelling is kept.
  const ownKey = useRef<string | null>(null);
  const typed = useRef(false);
  const seq = useRef(0);

  // Adjusted during render, not in an effect: an effect would paint the map's new selection one frame before
  // the field's text, and anything reading both at once (a user's eye, a test) would see them disagree.
  const [shown, setShown] = useState(settings.cpus);
  if (shown !== settings.cpus) {
    setShown(settings.cpus);
    if (ownKey.current !== settings.cpus.join(',')) {
      ownKey.current = null;
      typed.current = false;
      seq.current++;
      setText(orderedCpuList(settings.cpus));
      setErrors([]);
    }
  }

  useEffect(() => {
    if (!typed.current || !tree) return;
    const my = ++seq.current;
    // A valid list is applied at once (the same pure check the engine runs), so a Start clicked right after
    // typing runs on what is in the field; the engine's answer below still decides the messages.
    const local = topology ? validateCpuList(text, topology) : null;
    // An invalid list blocks Start at once, not only once the engine has answered.
    if (local && local.errors.length > 0) setErrors(local.errors);
    if (local && local.errors.length === 0) {
      setErrors([]);
      const ordered = withRepeats(orderSelection(tree, local.cpus), local.repeated);
      ownKey.current = ordered.join(',');
      selectCpus(ordered);
    }
    const timer = setTimeout(() => {
      call('cpus.validate', { text }).then(
        (r) => {
          if (my !== seq.current) return;
          setErrors(r.errors);
          if (r.errors.length > 0) return;
          const ordered = withRepeats(orderSelection(tree, r.cpus), r.repeated);
          ownKey.current = ordered.join(',');
          selectCpus(ordered);
        },
        (e: Error) => {
          if (my === seq.current) setErrors([{ token: text, message: e.message }]);
        },
      );
    }, VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, tree, topology, selectCpus]);

  useFieldProblem('CPU list', errors.length > 0 ? errors.map((e) => e.message).join('; ') : null);

  return (
    <div className="cpu-list-field">
      <label htmlFor="cpu-list-input">CPU list</label>
      <input
        id="cpu-list-input"
        type="text"
        className={`mono ${errors.length ? 'has-error' : ''}`}
        data-testid="cpu-list"
        value={text}
        spellCheck={false}
        placeholder="e.g. 0-15,64-79"
        aria-invalid={errors.length > 0}
        aria-describedby="cpu-list-errors"
        onChange={(e) => {
          typed.current = true;
          setText(e.target.value);
        }}
      />
      <ul id="cpu-list-errors" className="inline-errors" data-testid="cpu-list-error" aria-live="polite">
        {errors.map((err, i) => (
          <li key={i} data-token={err.token}>
            <code className="bad-token">{err.token}</code> {err.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
