// The views that draw with Chart.js (and what they pull in: the session schema's zod), in a
// chunk of their own that the page loads once it is usable (issue #20: interactive in under
// 1 s). Until it arrives, each stands in the page as an empty slot (util/later.ts).
export { RunCharts } from './runCharts';
export { CompareView } from './compareView';
export { SweepView } from './sweepPanel';
export { MachinesView } from './machinesView';
export { atScale } from '../charts/renderScale';

export type LazyViews = typeof import('./lazyViews');
