/** Remote targets: SSH hosts and Docker containers the tuner reads, runs on and bundles from. */
export * from './url';
export { RemoteError, sshFailure, dockerFailure, workloadStartFailure, type RemoteErrorCode } from './errors';
export { remoteContext, type RemoteContext } from './ssh';
export {
  runOnTarget,
  runScript,
  targetArgv,
  masterPid,
  closeMaster,
  execLocal,
  type ExecResult,
} from './exec';
export { probeTarget, originOf, type TargetFacts } from './remote-topology';
export { loadTopology, targetProbe } from './topology-load';
export { remoteLaunch, quickCheck, type LaunchSpec } from './launch';
export { RemoteLoadSampler, type LoadSource } from './load';
export { TargetStore } from './target-store';
export { TargetService } from './service';
export { remoteToolHost, remoteSession } from './tools';
export { remoteResults } from './results';
export type { TargetEntry, TargetList, TargetCheck, TargetKind } from '../shared/targets';
