/**
 * Ctrl-C, SIGTERM or a hang-up (SIGHUP: the ssh session or terminal went away) while a CLI command waits for
 * work it started: stop that work — never leave its processes behind — then let the command finish its output.
 * The exit status to use is 128+n for signal n (130, 143, 129).
 */
import { processEchoes } from './echo';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];
export const SIGNAL_STATUS: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export async function untilDone<T>(
  message: string,
  stop: (sig: StopSignal) => void,
  done: Promise<T>,
): Promise<{ result: T; interrupted: number; signal: StopSignal | null }> {
  let signal: StopSignal | null = null;
  // After a hang-up the terminal is gone: writing to it fails (EIO), which must not end the tool.
  const { stderr } = processEchoes();
  const onSignal = (sig: StopSignal) => {
    if (signal) return;
    signal = sig;
    stderr.write(`\naio-tuner: ${sig}: ${message}\n`);
    stop(sig);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  try {
    const result = await done;
    return { result, interrupted: signal ? SIGNAL_STATUS[signal] : 0, signal };
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
}
