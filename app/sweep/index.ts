/** Sweeps: plan a grid of threads × instances × variants × batches, measure it run by run, recommend. */
export * from '../shared/sweep';
export * from '../shared/variants';
export * from './plan';
export * from '../shared/recommend';
export * from './csv';
export { SweepSpecSchema, CustomVariantSchema, SweepRecordSchema } from './schema';
export { SweepService, hostInfo, type SweepEmit, type SweepDeps } from './service';
export { measurePoint, type MeasureContext } from './measure';
export { findInstances, watchInstances, type FoundInstance, type RemoteResults } from './procs';
