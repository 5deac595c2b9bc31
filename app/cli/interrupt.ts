/**
 * Ctrl-C (or SIGTERM) while a CLI command waits for work it started: stop that work — never leave its
 * processes behind — then let the command finish its output. The exit status to use is 130 or 143.
 */
export async function untilDone<T>(
  message: string,
  stop: () => void,
  done: Promise<T>,
): Promise<{ result: T; interrupted: number }> {
  let interrupted = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = sig === 'SIGINT' ? 130 : 143;
    process.stderr.write(`\naio-tuner: ${sig}: ${message}\n`);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return { result: await done, interrupted };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
