/**
 * numactl for the run about to start: is it there when the settings bind, and does the kernel accept the exact
 * binding the command builder would use (a dry run of `numactl <its options> true`)? A refusal here is the run
 * failing at its first instruction, so both are errors.
 */
import { numactlArgs, planFor, runChecks, type CheckFix, type RunSettings } from '../../command';
import type { Evidence } from '../../shared/findings';
import type { DoctorContext, HostCheck } from '../check';
import { NOT_FROM_A_DUMP } from '../check';

const bindsWithNumactl = (ctx: DoctorContext): boolean =>
  ctx.settings !== null && planFor(ctx.settings, ctx.topology).argv[0] === 'numactl';

export const numactlMissing: HostCheck = {
  code: 'numactl-missing',
  source: 'numactl(8); the command builder (app/command: runs bind with numactl --physcpubind / --membind)',
  run: async (ctx) => {
    const { place, settings } = ctx;
    if (place.kind === 'sysroot') return { skipped: NOT_FROM_A_DUMP };
    const path = await place.which('numactl');
    const evidence: Evidence[] = [
      { source: `command -v numactl on ${place.where}`, value: path ?? 'not found' },
    ];
    if (path) return { passed: { message: 'numactl is installed', evidence } };
    if (settings && bindsWithNumactl(ctx)) {
      // The command check's own finding, so `command --check` and the doctor say the same thing.
      const c = runChecks(settings, ctx.topology, { numactlAvailable: false }).find(
        (x) => x.code === 'numactl-missing',
      );
      if (c) return { finding: { ...c, severity: 'error', evidence } };
    }
    return {
      finding: {
        code: 'numactl-missing',
        severity: 'warning',
        message:
          'numactl is not installed, so runs that bind CPUs or memory cannot start (install the "numactl" package); runs without binding still work.',
        evidence,
        fix: {
          label: 'Install numactl (Debian/Ubuntu; dnf install numactl on RHEL/Fedora); it stays installed',
          command: 'sudo apt-get install -y numactl',
        },
      },
    };
  },
};

/** numactl's answer without its usage text: the lines that say what was refused. */
export function numactlComplaint(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // numactl follows a refusal with its whole usage text (which names every option): keep what it said.
  const said = lines.filter((l) =>
    /^(libnuma:|numactl:|set_mempolicy|mbind:|sched_setaffinity|<[^>]*> is invalid)|: (Operation not permitted|Invalid argument)/.test(
      l,
    ),
  );
  return (said.length ? said : lines.slice(0, 3)).slice(0, 6).join('\n') || '(nothing on stderr)';
}

const commandLine = (args: string[]) => ['numactl', ...args, 'true'].join(' ');

interface Alternative {
  label: string;
  settings: RunSettings;
  patch: CheckFix['patch'];
}

/** What else the run could do, tried in this order: the same CPUs with memory preferred (not enforced), CPUs only, memory only. */
function alternatives(s: RunSettings): Alternative[] {
  const out: Alternative[] = [];
  if (s.memPolicy === 'bind' || s.memPolicy === 'interleave')
    out.push({
      label: 'prefer the memory nodes instead of binding to them (--mem preferred)',
      settings: { ...s, memPolicy: 'preferred' },
      patch: { memPolicy: 'preferred' },
    });
  if (s.memPolicy !== 'none' && s.cpus.length > 0)
    out.push({
      label: 'bind the CPUs only, with no memory policy (--mem none)',
      settings: { ...s, memPolicy: 'none', memNodes: null },
      patch: { memPolicy: 'none', memNodes: null },
    });
  if (s.cpus.length > 0 && s.memPolicy !== 'none')
    out.push({
      label: 'set the memory policy only, without binding CPUs (the engine still pins its threads)',
      settings: { ...s, cpus: [] },
      patch: { cpus: [] },
    });
  return out;
}

