import { scanLines, parsePrefix } from './app/logs';
import { Redactor } from './app/bundle/redact';
import { statSync } from 'node:fs';
void (async () => {
  const log = '/tmp/scratch/big.log';
  const size = statSync(log).size;
  const red = new Redactor({ envs: [{ HF_TOKEN: 'hf_secret123' }] });
  for (const mode of ['scan', 'prefix', 'latin1', 'redact', 'push']) {
    const t = Date.now(); const out: string[] = [];
    await scanLines(log, 0, size, (b, s, e) => {
      if (mode === 'scan') return;
      const p = parsePrefix(b, s, e);
      if (mode === 'prefix') return;
      if (!p) return; const str = b.toString("latin1", p.body, e);
      if (mode === 'latin1') return;
      const r = red.latin1Line(str);
      if (mode === 'redact') return;
      out.push('[stdout +1.000s] ', r, '\n');
    });
    if (mode === 'push') Buffer.from(out.join(''), 'latin1');
    console.log(mode, Date.now() - t);
  }
})();
