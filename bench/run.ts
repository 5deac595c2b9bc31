// `npm run bench`: speed and memory targets, each measured as a ratio against a reference tool in the same run
// (never as a timed assertion in the test suite: this machine's speed varies too much for that).
import { benchTopology } from './topology.bench';
import { benchRun } from './run.bench';

const lines: string[] = [];
const say = (l: string) => {
  lines.push(l);
  console.log(l);
};

async function main(): Promise<void> {
  say(await benchTopology());
  for (const l of await benchRun()) say(l);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
