/**
 * docker run with the container itself bound: `--cpuset-cpus` / `--cpuset-mems` put the whole container in a
 * cpuset, so nothing inside needs numactl (nor --privileged for it). Grammar: docker-run(1), "--cpuset-cpus=""
 * CPUs in which to allow execution (0-3, 0,1)" and "--cpuset-mems=" MEMs in which to allow execution (0-3, 0,1)".
 */
import { formatCpuList } from '../../shared/cpulist';
import { DEFAULT_IMAGE, dockerForm, dockerRunWorkdir } from '../textforms';
import type { Launcher, LauncherInput, LauncherParse } from './types';
import { basename, envUnsets, leadingAssignments, orderLimit, policyText, setList } from './words';

/** docker run options that take a value as the next word (the ones a pasted line plausibly carries). */
const VALUE_OPTIONS = new Set([
  '-e', '--env', '--env-file', '-v', '--volume', '-w', '--workdir', '--mount', '--name', '--network', '--net',
  '--cpuset-cpus', '--cpuset-mems', '-u', '--user', '--entrypoint', '-p', '--publish', '--cap-add', '--cap-drop',
  '--device', '-m', '--memory', '--shm-size', '--ipc', '--pid', '-h', '--hostname', '--platform', '-l', '--label',
  '--gpus', '--ulimit', '--security-opt', '--tmpfs', '--add-host', '--cpus', '-c', '--cpu-shares', '--runtime',
  '--restart', '--log-driver', '--log-opt', '--init-path', '--memory-swap', '--pull', '--group-add',
]); // prettier-ignore

/** Memory nodes docker can restrict to: a bind or interleave set; a preferred node is not a restriction. */
function mems(input: LauncherInput): number[] {
  const p = input.settings.memPolicy;
  return p === 'bind' || p === 'interleave' ? input.memNodes : [];
}

export const dockerCpusetLauncher: Launcher = {
  format: 'docker-cpuset',
  label: 'docker --cpuset',
  render(input) {
    const head = ['docker', 'run', '--rm'];
    if (input.cpus.length > 0) head.push('--cpuset-cpus', formatCpuList(input.cpus));
    const m = mems(input);
    if (m.length > 0) head.push('--cpuset-mems', formatCpuList(m));
    return dockerForm(
      head,
      input.plan,
      input.settings.workload,
      dockerRunWorkdir(input.settings.cwd),
      input.image ?? DEFAULT_IMAGE,
    );
  },
  limits(input) {
    const out = [
      'The container is the cpuset: every process in it is bound, so numactl is not used inside; the image must hold the workload (the working directory is mounted at the same path).',
    ];
    const p = input.settings.memPolicy;
    if (p === 'interleave' && input.memNodes.length > 0)
      out.push(
        `--cpuset-mems only restricts memory to nodes ${input.memNodes.join(',')}; it does not interleave across them (the ${policyText(input)} is not expressed).`,
      );
    if (p === 'preferred' && input.memNodes.length > 0)
      out.push(`A cpuset cannot prefer a node: the ${policyText(input)} is not expressed.`);
    if (p === 'local')
      out.push('Local allocation is the kernel default inside the cpuset; nothing is written for it.');
    return [...out, ...orderLimit(input, '--cpuset-cpus')];
  },
  parse(words): LauncherParse | null {
    const { env, next } = leadingAssignments(words);
    if (basename(words[next] ?? '') !== 'docker' || words[next + 1] !== 'run') return null;
    const notes: string[] = [];
    if (Object.keys(env).length > 0)
      notes.push(
        'assignments before docker are not passed into the container; they are taken as the run environment',
      );
    const settings: LauncherParse['settings'] = { env, memPolicy: 'none', memNodes: null, cwd: null };
    let i = next + 2;
    for (; i < words.length; i++) {
      const w = words[i]!;
      if (w === '--') {
        i++;
        break;
      }
      if (!w.startsWith('-')) break;
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      const name = eq >= 0 ? w.slice(0, eq) : w;
      let value: string | undefined;
      if (eq >= 0) value = w.slice(eq + 1);
      else if (VALUE_OPTIONS.has(name)) value = words[++i];
      else if (/^-[a-zA-Z]+$/.test(w) || w.startsWith('--')) {
        if (
          !/^(--rm|-it|-ti|-i|-t|-d|--init|--interactive|--tty|--detach|--read-only|--privileged(=.*)?)$/.test(
            w,
          )
        )
          notes.push(`docker option ${w} is not modelled and is dropped`);
        continue;
      }
      if (value === undefined) return null;
      if (name === '--cpuset-cpus') {
        const cpus = setList(value);
        if (cpus === null) return null;
        settings.cpus = cpus;
      } else if (name === '--cpuset-mems') {
        const nodes = setList(value);
        if (nodes === null) return null;
        settings.memPolicy = 'bind';
        settings.memNodes = nodes;
      } else if (name === '-e' || name === '--env') {
        const k = value.indexOf('=');
        if (k > 0) settings.env![value.slice(0, k)] = value.slice(k + 1);
        else notes.push(`docker -e ${value} passes this machine's value; it is not part of the import`);
      } else if (name === '-w' || name === '--workdir') {
        // "$PWD" is where the line is pasted: the run's own directory.
        settings.cwd = value === '$PWD' ? null : value.startsWith('$PWD/') ? value.slice(5) : value;
      } else if (name === '-v' || name === '--volume' || name === '--mount') {
        continue;
      } else if (name !== '--privileged' && name !== '--network' && name !== '--net') {
        notes.push(`docker option ${name} ${value} is not modelled and is dropped`);
      }
    }
    const image = words[i];
    if (image === undefined) return null;
    if (image !== DEFAULT_IMAGE) notes.push(`the image ${image} is not part of the settings`);
    // The unsets the docker form writes inside the container: `env -u NAME …`.
    settings.workload = words.slice(envUnsets(words, i + 1, settings.env!));
    if (settings.cpus === undefined) notes.push('docker run without --cpuset-cpus binds no CPUs');
    return { settings, notes };
  },
};
