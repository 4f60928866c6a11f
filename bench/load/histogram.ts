import * as hdr from 'hdr-histogram-js';
import { reportPercentile } from '../stats/percentile-rule.js';
import type { CurvePoint, DistributionSummary } from './types.js';

/** Percentiles drawn in charts (100 = max is added separately). */
export const CURVE_PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99] as const;

/** A microsecond-resolution HDR histogram (packed JS buckets, 3 significant digits, auto-resizing). */
export function createMicrosecondHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 'packed',
    useWebAssembly: false,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** Records a millisecond value with microsecond resolution (values below 1 µs count as 1 µs). */
export function recordMs(histogram: hdr.Histogram, valueMs: number): void {
  histogram.recordValue(Math.max(1, Math.round(valueMs * 1000)));
}

/** Summarises millisecond values: sample-gated percentiles, mean, max, curve and the encoded histogram. */
export function summarizeMs(valuesMs: readonly number[]): DistributionSummary {
  const histogram = createMicrosecondHistogram();
  for (const value of valuesMs) recordMs(histogram, value);
  const count = histogram.totalCount;
  const at = (p: number) => reportPercentile(p, count, () => histogram.getValueAtPercentile(p) / 1000);
  const [p50, p90, p99, p999] = [at(50), at(90), at(99), at(99.9)];
  const curve: CurvePoint[] = CURVE_PERCENTILES.map((p) => at(p))
    .filter((r) => r.value !== null)
    .map((r) => ({ percentile: r.percentile, valueMs: r.value as number }));
  if (count > 0) curve.push({ percentile: 100, valueMs: histogram.maxValue / 1000 });
  const summary: DistributionSummary = {
    count,
    meanMs: count > 0 ? histogram.mean / 1000 : null,
    p50Ms: p50.value,
    p90Ms: p90.value,
    p99Ms: p99.value,
    p999Ms: p999.value,
    maxMs: count > 0 ? histogram.maxValue / 1000 : null,
    nullReasons: [p50, p90, p99, p999].flatMap((r) => (r.reason === null ? [] : [r.reason])),
    curve,
    histogramBase64: hdr.encodeIntoCompressedBase64(histogram),
  };
  histogram.destroy();
  return summary;
}

/** Raw (not sample-gated) percentile of millisecond values, for health signals and timeline bins. */
export function rawPercentileMs(valuesMs: readonly number[], percentile: number): number | null {
  if (valuesMs.length === 0) return null;
  const histogram = createMicrosecondHistogram();
  for (const value of valuesMs) recordMs(histogram, value);
  const value = histogram.getValueAtPercentile(percentile) / 1000;
  histogram.destroy();
  return value;
}
