/**
 * The run_cpu form spelled as the workload's own interpreter spells its flags. The live preview does not ask
 * (reading run_cpu's `--help` imports torch: seconds of CPU on every edit would be wasted); opening the run_cpu
 * tab does, once per interpreter (the engine keeps the answer), and the tab then shows that build.
 */
import { useEffect, useState } from 'react';
import { call } from '../api';
import type { RunSettings } from '../../../app/shared/command';

export interface AskedForm {
  text: string;
  limits: string[];
}

export function useAskedRunCpu(settings: RunSettings, active: boolean): AskedForm | null {
  const [asked, setAsked] = useState<{ for: RunSettings; form: AskedForm } | null>(null);
  useEffect(() => {
    if (!active) return;
    let current = true;
    call('command.build', { settings, askRunCpu: true })
      .then((b) => {
        const form = b.launchers?.run_cpu;
        if (current && form) setAsked({ for: settings, form });
      })
      // The live build shows the error already; the default spelling stays.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [settings, active]);
  return asked && asked.for === settings ? asked.form : null;
}
