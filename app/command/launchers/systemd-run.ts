/**
 * systemd-run in a transient scope whose cgroup cpuset is the selection: `systemd-run --scope
 * -p AllowedCPUs=… -p AllowedMemoryNodes=… --setenv=K=V … -- cmd`. Grammar: systemd.resource-control(5)
 * (systemd ≥ 244), "AllowedCPUs=, StartupAllowedCPUs= … Takes a list of CPU indices or ranges separated by either
 * whitespace or commas. CPU ranges are specified by the lower and upper CPU indices separated by a dash";
 * AllowedMemoryNodes= is the same for NUMA nodes. Both need the unified cgroup hierarchy (v2) and its cpuset
 * controller; systemd-run(1) for --scope, -p/--property= and -E/--setenv=.
 */
import { formatCpuList } from '../../shared/cpulist';
import { shellForm } from '../textforms';
import type { Launcher, LauncherInput, LauncherParse } from './types';
import { basename, envUnsets, leadingAssignments, orderLimit, policyText, setList } from './words';

/** systemd-run options that take the next word as their value. */
const VALUE_OPTIONS = new Set([
  '-p', '--property', '-E', '--setenv', '-u', '--unit', '--slice', '--description', '--working-directory',
  '--uid', '--gid', '--nice', '-M', '--machine', '-H', '--host', '--service-type', '--on-active', '--path-property',
  '--socket-property', '--timer-property',
]); // prettier-ignore

function mems(input: LauncherInput): number[] {
  const p = input.settings.memPolicy;
  return p === 'bind' || p === 'interleave' ? input.memNodes : [];
}

function argv(input: LauncherInput): string[] {
  const out = ['systemd-run', '--scope'];
  if (input.cpus.length > 0) out.push('-p', `AllowedCPUs=${formatCpuList(input.cpus)}`);
  const m = mems(input);
  if (m.length > 0) out.push('-p', `AllowedMemoryNodes=${formatCpuList(m)}`);
  for (const [k, v] of Object.entries(input.plan.env)) out.push(`--setenv=${k}=${v}`);
  out.push('--');
  // systemd-run can set but not remove a variable: env -u does that inside the scope.
  if (input.plan.unset.length > 0) out.push('env', ...input.plan.unset.flatMap((n) => ['-u', n]), '--');
  return [...out, ...input.settings.workload];
}

export const systemdRunLauncher: Launcher = {
  format: 'systemd-run',
  label: 'systemd-run',
  render: (input) => shellForm({ env: {}, unset: [] }, argv(input), input.settings.cwd),
  limits(input) {
    const out = [
      'Needs systemd as PID 1 with cgroup v2 and its cpuset controller (systemd 244 or later); a system scope needs root, a --user scope only works where cpuset is delegated to the user manager.',
    ];
    const p = input.settings.memPolicy;
    if (p === 'interleave' && input.memNodes.length > 0)
      out.push(
        `AllowedMemoryNodes only restricts memory to nodes ${input.memNodes.join(',')}; it does not interleave (the ${policyText(input)} is not expressed).`,
      );
    if (p === 'preferred' && input.memNodes.length > 0)
      out.push(`A cgroup cpuset cannot prefer a node: the ${policyText(input)} is not expressed.`);
    return [...out, ...orderLimit(input, 'AllowedCPUs')];
  },
  parse(words): LauncherParse | null {
    const { env, next } = leadingAssignments(words);
    if (basename(words[next] ?? '') !== 'systemd-run') return null;
    const notes: string[] = [];
    const settings: LauncherParse['settings'] = { env, memPolicy: 'none', memNodes: null };
    let i = next + 1;
    let scope = false;
    for (; i < words.length; i++) {
      const w = words[i]!;
      if (w === '--') {
        i++;
        break;
      }
      if (!w.startsWith('-')) break;
      let name = w;
      let value: string | undefined;
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      if (eq >= 0) [name, value] = [w.slice(0, eq), w.slice(eq + 1)];
      else if (/^-[pEuMH]./.test(w)) [name, value] = [w.slice(0, 2), w.slice(2)];
      else if (VALUE_OPTIONS.has(w)) value = words[++i];
      else {
        if (w === '--scope') scope = true;
        else if (
          ![
            '--user',
            '--system',
            '-q',
            '--quiet',
            '--wait',
            '-G',
            '--collect',
            '-t',
            '--pty',
            '-P',
            '--pipe',
            '--same-dir',
            '-d',
          ].includes(w)
        )
          // prettier-ignore
          notes.push(`systemd-run option ${w} is not modelled and is dropped`);
        continue;
      }
      if (value === undefined) return null;
      if (name === '-p' || name === '--property') {
        const k = value.indexOf('=');
        const prop = value.slice(0, k);
        const list = setList(value.slice(k + 1));
        if (prop === 'AllowedCPUs' && list) settings.cpus = list;
        else if (prop === 'AllowedMemoryNodes' && list) {
          settings.memPolicy = 'bind';
          settings.memNodes = list;
        } else notes.push(`systemd-run property ${value} is not modelled and is dropped`);
      } else if (name === '-E' || name === '--setenv') {
        const k = value.indexOf('=');
        if (k > 0) settings.env![value.slice(0, k)] = value.slice(k + 1);
        else notes.push(`--setenv=${value} passes this machine's value; it is not part of the import`);
      } else if (name === '--working-directory') settings.cwd = value;
      else notes.push(`systemd-run option ${name}=${value} is not modelled and is dropped`);
    }
    if (!scope)
      notes.push(
        'without --scope systemd-run starts a service (another environment and directory); read as a scope',
      );
    settings.workload = words.slice(envUnsets(words, i, settings.env!));
    if (settings.workload.length === 0) return null;
    return { settings, notes };
  },
};
