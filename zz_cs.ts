import { collectSystem } from './app/bundle/collect-system';
import { loadTopology } from './app/topology';
void (async () => {
const t0 = Date.now();
const t = await loadTopology();
const files = await collectSystem(t, { env: { PATH: process.argv[2] ?? '/nonexistent' } });
for (const f of files) console.log('=====', f.name, f.content.length, '\n', f.content.slice(0, 500));
console.log(Date.now() - t0, 'ms');
})();
