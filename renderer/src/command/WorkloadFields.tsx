import { useApp, useFieldProblem } from '../store';
import { useSyncedText } from '../common/useSyncedText';
import { shellJoin, shellSplit } from './shellWords';
import { defaultWorkdirText } from '../targets/workdir';
import { OneLineNote } from './Help';

/** The program to run, typed as one shell line (quotes respected), and where it runs. */
export function WorkloadFields() {
  const { settings, patch, system, topology } = useApp();
  const workload = useSyncedText(shellJoin(settings.workload), (text) => {
    try {
      const argv = shellSplit(text);
      workload.expect(shellJoin(argv));
      patch({ workload: argv });
      return argv.length === 0 ? 'the workload is empty: nothing would run' : null;
    } catch (e) {
      return (e as Error).message;
    }
  });
  useFieldProblem('Workload', workload.error);
  const isExample = system !== null && system.exampleWorkload.join('\0') === settings.workload.join('\0');
  const cwd = useSyncedText(settings.cwd ?? '', (text) => {
    cwd.expect(text);
    patch({ cwd: text === '' ? null : text });
    return null;
  });
  return (
    <div className="field-group" role="group" aria-label="Workload">
      <label htmlFor="workload-input">Workload</label>
      <input
        id="workload-input"
        type="text"
        className="mono wide"
        data-testid="workload"
        spellCheck={false}
        // Until the engine has answered, the default workload may still be swapped for the example one: typing
        // then would be merged with it, so the field waits.
        disabled={system === null}
        value={workload.text}
        aria-invalid={workload.error !== null}
        onChange={(e) => workload.onChange(e.target.value)}
      />
      {workload.error && <p className="inline-error">{workload.error}</p>}
      {system && isExample && <ExampleNote note={system.exampleNote} found={system.examplePython !== null} />}
      <label htmlFor="cwd-input">Working directory</label>
      <input
        id="cwd-input"
        type="text"
        className="mono wide"
        data-testid="cwd"
        spellCheck={false}
        placeholder={defaultWorkdirText(topology?.origin, system?.cwd ?? null)}
        value={cwd.text}
        onChange={(e) => cwd.onChange(e.target.value)}
      />
    </div>
  );
}

function ExampleNote({ note, found }: { note: string; found: boolean }) {
  return (
    <OneLineNote
      topic="the example's interpreter"
      className={found ? 'muted hint' : 'warn-text hint'}
      data-testid="example-interpreter"
      data-found={String(found)}
    >
      {note}
    </OneLineNote>
  );
}
