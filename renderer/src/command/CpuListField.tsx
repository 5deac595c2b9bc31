import { useEffect, useRef, useState } from 'react';
import { call } from '../api';
import { useApp, useFieldProblem } from '../store';
import { orderedCpuList } from '../../../app/shared/presets';
import { expandSelection, type Selection } from '../../../app/shared/selection';
import type { Topology } from '../../../app/shared/topology';
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
 * The expression a selection was typed as, when it still stands for exactly these CPUs on this machine: a map
 * pick, a preset or a profile of another machine leave a stale one behind, which must not be shown or saved.
 */
function standingExpr(expr: string | null | undefined, cpus: number[], t: Topology | null): string | null {
  if (!expr || !t) return null;
  const r = expandSelection(expr, t);
  const want = new Set(cpus);
  return r.errors.length === 0 && r.cpus.length === want.size && r.cpus.every((id) => want.has(id))
    ? expr
    : null;
}

/** "= CPUs 80-83" under an expression; nothing for a plain list (it is its own expansion). */
function expansionText(r: Pick<CpuValidation, 'form' | 'expansion' | 'errors'>): string | null {
  return r.form && r.form !== 'list' && r.errors.length === 0 && r.expansion ? `= CPUs ${r.expansion}` : null;
}

/**
 * The selection as text ("0-15,64-79", or an expression: `M1:0-3`, `node:1.core:all`), both ways: picking rewrites it, typing a valid list re-picks. The
 * engine's cpus.validate is the judge, so the messages match the CLI's word for word.
 */
export function CpuListField() {
  const { settings, selectCpus, patch, tree, topology } = useApp();
  const [text, setText] = useState(
    () => standingExpr(settings.cpuExpr, settings.cpus, topology) ?? orderedCpuList(settings.cpus),
  );
  const [errors, setErrors] = useState<CpuValidation['errors']>([]);
  const [expansion, setExpansion] = useState<string | null>(() =>
    settings.cpuExpr && topology ? expansionText(expandSelection(text, topology)) : null,
  );
  // The expression in the settings, read when a typed list replaces it (not a dependency of the effect below).
  const exprRef = useRef(settings.cpuExpr);
  exprRef.current = settings.cpuExpr;
  const [staleExpr, setStaleExpr] = useState(false);
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
      const expr = standingExpr(settings.cpuExpr, settings.cpus, topology);
      setText(expr ?? orderedCpuList(settings.cpus));
      setExpansion(expr && topology ? expansionText(expandSelection(expr, topology)) : null);
      setStaleExpr(!expr && !!settings.cpuExpr);
      setErrors([]);
    }
  }
  useEffect(() => {
    if (!staleExpr) return;
    setStaleExpr(false);
    patch({ cpuExpr: null });
  }, [staleExpr, patch]);

  useEffect(() => {
    if (!typed.current || !tree) return;
    const my = ++seq.current;
    // A list takes the map's order (node by node); an expression keeps its own (likwid pins in the order it
    // names CPUs) and is kept as typed beside its expansion, for profiles and sweeps.
    const apply = (r: Pick<Selection, 'cpus' | 'repeated' | 'form'>) => {
      if (r.form === 'list' || r.form === undefined) {
        const ordered = withRepeats(orderSelection(tree, r.cpus), r.repeated);
        ownKey.current = ordered.join(',');
        selectCpus(ordered);
        if (exprRef.current) patch({ cpuExpr: null });
      } else {
        const ordered = withRepeats(r.cpus, r.repeated);
        ownKey.current = ordered.join(',');
        patch({ cpus: ordered, cpuExpr: text });
      }
    };
    // A valid text is applied at once (the same pure evaluation the engine runs), so a Start clicked right after
    // typing runs on what is in the field; the engine's answer below still decides the messages.
    const local = topology ? expandSelection(text, topology) : null;
    // An invalid text blocks Start at once, not only once the engine has answered.
    if (local && local.errors.length > 0) setErrors(local.errors);
    if (local) setExpansion(expansionText(local));
    if (local && local.errors.length === 0) {
      setErrors([]);
      apply(local);
    }
    const timer = setTimeout(() => {
      call('cpus.validate', { text }).then(
        (r) => {
          if (my !== seq.current) return;
          setErrors(r.errors);
          setExpansion(expansionText(r));
          if (r.errors.length > 0) return;
          apply({ cpus: r.cpus, repeated: r.repeated ?? [], form: r.form ?? 'list' });
        },
        (e: Error) => {
          if (my === seq.current) setErrors([{ token: text, message: e.message }]);
        },
      );
    }, VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, tree, topology, selectCpus, patch]);

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
        placeholder="e.g. 0-15,64-79, M1:0-3 or node:1.core:all"
        aria-invalid={errors.length > 0}
        aria-describedby="cpu-list-expansion cpu-list-errors"
        onChange={(e) => {
          typed.current = true;
          setText(e.target.value);
        }}
      />
      <output id="cpu-list-expansion" className="mono muted" data-testid="cpu-list-expansion">
        {expansion ?? ''}
      </output>
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
