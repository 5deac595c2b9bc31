export { SweepPanel } from './SweepPanel';
export { SweepChart } from './SweepChart';
export { SweepTable } from './SweepTable';
export { Recommendations } from './Recommendations';
export { SweepResults } from './SweepResults';
export { useSweep, followSweep, type SweepView } from './useSweep';
