import { BundleArchive } from './app/bundle/archive';
import { outputLines, measureOutput } from './app/bundle/output-log';
import { Redactor } from './app/bundle/redact';
void (async () => {
  const log = '/tmp/scratch/big.log';
  const r = new Redactor({ envs: [{ HF_TOKEN: 'hf_secret123' }] });
  let t = Date.now();
  const m = await measureOutput(log, r);
  console.log('measure', Date.now() - t);
  t = Date.now();
  const a = await BundleArchive.create('/tmp/scratch/big.tar.gz', 'big');
  let writes = 0;
  await a.addStream('run/output.log', m.bytes, async (sink) => {
    for await (const c of outputLines(log, r, undefined, m.lines)) { writes++; await sink.write(c); }
  });
  console.log('stream', Date.now() - t, writes);
  t = Date.now();
  await a.finish();
  console.log('finish', Date.now() - t);
})();
