/**
 * `aio-tuner` command line: the same engine as the window and browser mode, for scripts.
 * Exit codes (public contract): 0 ok; 1 runtime failure; 2 bad usage (one clear line on stderr);
 * 3 `command --check` found an error-severity check; `run` exits with the workload's code (128+n for signal n).
 */
import { UsageError } from './args';
import { VERSION } from '../version';
import { killAllRunsSync } from '../run';
import { topologyCommand } from './topology';
import { serveCommand } from './serve';
import { commandCommand } from './command';
import { runCommand } from './run';
import { bundleCommand } from './bundle';
import { sweepCommand } from './sweep';

const HELP = `aio-tuner ${VERSION} — pick cores, build numactl + AIO_* command lines, run and tune Ampere Optimized PyTorch

Usage:
  aio-tuner topology [--sysroot DIR | --from FILE] [--json]
  aio-tuner serve    [--sysroot DIR | --from FILE] [--host H] [--port N]
  aio-tuner command  [--sysroot DIR | --from FILE] [selection] [settings] [--format F] [--check] -- WORKLOAD [ARGS...]
  aio-tuner run      [selection] [settings] [--log FILE] [--json] [--timeout S] [--cwd DIR] -- WORKLOAD [ARGS...]
  aio-tuner bundle   [--out FILE|DIR] [selection] [settings] [--redact P]... [--from-run LOG] [--timeout S] [--json]
                     -- WORKLOAD [ARGS...]
  aio-tuner sweep    [selection] [settings] --threads 1,2,4|doubling [--placement compact|spread]
                     [--variants fp32,fp16,int8,int8-fc,off] [--variant NAME:VAR=VALUE,...] [--instances 1,2]
                     [--batch 1,8] [--repeat N] [--timeout S] [--latency-budget MS] [--csv FILE] [--json]
                     -- WORKLOAD [ARGS...]

Selection: --cores LIST | --first N | --node K [--count N] | --spread N
Settings:  --threads N  --mem bind|preferred|interleave|local|none  --mem-nodes LIST  --debug 0-4
           --set NAME=VALUE (repeatable)  --unset NAME (repeatable)  --cwd DIR
Formats:   bash | script | docker-run | docker-exec | env | json
Target:    --target URL on every command: read, run and bundle there instead of this machine —
           ssh://user@host[:port]  docker://container  ssh://user@host/docker/container
           (your ~/.ssh/config, keys and agent; never a password prompt)

See README.md for the JSON fields and exit codes.`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  topology: topologyCommand,
  serve: serveCommand,
  command: commandCommand,
  run: runCommand,
  bundle: bundleCommand,
  sweep: sweepCommand,
};

async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
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
  return fn(rest);
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
