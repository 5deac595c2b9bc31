import { createBundle, previewBundle } from './app/bundle';
import { loadTopology } from './app/topology';
import { defaultSettings } from './app/command';
void (async () => {
  const t = await loadTopology();
  const s = defaultSettings();
  s.cpus = [0];
  s.env.HF_TOKEN = 'hf_secret123';
  s.workload = ['/usr/bin/python3', 'examples/bench.py', '-m', 'cnn', '--num_runs', '10', '--timeout', '20'];
  console.log(JSON.stringify(previewBundle(s, t), null, 1).slice(0, 1500));
  const t0 = Date.now();
  const r = await createBundle({ settings: s, topology: t, dataDir: '/tmp/scratch/home', out: '/tmp/scratch/b1.tar.gz', onProgress: (st, d) => console.error('progress', st, d) });
  console.log(JSON.stringify(r, null, 1), Date.now() - t0);
})();
