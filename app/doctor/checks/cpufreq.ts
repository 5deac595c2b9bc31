/**
 * CPU frequency policy of the CPUs a run uses: a governor other than `performance` ramps the clock up only after
 * load appears (short passes measure the ramp), and a scaling maximum below the hardware's caps every pass.
 */
import { formatCpuList } from '../../shared/cpulist';
import { cpuWord } from './read';
import { safeCpuList } from '../../topology/proc';
import type { DoctorContext, HostCheck } from '../check';
import { fileEvidence, readTrimmed } from './read';
import { judgedCpus } from './selection';

interface Policy {
  cpus: number[];
  dir: string;
  governor: string | null;
  scalingMax: number | null;
  hardwareMax: number | null;
}

const num = (s: string | null): number | null => (s !== null && /^\d+$/.test(s) ? Number(s) : null);

/** One entry per cpufreq policy covering the judged CPUs (CPUs of a policy share its settings). */
async function policiesOf(
  ctx: DoctorContext,
): Promise<{ policies: Policy[]; none: number[]; which: string }> {
  const { cpus, which } = judgedCpus(ctx);
  const seen = new Set<number>();
  const policies: Policy[] = [];
  const none: number[] = [];
  for (const cpu of cpus) {
    if (seen.has(cpu)) continue;
    const dir = `/sys/devices/system/cpu/cpu${cpu}/cpufreq`;
    const governor = await readTrimmed(ctx.place, `${dir}/scaling_governor`);
    if (governor === null) {
      none.push(cpu);
      continue;
    }
    const related = safeCpuList(await readTrimmed(ctx.place, `${dir}/related_cpus`)) ?? [cpu];
    const members = related.filter((c) => cpus.includes(c));
    if (!members.includes(cpu)) members.push(cpu);
    for (const c of members) seen.add(c);
    policies.push({
      cpus: members.sort((a, b) => a - b),
      dir,
      governor,
      scalingMax: num(await readTrimmed(ctx.place, `${dir}/scaling_max_freq`)),
      hardwareMax: num(await readTrimmed(ctx.place, `${dir}/cpuinfo_max_freq`)),
    });
  }
  return { policies, none, which };
}

function noCpufreq(ctx: DoctorContext, none: number[], which: string): { skipped: string } {
  return {
    skipped:
      `no cpufreq policy for ${which} (CPUs ${formatCpuList(none)}: no /sys/devices/system/cpu/cpuN/cpufreq` +
      `${ctx.place.kind === 'sysroot' ? ' in this dump' : ''}): the kernel has no frequency driver here (usual in VMs, or the firmware decides)`,
  };
}

const ghz = (khz: number) => `${(khz / 1e6).toFixed(2)} GHz`;

export const governorNotPerformance: HostCheck = {
  code: 'governor-not-performance',
  source:
    'kernel docs admin-guide/pm/cpufreq.rst (scaling governors); AWS Graviton performance runbook (check the governor before measuring)',
  run: async (ctx) => {
    const { policies, none, which } = await policiesOf(ctx);
    if (policies.length === 0) return noCpufreq(ctx, none, which);
    const evidence = policies.map((p) =>
      fileEvidence(ctx.place, `${p.dir}/scaling_governor`, `${p.governor} (CPUs ${formatCpuList(p.cpus)})`),
    );
    const slow = policies.filter((p) => p.governor !== 'performance');
    if (slow.length === 0)
      return { passed: { message: `The governor of ${which} is performance`, evidence } };
    const cpus = slow.flatMap((p) => p.cpus).sort((a, b) => a - b);
    const govs = [...new Set(slow.map((p) => p.governor))].join(', ');
    return {
      finding: {
        code: 'governor-not-performance',
        severity: 'warning',
        message:
          `${cpuWord(cpus)} of ${which} run the ${govs} governor, not performance: the clock follows the ` +
          `load, so a run's first passes (and every pass after an idle gap) run slower, and repeated runs vary.`,
        evidence: evidence.filter((_, i) => policies[i]!.governor !== 'performance'),
        fix: {
          label:
            'Until the next reboot (cpupower is in linux-cpupower / kernel-tools); to keep it, add cpufreq.default_governor=performance to the kernel command line or enable a cpupower service',
          command: `sudo cpupower -c ${formatCpuList(cpus)} frequency-set -g performance`,
        },
      },
    };
  },
};

export const cpuFreqCapped: HostCheck = {
  code: 'cpu-freq-capped',
  source: 'kernel docs admin-guide/pm/cpufreq.rst (scaling_max_freq, cpuinfo_max_freq)',
  run: async (ctx) => {
    const { policies, none, which } = await policiesOf(ctx);
    if (policies.length === 0) return noCpufreq(ctx, none, which);
    const known = policies.filter((p) => p.scalingMax !== null && p.hardwareMax !== null);
    if (known.length === 0)
      return { skipped: `the cpufreq policies of ${which} have no scaling_max_freq / cpuinfo_max_freq` };
    const line = (p: Policy) =>
      fileEvidence(
        ctx.place,
        `${p.dir}/scaling_max_freq`,
        `${p.scalingMax} kHz, cpuinfo_max_freq ${p.hardwareMax} kHz (CPUs ${formatCpuList(p.cpus)})`,
      );
    const capped = known.filter((p) => p.scalingMax! < p.hardwareMax!);
    if (capped.length === 0)
      return {
        passed: {
          message: `${which[0]!.toUpperCase()}${which.slice(1)} may reach their hardware maximum frequency`,
          evidence: known.map(line),
        },
      };
    const cpus = capped.flatMap((p) => p.cpus).sort((a, b) => a - b);
    const hw = Math.max(...capped.map((p) => p.hardwareMax!));
    const low = Math.min(...capped.map((p) => p.scalingMax!));
    return {
      finding: {
        code: 'cpu-freq-capped',
        severity: 'warning',
        message:
          `${cpuWord(cpus)} of ${which} are capped at ${ghz(low)} (scaling_max_freq) although the ` +
          `hardware goes to ${ghz(hw)} (cpuinfo_max_freq): every pass runs slower than the machine can.`,
        evidence: capped.map(line),
        fix: {
          label:
            'Until the next reboot; to keep it, find what sets the cap (a tuned/power profile, a cpupower service, the BMC power limit) and change it there',
          command: `sudo cpupower -c ${formatCpuList(cpus)} frequency-set -u ${hw}kHz`,
        },
      },
    };
  },
};