function cause(complaint: string): string {
  if (/cpu argument|sched_setaffinity/i.test(complaint))
    return "some of the run's CPUs are outside this process's allowed set (Cpus_allowed_list: a container's --cpuset-cpus, a cgroup or taskset) or do not exist";
  if (/node argument/i.test(complaint))
    return "some of the run's memory nodes are outside this process's allowed set (Mems_allowed_list) or do not exist";
  if (/set_mempolicy|mbind|Operation not permitted/i.test(complaint))
    return "the kernel refused the memory policy: in a container this is Docker's default seccomp profile, which allows set_mempolicy/mbind only with CAP_SYS_NICE";
  return 'numactl refused the binding';
}

export const numactlCannotBind: HostCheck = {
  code: 'numactl-cannot-bind',
  source:
    "numactl(8), set_mempolicy(2), sched_setaffinity(2); Docker's default seccomp profile (CAP_SYS_NICE); the run's own numactl options from app/command",
  run: async (ctx) => {
    const { place, settings, topology } = ctx;
    if (place.kind === 'sysroot') return { skipped: NOT_FROM_A_DUMP };
    if (!settings)
      return {
        skipped:
          "no run given, so no binding to try: pass the run's selection and settings (e.g. --cores 0-15 --mem bind) to dry-run its numactl",
      };
    const args = numactlArgs(settings, topology);
    if (args.length === 0)
      return { skipped: 'the run binds nothing (no CPUs selected, no memory policy): numactl is not used' };
    if (!(await place.which('numactl')))
      return { skipped: 'numactl is not installed (numactl-missing), so its binding cannot be tried' };
    const dry = async (a: string[]) => {
      const r = await place.run('numactl', [...a, 'true'], { timeoutMs: 10_000 })!;
      return { ok: r.exitCode === 0 && !r.spawnError, r };
    };
    const first = await dry(args);
    const line = commandLine(args);
    if (first.ok)
      return {
        passed: {
          message: "The kernel accepts the run's binding",
          evidence: [{ source: `${line} on ${place.where}`, value: 'exit 0' }],
        },
      };
    const complaint = first.r.spawnError
      ? `could not start numactl: ${first.r.spawnError.message}`
      : numactlComplaint(first.r.stderr);
    const evidence: Evidence[] = [
      {
        source: `${line} on ${place.where}`,
        value: `exit ${first.r.exitCode ?? first.r.signal ?? '?'}: ${complaint}`,
      },
    ];
    let works: Alternative | null = null;
    for (const alt of alternatives(settings)) {
      const a = numactlArgs(alt.settings, topology);
      if (a.length === 0) continue;
      const r = await dry(a);
      evidence.push({
        source: `${commandLine(a)} on ${place.where}`,
        value: r.ok ? 'exit 0' : `exit ${r.r.exitCode ?? r.r.signal ?? '?'}: ${numactlComplaint(r.r.stderr)}`,
      });
      if (r.ok) {
        works = alt;
        break;
      }
    }
    const why = cause(complaint);
    const container = /CAP_SYS_NICE/.test(why);
    return {
      finding: {
        code: 'numactl-cannot-bind',
        severity: 'error',
        message:
          `numactl refuses the run's binding (${args.join(' ')}): ${why}. The run would fail before the workload starts.` +
          (works ? ` What works here: ${works.label}.` : ''),
        evidence,
        fix: works
          ? {
              label: `${works.label[0]!.toUpperCase()}${works.label.slice(1)}${container ? '; or start the container with --cap-add SYS_NICE to keep the exact binding' : ''}`,
              patch: works.patch,
            }
          : {
              label: container
                ? "Start the container with --cap-add SYS_NICE (Ampere's docs use --privileged) so numactl may set memory policies; it applies to containers started that way"
                : "Select CPUs and nodes inside this process's allowed set (see cpuset-restricted), or run without binding",
              ...(container ? {} : { patch: { memPolicy: 'none' as const, memNodes: null, cpus: [] } }),
            },
      },
    };
  },
};
