/** A percentile that is either backed by enough samples or null with the reason. */
export interface ReportedPercentile {
  percentile: number;
  value: number | null;
  samples: number;
  requiredSamples: number;
  reason: string | null;
}

/** Samples needed to claim percentile p (in percent, e.g. 99): n >= 10 / (1 - p), so p99 needs 1000. */
export function requiredSamplesForPercentile(percentile: number): number {
  if (percentile >= 100) return 1;
  // Round before ceil: 10 / (1 - 0.99) is 1000.0000000000009 in floating point.
  return Math.ceil(Math.round((10 / (1 - percentile / 100)) * 1e6) / 1e6);
}

/** Returns the value when `samples` is large enough to claim `percentile`, else null with why. */
export function reportPercentile(percentile: number, samples: number, compute: () => number): ReportedPercentile {
  const requiredSamples = requiredSamplesForPercentile(percentile);
  if (samples < requiredSamples) {
    return { percentile, value: null, samples, requiredSamples, reason: `p${percentile} needs at least ${requiredSamples} samples, got ${samples}` };
  }
  return { percentile, value: compute(), samples, requiredSamples, reason: null };
}
