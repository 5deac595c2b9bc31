// `npm run bench`: speed and memory targets, each measured as a ratio against a reference tool in the same run
// (never as a timed assertion in the test suite: this machine's speed varies too much for that).
import { benchTopology } from './topology.bench';
import { benchRun } from './run.bench';
import { benchSampler } from './sampler.bench';
import { benchBrowser } from './browser.bench';

// `npm run bench -- sampler` runs only the parts whose name contains the argument.
const only = process.argv[2];
const part = (name: string) => !only || name.includes(only);

const lines: string[] = [];
const say = (l: string) => {
  lines.push(l);
  console.log(l);
};

async function main(): Promise<void> {
  if (part('topology')) for (const l of await benchTopology()) say(l);
  if (part('run')) for (const l of await benchRun()) say(l);
  if (part('sampler')) for (const l of await benchSampler()) say(l);
  if (part('browser')) for (const l of await benchBrowser()) say(l);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
