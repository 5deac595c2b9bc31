/** The CPUs and nodes a check judges: the run's selection when the doctor runs for one, else the whole machine. */
import { boundCpus, memoryNodes } from '../../command';
import type { DoctorContext } from '../check';

/** The run's CPUs, else every online CPU of the topology; `which` says which for messages. */
export function judgedCpus(ctx: DoctorContext): { cpus: number[]; which: string } {
  const selected = ctx.settings ? boundCpus(ctx.settings) : [];
  if (selected.length > 0) return { cpus: selected, which: "the run's CPUs" };
  return {
    cpus: (ctx.topology?.cpus ?? []).filter((c) => c.online).map((c) => c.id),
    which: 'the online CPUs',
  };
}

/** The run's memory nodes (its policy's, else its CPUs'), else every node with memory. */
export function judgedNodes(ctx: DoctorContext): { nodes: number[]; which: string } {
  const t = ctx.topology;
  const run = ctx.settings ? memoryNodes(ctx.settings, t) : [];
  if (run.length > 0) return { nodes: run, which: "the run's memory nodes" };
  return {
    nodes: (t?.nodes ?? []).filter((n) => n.memoryBytes !== 0).map((n) => n.id),
    which: 'the nodes with memory',
  };
}
