// Public surface of the statistics helpers.
export { bootstrapMedian, bootstrapRatioOfMedians, type BootstrapOptions, type IntervalEstimate } from './bootstrap.js';
export { testDifference, minimumTwoSidedPValue, type SignificanceResult, type SignificanceVerdict, type SignificanceOptions } from './significance.js';
export { coefficientOfVariation } from './variation.js';
export { requiredSamplesForPercentile, reportPercentile, type ReportedPercentile } from './percentile-rule.js';
export {
  checkWarmupExcluded,
  checkMinimumDuration,
  checkPercentileSamples,
  checkStability,
  checkGeneratorSaturation,
  combineValidity,
  type Validity,
  type WindowSummary,
  type StabilityOptions,
  type GeneratorHealth,
} from './validity.js';
