// Public surface of the resource sampler.
export { readProcess, readProcessTree, findDescendants, readClockTicks, parseStatCpuTicks, parseStatusRssBytes, type ProcReading } from './proc-reader.js';
export {
  startResourceSampler,
  computeCpuSecondsBetween,
  type WatchedProcess,
  type ProcessSample,
  type TotalSample,
  type ProcessSeriesSummary,
  type ResourceReport,
  type ResourceSampler,
} from './sampler.js';
