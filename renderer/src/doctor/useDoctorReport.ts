/**
 * The host doctor's report (`doctor.run`) for the machine the next run goes to and the form's settings. It is
 * asked again when what the checks depend on changes — the selection, the memory policy and its nodes (the
 * binding dry-run, the nodes' free memory), the workload's interpreter and directory (the engine probe) — and
 * when the target changes; edits elsewhere in the form (variables, arguments) do not re-examine the machine.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunSettings } from '../../../app/shared/command';
import type { DoctorReport } from '../../../app/shared/doctor';
import { call } from '../api';
import { useApp } from '../store';

/** Typing a CPU list or a workload path fires many changes; the checks run once the form is still for this long. */
export const DOCTOR_DEBOUNCE_MS = 400;

export interface DoctorState {
  /** The last report for the current machine; kept while a new check runs so the panel does not flicker. */
  report: DoctorReport | null;
  /** Why the last check gave no report (the engine's message), or null. */
  error: string | null;
  checking: boolean;
  /** The target the checks are for: "local" (this machine) or its URL; null until known. */
  target: string | null;
  /** Check again now (the "Check again" button). */
  recheck(): void;
}

/** What the doctor's verdict depends on in the form (see the module comment). */
function doctorKey(s: RunSettings): string {
  return JSON.stringify([s.cpus, s.memPolicy, s.memNodes, s.workload[0] ?? null, s.cwd]);
}

/**
 * The active target ("local" or a URL). Choosing or removing a target replaces the map's topology, so the list
 * is read again whenever the topology changes.
 */
function useActiveTarget(): string | null {
  const { topology } = useApp();
  const [active, setActive] = useState<string | null>(null);
  useEffect(() => {
    if (!topology) return;
    let live = true;
    call('targets.list', {}).then(
      (l) => live && setActive(l.active),
      // The list could not be read: runs then go to this machine (targets.list says the same).
      () => live && setActive('local'),
    );
    return () => {
      live = false;
    };
  }, [topology]);
  return active;
}

export function useDoctorReport(): DoctorState {
  const { settings, system } = useApp();
  const target = useActiveTarget();
  // Each answer remembers the target it is about: after a switch the last machine's report is not shown as this one's.
  const [result, setResult] = useState<{
    target: string;
    report: DoctorReport | null;
    error: string | null;
  } | null>(null);
  const [checking, setChecking] = useState(false);
  const seq = useRef(0);
  // The checks read the settings as they are when they start; the key alone decides when that is.
  const latest = useRef(settings);
  latest.current = settings;
  const key = useMemo(() => doctorKey(settings), [settings]);

  const check = useCallback(() => {
    if (target === null) return;
    const my = ++seq.current;
    setChecking(true);
    call('doctor.run', {
      ...(target !== 'local' ? { target } : {}),
      settings: latest.current,
    }).then(
      (r) => {
        if (my !== seq.current) return; // a later check is on its way: its answer is the one to show
        setResult({ target, report: r, error: null });
        setChecking(false);
      },
      (e: Error) => {
        if (my !== seq.current) return;
        // A report for other settings would mislead: the error takes its place.
        setResult({ target, report: null, error: e.message });
        setChecking(false);
      },
    );
  }, [target]);

  // `system` is in once the saved form is: checking the placeholder settings first would be wasted.
  const ready = system !== null && target !== null;
  useEffect(() => {
    if (!ready) return;
    const t = setTimeout(check, DOCTOR_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [ready, key, check]);

  const current = result !== null && result.target === target ? result : null;
  return {
    report: current?.report ?? null,
    error: current?.error ?? null,
    checking,
    target,
    recheck: check,
  };
}
