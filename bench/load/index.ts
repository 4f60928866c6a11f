// Public surface of the load generators.
export { buildSchedule, type Schedule, type ScheduleSpec, type ScheduledSend } from './schedule.js';
export { startOpenLoop, runOpenLoop, runClosedLoop, isTasksetAvailable, type OpenLoopHandle, type GeneratorOptions } from './generator-client.js';
export { executeOpenLoop, validatePlan, type RunControl } from './open-loop-runner.js';
export { buildMixCycle, plannedShares, runMixLevel, type MixShare, type MixTarget } from './mix-loop.js';
export { deriveCapacity, runClosedLoopSweep, type ClosedLoopSpec, type ClosedLoopTarget, type ClosedLoopResult, type ConcurrencyLevelResult, type Capacity } from './closed-loop.js';
export { calibrateGenerator, type CalibrationOptions, type CalibrationReport } from './calibrate.js';
export { classifyError } from './classify-error.js';
export { summarizeMs, createMicrosecondHistogram, CURVE_PERCENTILES } from './histogram.js';
export { validateOpenLoopStream, type OpenLoopValidityRules } from './validate-open-loop.js';
export type * from './types.js';
