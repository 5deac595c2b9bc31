/**
 * taskset (util-linux): CPU affinity only. `taskset -c LIST cmd` sets the CPU mask; it has no memory policy,
 * so the numactl --membind/--preferred/--interleave/--localalloc of the plan is stated as a limit.
 * Grammar: taskset(1), util-linux 2.38.
 */
import { orderedCpuList } from '../../shared/presets';
import { shellForm } from '../textforms';
import type { Launcher, LauncherInput, LauncherParse } from './types';
import { basename, hasMemoryPolicy, leadingAssignments, orderedList, orderLimit, policyText } from './words';

function argv(input: LauncherInput): string[] {
  const { workload } = input.settings;
  if (input.cpus.length === 0) return [...workload];
  const sep = workload[0]?.startsWith('-') ? ['--'] : [];
  return ['taskset', '-c', orderedCpuList(input.cpus), ...sep, ...workload];
}

export const tasksetLauncher: Launcher = {
  format: 'taskset',
  label: 'taskset',
  render: (input) => shellForm(input.plan, argv(input), input.settings.cwd),
  limits(input) {
    const out: string[] = [];
    if (input.cpus.length === 0)
      out.push('No CPUs are selected: taskset has nothing to bind, so it is left out.');
    if (hasMemoryPolicy(input))
      out.push(
        `taskset sets CPU affinity only: the ${policyText(input)} cannot be expressed; memory follows the kernel's default (local to the CPU that touches it first).`,
      );
    else out.push('taskset sets CPU affinity only; it has no memory policy.');
    return [...out, ...orderLimit(input, 'The taskset mask')];
  },
  parse(words): LauncherParse | null {
    const { env, next } = leadingAssignments(words);
    if (basename(words[next] ?? '') !== 'taskset') return null;
    let i = next + 1;
    let list = false;
    for (; i < words.length; i++) {
      const w = words[i]!;
      if (w === '--') {
        i++;
        break;
      }
      if (!w.startsWith('-')) break;
      if (w === '--cpu-list') list = true;
      else if (w === '--all-tasks') continue;
      else if (/^-[ac]+$/.test(w)) list ||= w.includes('c');
      else return null;
    }
    const spec = words[i];
    if (spec === undefined || i + 1 >= words.length) return null;
    const cpus = list ? orderedList(spec) : maskCpus(spec);
    if (cpus === null) return null;
    return {
      settings: { env, cpus, memPolicy: 'none', memNodes: null, workload: words.slice(i + 1) },
      notes: [
        'taskset sets no memory policy: the import has none (choose one in the settings if the run needs it)',
      ],
    };
  },
};

/** taskset's hexadecimal mask ("0x3", "f0"), lowest bit = CPU 0. */
function maskCpus(spec: string): number[] | null {
  const hex = spec.replace(/^0x/i, '').replace(/,/g, '');
  if (!/^[0-9a-f]+$/i.test(hex)) return null;
  const out: number[] = [];
  let bit = 0;
  for (let k = hex.length - 1; k >= 0; k--) {
    const d = parseInt(hex[k]!, 16);
    for (let b = 0; b < 4; b++) if (d & (1 << b)) out.push(bit + b);
    bit += 4;
  }
  return out.length > 0 ? out : null;
}
