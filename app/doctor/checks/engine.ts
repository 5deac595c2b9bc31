/**
 * The workload's Python: does its torch have Ampere's engine (`engine-absent`, the same finding runs raise), and
 * what torch is it (`torch-version`)? One probe (app/system/engineprobe.ts) answers both, with the interpreter,
 * environment and directory the run would use.
 */
import { planFor } from '../../command';
import type { Engine } from '../../shared/command';
import type { EngineInfo, Finding } from '../../shared/findings';
import { probeInterpreter, pythonInterpreterOf } from '../../system/engineprobe';
import type { DoctorContext, HostCheck } from '../check';
import { NOT_FROM_A_DUMP } from '../check';

/**
 * `engine-absent`: a Python workload whose torch imports but has no Ampere engine. Never for settings of engine
 * onednn, which tune stock PyTorch on purpose.
 */
export function engineAbsentFinding(
  engine: EngineInfo | null | undefined,
  interpreter: string | null,
  env: Record<string, string>,
  tuned?: Engine,
): Finding | null {
  if (tuned === 'onednn') return null;
  if (!engine || engine.present || engine.torch === null) return null;
  const aio = Object.keys(env)
    .filter((k) => k.startsWith('AIO_'))
    .sort();
  const sets = aio.length
    ? `This run sets ${aio.join(', ')}, which ${aio.length === 1 ? 'does' : 'do'} nothing here.`
    : 'This run sets no AIO_* variable.';
  return {
    code: 'engine-absent',
    severity: 'warning',
    message:
      `The workload's Python${interpreter ? ` (${interpreter})` : ''} imports torch ${engine.torch} without ` +
      `Ampere's engine, so the engine variables (AIO_PROCESS_MODE, the precision filters, the AIO_* binding) ` +
      `change nothing for this run: settings that differ only in them run the same program. ${sets}`,
    evidence: [
      ...(interpreter ? [{ source: 'interpreter', value: interpreter }] : []),
      { source: 'torch.__version__', value: engine.torch },
      ...(engine.python ? [{ source: 'python', value: engine.python }] : []),
      { source: "'_aio_profiler_print' in dir(torch._C)", value: 'False' },
    ],
    fix: { label: 'Run with the Ampere Optimized PyTorch image/interpreter' },
  };
}

interface Probed {
  interpreter: string;
  engine: EngineInfo;
  env: Record<string, string>;
}

const probes = new WeakMap<DoctorContext, Promise<Probed | { skipped: string }>>();

/** The probe of the run's interpreter (--python, else the workload's), made once per doctor run. */
function probe(ctx: DoctorContext): Promise<Probed | { skipped: string }> {
  let p = probes.get(ctx);
  if (!p) {
    p = (async () => {
      const { place, settings } = ctx;
      if (place.kind === 'sysroot') return { skipped: NOT_FROM_A_DUMP };
      const plan = settings ? planFor(settings, ctx.topology) : { env: {}, unset: [] };
      const where = {
        ...(place.tools ? { on: place.tools } : {}),
        env: plan.env,
        unset: plan.unset,
        cwd: settings?.cwd ?? null,
      };
      const interpreter =
        ctx.python ?? (settings ? await pythonInterpreterOf(settings.workload, where) : null);
      if (!interpreter)
        return {
          skipped:
            settings && settings.workload.length > 0
              ? "the run's workload is not a Python program, so there is no engine to look for"
              : 'no Python named: give --python PATH (the interpreter that runs the workload) or the workload itself',
        };
      return { interpreter, engine: await probeInterpreter(interpreter, where), env: plan.env };
    })();
    probes.set(ctx, p);
  }
  return p;
}

const probeEvidence = (p: Probed) => [
  { source: 'interpreter', value: p.interpreter },
  {
    source: `${p.interpreter}: torch.__version__`,
    value: p.engine.torch ?? `not importable (${p.engine.error ?? 'unknown'})`,
  },
  {
    source: `${p.interpreter}: '_aio_profiler_print' in dir(torch._C)`,
    value: p.engine.present ? 'True' : 'False',
  },
  ...(p.engine.version ? [{ source: '/.release', value: p.engine.version }] : []),
];

export const engineAbsent: HostCheck = {
  code: 'engine-absent',
  source:
    "Ampere's AIO docs (detect the engine: '_aio_profiler_print' in dir(torch._C)); the run findings' probe",
  run: async (ctx) => {
    const p = await probe(ctx);
    if ('skipped' in p) return p;
    if (p.engine.torch === null)
      return {
        skipped: `${p.interpreter} cannot import torch (${p.engine.error ?? 'unknown'}): see torch-version`,
      };
    if (ctx.settings?.engine === 'onednn')
      return { skipped: "engine onednn tunes stock PyTorch, which runs without Ampere's engine" };
    const f = engineAbsentFinding(p.engine, p.interpreter, p.env);
    if (f) return { finding: f };
    return {
      passed: {
        message: `${p.interpreter} has Ampere's engine${p.engine.version ? ` (${p.engine.version})` : ''}`,
        evidence: probeEvidence(p),
      },
    };
  },
};

export const torchVersion: HostCheck = {
  code: 'torch-version',
  source:
    'Ampere\'s AIO docs (torch.compile backend "aio" is beta and needs PyTorch 2; TorchScript is the fast path; an image\'s /.release names the AIO version)',
  run: async (ctx) => {
    const p = await probe(ctx);
    if ('skipped' in p) return p;
    const evidence = probeEvidence(p);
    const torch = p.engine.torch;
    if (torch === null)
      return {
        finding: {
          code: 'torch-version',
          severity: 'info',
          message: `${p.interpreter} cannot import torch (${p.engine.error ?? 'unknown'}): a PyTorch workload run with it fails at its first import.`,
          evidence,
          fix: {
            label:
              "Name the interpreter that has Ampere Optimized PyTorch (--python, or the workload's python), e.g. the one in the amperecomputingai/pytorch image",
          },
        },
      };
    const major = Number(/^(\d+)\./.exec(torch)?.[1] ?? NaN);
    if (Number.isFinite(major) && major < 2)
      return {
        finding: {
          code: 'torch-version',
          severity: 'info',
          message:
            `${p.interpreter} has torch ${torch}: before PyTorch 2 there is no torch.compile, so the engine's ` +
            `torch.compile(backend="aio") path is unavailable; TorchScript (torch.jit.trace/script + freeze) still works.`,
          evidence,
          fix: {
            label:
              'Use a current Ampere Optimized PyTorch image (amperecomputingai/pytorch:latest) for torch.compile',
          },
        },
      };
    return {
      passed: {
        message: `torch ${torch}${p.engine.present ? ` with Ampere's engine${p.engine.version ? ` (${p.engine.version})` : ''}` : ''}`,
        evidence,
      },
    };
  },
};
