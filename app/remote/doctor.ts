/**
 * The host doctor on a target (issue 14): the doctor reads files and runs programs there through the remote
 * adapter's ToolHost, with the environment the target's runs inherit and its probed topology.
 */
import type { DoctorOptions } from '../doctor';
import type { RemoteContext } from './ssh';

/**
 * What runDoctor needs to examine `url`. Throws a RemoteError (one line, `aio-tuner doctor` exit 1) when the
 * target cannot be reached. Placeholder until the remote doctor lands.
 */
export function targetDoctorOptions(
  url: string,
  ctx: RemoteContext,
): Promise<NonNullable<DoctorOptions['target']>> {
  void ctx;
  return Promise.reject(new Error(`the host doctor cannot examine targets yet (${url})`));
}
