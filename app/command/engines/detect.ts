/**
 * Which engine an imported command line was written for. A line with an AIO_* (or DLS_*) variable is the AIO
 * engine's; one without any, that sets OpenMP's binding or a variable only stock PyTorch/oneDNN reads, is what
 * `--engine onednn` writes. Anything else stays aio, the default, so old lines read back as before.
 */
import { ONEDNN_VARIABLES, VARIABLES } from '../../shared/variables';
import { isAioName } from './checks';

const AIO_NAMES = new Set(VARIABLES.map((v) => v.name));
/** Names only the oneDNN catalogue has, plus the newer spelling of the math mode. */
const ONEDNN_ONLY = new Set([
  ...ONEDNN_VARIABLES.map((v) => v.name).filter((n) => !AIO_NAMES.has(n)),
  'ONEDNN_DEFAULT_FPMATH_MODE',
]);

export function isOnednnLine(env: ReadonlyMap<string, string | null>): boolean {
  const names = [...env.keys()].filter((k) => env.get(k) !== null);
  if (names.some(isAioName)) return false;
  return names.some((k) => ONEDNN_ONLY.has(k));
}
