import {
  checkMinimumDuration,
  checkPercentileSamples,
  checkStability,
  checkWarmupExcluded,
  combineValidity,
  type StabilityOptions,
  type Validity,
} from '../stats/validity.js';
import type { OpenLoopResult, StreamResult } from './types.js';

/** Rules a stream's result must meet to be reported as valid. */
export interface OpenLoopValidityRules {
  minimumWarmupMs: number;
  minimumMeasuredMs: number;
  /** Percentiles (in percent) the report will claim, e.g. [50, 99]. */
  claimedPercentiles: number[];
  stability?: StabilityOptions;
  /** Skip the stability rule (fault and redeploy runs are unstable on purpose). */
  skipStability?: boolean;
}

/** Applies every validity rule to one stream of an open-loop run. */
export function validateOpenLoopStream(result: OpenLoopResult, stream: StreamResult, rules: OpenLoopValidityRules): Validity {
  return combineValidity(
    checkWarmupExcluded({ warmupMs: result.warmupMs, warmupExcluded: true }, rules.minimumWarmupMs),
    checkMinimumDuration(result.measuredMs, rules.minimumMeasuredMs),
    checkPercentileSamples(stream.latency.count, rules.claimedPercentiles),
    rules.skipStability ? { valid: true, invalidReasons: [] } : checkStability(stream.windows, rules.stability),
    result.generator.saturation,
    result.aborted ? { valid: false, invalidReasons: ['the run was aborted before its schedule ended'] } : { valid: true, invalidReasons: [] },
  );
}
