import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, sourceOptions, intFlag, UsageError } from './args';
import { sourceFrom } from './topology';
import { Engine } from '../api/engine';
import { startServer } from '../server/server';
import { isLoopbackBind } from '../server/security';
import { processEchoes } from './echo';
import { SIGNAL_STATUS, STOP_SIGNALS, type StopSignal } from './interrupt';

export const SERVE_OPTIONS = {
  ...sourceOptions,
  host: { type: 'string' },
  port: { type: 'string' },
} as const;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, SERVE_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const host = values.host ?? '127.0.0.1';
  const port = intFlag('port', values.port, 0, 65535) ?? 8765;
  const source = sourceFrom(values);
  // Browser mode remembers the target chosen in the UI like the window does, unless told where to start.
  const restoreTarget = Object.values(source).every((v) => v === undefined);
  const engine = new Engine({ shell: 'browser', ...source, restoreTarget });
  await engine.getTopology(); // fail early on a bad --sysroot/--from, before printing a URL
  // dist/cli.mjs sits next to dist/renderer/.
  const rendererDir = join(dirname(fileURLToPath(import.meta.url)), 'renderer');
  const server = await startServer({ engine, rendererDir, host, port });
  // Its stdout may be a pipe whose reader goes (`| head -1`): that must not end the server and its runs.
  processEchoes();
  if (!isLoopbackBind(host)) {
    process.stderr.write(
      `aio-tuner: WARNING: listening on ${host}, which is not a loopback address: anyone who can reach it and learns the token can run any command and read or write any file as this user (plain HTTP: the token crosses the network readable). Prefer the default 127.0.0.1 with \`ssh -L ${server.port}:127.0.0.1:${server.port} SERVER\`.\n`,
    );
  }
  process.stdout.write(`AIO Tuner is serving on ${server.url}\n`);
  for (const u of server.otherUrls) process.stdout.write(`  also at ${u}\n`);
  process.stdout.write(
    `From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} THIS_HOST, then open the URL above.\n`,
  );
  // A hang-up (the ssh session that started it closed) stops it like SIGTERM, with no run left behind.
  const sig = await new Promise<StopSignal>((resolve) => {
    for (const s of STOP_SIGNALS) process.once(s, () => resolve(s));
  });
  if (sig === 'SIGHUP') await engine.runs.stopAll('SIGHUP');
  await engine.dispose();
  await server.close();
  // SIGINT/SIGTERM are how browser mode is meant to be stopped (exit 0); a hang-up is reported as such.
  return sig === 'SIGHUP' ? SIGNAL_STATUS.SIGHUP : 0;
}
