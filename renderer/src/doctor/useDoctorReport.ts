/**
 * The host doctor's report (`doctor.run`) for the machine the next run goes to and the form's settings. It is
 * asked again when what the checks depend on changes — the selection, the memory policy and its nodes (the
 * binding dry-run, the nodes' free memory), the workload's interpreter and directory (the engine probe) — and
 * when the target changes; edits elsewhere in the form (variables, arguments) do not re-examine the machine.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunSettings } from '../../../app/shared/command';
import type { DoctorReport } from '../../../app/shared/doctor';
import { call, on } from '../api';
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
  /**
   * A run or a sweep is going: automatic checks wait for it to end (the engine probe imports PyTorch, the binding
   * dry-run starts numactl: CPU taken from the run being measured). "Check again" still checks at once.
   */
  held: boolean;
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

/** Sweeps started and ended on the engine (in this tab or another) since the page opened. */
function useSweepGoing(): boolean {
  const [going, setGoing] = useState<Set<string>>(new Set());
  useEffect(() => {
    const offs = [
      on('sweep.started', (r) => setGoing((g) => new Set(g).add(r.sweepId))),
      on('sweep.done', (r) =>
        setGoing((g) => {
          const next = new Set(g);
          next.delete(r.sweepId);
          return next;
        }),
      ),
    ];
    return () => offs.forEach((off) => off());
  }, []);
  return going.size > 0;
}

export function useDoctorReport(): DoctorState {
  const { settings, system, activeRun } = useApp();
  const target = useActiveTarget();
  const sweeping = useSweepGoing();
  const held = activeRun !== null || sweeping;
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

  // `system` is in once the saved form is: checking the placeholder settings first would be wasted. When a run
  // ends the machine is checked again (its state may have changed, and edits made meanwhile were not checked).
  const ready = system !== null && target !== null && !held;
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
    held,
    recheck: check,
  };
}
