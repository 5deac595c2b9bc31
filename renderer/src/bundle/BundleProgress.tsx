const STAGES: { stage: string; label: string }[] = [
  { stage: 'run', label: 'Running at AIO_DEBUG_MODE=4' },
  { stage: 'system', label: 'Describing the machine' },
  { stage: 'python', label: 'Asking Python about torch' },
  { stage: 'archive', label: 'Writing the archive' },
  { stage: 'done', label: 'Done' },
];

/**
 * The stages the engine reports, ticked off as they pass; the latest detail under the current one. A bundle of
 * a saved run runs nothing, so it has no run stage.
 */
export function BundleProgress({
  events,
  fromRun = false,
}: {
  events: { stage: string; detail?: string }[];
  fromRun?: boolean;
}) {
  const seen = new Map<string, string | undefined>();
  for (const e of events) seen.set(e.stage, e.detail);
  const last = events.at(-1)?.stage;
  return (
    <ol className="bundle-progress" data-testid="bundle-progress" aria-live="polite">
      {STAGES.filter(
        (s) => !(fromRun && s.stage === 'run') && (seen.has(s.stage) || s.stage !== 'python'),
      ).map((s) => {
        const state = !seen.has(s.stage) ? 'todo' : s.stage === last && s.stage !== 'done' ? 'now' : 'done';
        return (
          <li key={s.stage} className={`stage-${state}`} data-stage={s.stage} data-state={state}>
            {state === 'done' ? '✓' : state === 'now' ? '…' : '·'} {s.label}
            {state === 'now' && seen.get(s.stage) && (
              <span className="muted mono stage-detail"> {seen.get(s.stage)}</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
