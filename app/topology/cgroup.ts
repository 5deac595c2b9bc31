/**
 * The cpuset a container runtime imposes through cgroups. `docker run --cpuset-cpus` shows up here; the
 * affinity mask usually agrees, but a process can be moved into a narrower cgroup after it started.
 */
import { join } from 'node:path';
import { readAttr, readWhole } from './fs-read';
import { safeCpuList } from './proc';

interface CgroupLine {
  controllers: string[];
  path: string;
}

function parseCgroupFile(text: string): CgroupLine[] {
  return text
    .split('\n')
    .map((line) => /^\d+:([^:]*):(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ controllers: m[1] === '' ? [] : m[1]!.split(','), path: m[2]! }));
}

/** "/a/b/c" → ["/a/b/c", "/a/b", "/a", "/"]: a path from the host's namespace may not exist in ours. */
function withAncestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let n = parts.length; n >= 0; n--) out.push('/' + parts.slice(0, n).join('/'));
  return out;
}

function firstList(candidates: string[]): number[] | null {
  for (const file of candidates) {
    const list = safeCpuList(readAttr(file));
    if (list !== null && list.length > 0) return list;
  }
  return null;
}

/** Effective cpuset of this process's cgroup below `root` (v2, else v1), or null when there is none. */
export function cgroupCpuset(root: string): number[] | null {
  const text = readWhole(join(root, 'proc/self/cgroup'));
  if (text === null) return null;
  const lines = parseCgroupFile(text);
  const fsRoot = join(root, 'sys/fs/cgroup');

  const v2 = lines.find((l) => l.controllers.length === 0);
  if (v2) {
    const found = firstList(withAncestors(v2.path).map((p) => join(fsRoot, p, 'cpuset.cpus.effective')));
    if (found) return found;
  }
  const v1 = lines.find((l) => l.controllers.includes('cpuset'));
  if (v1) {
    return firstList(
      withAncestors(v1.path).flatMap((p) => [
        join(fsRoot, 'cpuset', p, 'cpuset.effective_cpus'),
        join(fsRoot, 'cpuset', p, 'cpuset.cpus'),
      ]),
    );
  }
  return null;
}
