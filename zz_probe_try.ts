import { spawnSync } from 'node:child_process';
import { PROBE_SCRIPT, parseProbeOutput } from './app/remote/probe-script';
const t0 = Date.now();
const r = spawnSync('sh', ['-s', '--', 'abc123'], { input: PROBE_SCRIPT });
console.log('ms', Date.now() - t0, 'status', r.status, r.stderr.toString().slice(0, 500));
const p = parseProbeOutput(r.stdout.toString(), 'abc123');
console.log(p.complete, p.files.size, [...p.files.keys()].slice(0, 60), p.commands);
