export { SweepPanel } from './SweepPanel';
export { SweepChart } from './SweepChart';
export { SweepTable } from './SweepTable';
export { Recommendations } from './Recommendations';
export { useSweep, type SweepView } from './useSweep';
