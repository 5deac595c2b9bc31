/**
 * The host doctor on a target (issue 14): the doctor reads files and runs programs there through the remote
 * adapter's ToolHost, with the environment the target's runs inherit and its probed topology. The same probe as
 * `run --target` and the map (probeTarget), so the doctor judges the machine the map shows.
 */
import type { DoctorOptions } from '../doctor';
import { releaseMaster } from './exec';
import { probeTarget, type TargetFacts } from './remote-topology';
import type { RemoteContext } from './ssh';
import { readSession, remoteToolHost } from './tools';
import { isRemote, parseTarget, TargetUrlError, targetUrl, type RemoteTarget } from './url';

export type DoctorTarget = NonNullable<DoctorOptions['target']>;

/** What runDoctor needs for a target whose facts are already probed (the engine's active target). */
export async function doctorTargetOf(
  t: RemoteTarget,
  ctx: RemoteContext,
  facts: TargetFacts,
): Promise<DoctorTarget> {
  // Reading the session is also the reachability test when the facts came from a cache.
  const session = await readSession(t, ctx);
  return { url: targetUrl(t), host: remoteToolHost(t, ctx), env: session.env, topology: facts.topology };
}

/**
 * What runDoctor needs to examine `url`, plus `close()` for one-shot callers (the CLI): it lets go of the shared
 * ssh connection the reads went through instead of leaving it up for ControlPersist, without ending what other
 * processes (the app's run on the same host) have going through it. Throws TargetUrlError for a
 * URL that is not a remote target, and a RemoteError (one line: `aio-tuner doctor` exits 1) when the target
 * cannot be reached.
 */
export async function targetDoctorOptions(
  url: string,
  ctx: RemoteContext,
): Promise<DoctorTarget & { close(): Promise<void> }> {
  const t = parseTarget(url);
  if (!isRemote(t))
    throw new TargetUrlError(`"${url}" is this machine, not a remote target: examine it without a target`);
  const close = () => releaseMaster(t, ctx);
  try {
    // The probe first: it opens the shared connection (and says why when it cannot), the session reuses it.
    const facts = await probeTarget(t, ctx);
    return { ...(await doctorTargetOf(t, ctx, facts)), close };
  } catch (e) {
    await close();
    throw e;
  }
}
