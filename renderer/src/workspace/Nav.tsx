import { AREAS, useWorkspace } from './areas';

/** One entry per area, the current one marked for assistive technology as well as by colour. */
export function Nav() {
  const { area, go } = useWorkspace();
  return (
    <nav aria-label="Areas" className="area-nav">
      {AREAS.map((a) => (
        <button
          key={a.id}
          type="button"
          data-testid={`nav-${a.id}`}
          aria-current={area === a.id ? 'page' : undefined}
          title={`${a.summary} (key ${a.key})`}
          onClick={() => go(a.id)}
        >
          <span className="nav-label">{a.label}</span>
          <kbd className="nav-key" aria-hidden="true">
            {a.key}
          </kbd>
        </button>
      ))}
    </nav>
  );
}
