/**
 * `aio-tuner` command line: the same engine as the window and browser mode, for scripts.
 * Exit codes (public contract): 0 ok; 1 runtime failure; 2 bad usage (one clear line on stderr);
 * 3 `command --check` / `run --check` found an error-severity check, `doctor` an error finding; `run` exits with the workload's code (128+n for signal n).
 */
import { UsageError } from './args';
import { VERSION } from '../version';
import { HELP, USAGE, wantsHelp } from './usage';
import { killAllRunsSync } from '../run';
import { topologyCommand } from './topology';
import { serveCommand } from './serve';
import { commandCommand } from './command';
import { runCommand } from './run';
import { bundleCommand } from './bundle';
import { sweepCommand } from './sweep';
import { profilesCommand } from './profiles';
import { doctorCommand } from './doctor';
import { dumpCommand } from './dump';
import { opsCommand } from './ops';

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  topology: topologyCommand,
  serve: serveCommand,
  command: commandCommand,
  run: runCommand,
  bundle: bundleCommand,
  sweep: sweepCommand,
  profiles: profilesCommand,
  doctor: doctorCommand,
  dump: dumpCommand,
  ops: opsCommand,
};

async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'help' && rest[0] !== undefined) {
    if (!USAGE[rest[0]])
      throw new UsageError(`no help for "${rest[0]}" (try: ${Object.keys(commands).join(', ')})`);
    process.stdout.write(USAGE[rest[0]] + '\n');
    return 0;
  }
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP + '\n');
    return sub ? 0 : 2;
  }
  if (sub === '--version' || sub === '-V') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const fn = commands[sub];
  if (!fn) throw new UsageError(`unknown command "${sub}" (try: ${Object.keys(commands).join(', ')})`);
  // Handled here, before the subcommand parses its options, so every subcommand answers it the same way.
  if (wantsHelp(rest)) {
    process.stdout.write((USAGE[sub] ?? HELP) + '\n');
    return 0;
  }
  try {
    return await fn(rest);
  } catch (e) {
    if (e instanceof UsageError && e.message.startsWith('unknown option '))
      throw new UsageError(`${e.message}; see aio-tuner ${sub} --help`);
    throw e;
  }
}

// Whatever way this process ends, runs it started must not outlive it.
process.on('exit', killAllRunsSync);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`aio-tuner: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`aio-tuner: ${(e as Error)?.message ?? String(e)}\n`);
      if (process.env.AIO_TUNER_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
      process.exitCode = 1;
    }
  },
);
