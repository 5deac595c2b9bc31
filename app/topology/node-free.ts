/**
 * Free memory per NUMA node, read now: the live part of the map's node memory bars. Node meminfo files are a few
 * hundred bytes each, so reading them with every load sample costs next to nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meminfoBytes } from '../shared/units';

export interface NodeFree {
  node: number;
  freeBytes: number;
}

/** Every node's MemFree under `root` (a sysroot or `/`); nodes whose meminfo cannot be read are left out. */
export function readNodeFree(root = '/'): NodeFree[] {
  const dir = join(root, 'sys/devices/system/node');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: NodeFree[] = [];
  for (const name of names) {
    const m = /^node(\d+)$/.exec(name);
    if (!m) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, name, 'meminfo'), 'utf8');
    } catch {
      continue;
    }
    const free = meminfoBytes(text, 'MemFree');
    if (free !== null) out.push({ node: Number(m[1]), freeBytes: free });
  }
  return out.sort((a, b) => a.node - b.node);
}
