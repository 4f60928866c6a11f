import type { TimelineBin } from '../results/schema.js';

/** The default rule of DESIGN.md: a bin violates when over 1% of its requests failed or its p99 exceeds the SLO. */
export const DEFAULT_ERROR_RATE_LIMIT = 0.01;

/** True when more than the limit of a bin's requests failed. */
export function isErrorViolating(bin: TimelineBin, errorRateLimit = DEFAULT_ERROR_RATE_LIMIT): boolean {
  return bin.count > 0 && bin.errors / bin.count > errorRateLimit;
}

/** True when a bin's p99 exceeds the SLO. */
export function isLatencyViolating(bin: TimelineBin, sloMs: number): boolean {
  return bin.count > 0 && bin.p99Ms !== null && bin.p99Ms > sloMs;
}

/** True when a bin breaches its model's SLO (error rate above the limit, or p99 above the SLO). */
export function isViolating(bin: TimelineBin, sloMs: number, errorRateLimit = DEFAULT_ERROR_RATE_LIMIT): boolean {
  return isErrorViolating(bin, errorRateLimit) || isLatencyViolating(bin, sloMs);
}

/** Bins whose start lies in [fromMs, toMs). */
export function binsBetween(bins: readonly TimelineBin[], fromMs: number, toMs: number): TimelineBin[] {
  return bins.filter((bin) => bin.tMs >= fromMs && bin.tMs < toMs);
}

/** Number of violating bins in [fromMs, toMs). */
export function countViolatingBins(bins: readonly TimelineBin[], sloMs: number, fromMs: number, toMs: number): number {
  return binsBetween(bins, fromMs, toMs).filter((bin) => isViolating(bin, sloMs)).length;
}

/** Worst bin p99 in [fromMs, toMs): the estimator used on both sides of every inflation ratio. */
export function worstBinP99(bins: readonly TimelineBin[], fromMs: number, toMs: number): number | null {
  const values = binsBetween(bins, fromMs, toMs).map((bin) => bin.p99Ms).filter((v): v is number => v !== null);
  return values.length > 0 ? Math.max(...values) : null;
}

/** Failed requests in [fromMs, toMs). */
export function countErrors(bins: readonly TimelineBin[], fromMs: number, toMs: number): number {
  return binsBetween(bins, fromMs, toMs).reduce((sum, bin) => sum + bin.errors, 0);
}

/** Time in [fromMs, toMs) covered by bins that had traffic and not one success: how long the model was down. */
export function downtimeMs(bins: readonly TimelineBin[], binMs: number, fromMs: number, toMs: number): number {
  return binsBetween(bins, fromMs, toMs).filter((bin) => bin.count > 0 && bin.ok === 0).length * binMs;
}
