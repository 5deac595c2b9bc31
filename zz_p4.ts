import { measureOutput } from './app/bundle/output-log';
import { Redactor } from './app/bundle/redact';
void (async () => {
  const r = new Redactor({ envs: [{ HF_TOKEN: 'hf_secret123' }] });
  for (let i = 0; i < 3; i++) { const t = Date.now(); await measureOutput('/tmp/scratch/big.log', r); console.log('measure', Date.now() - t); }
})();
