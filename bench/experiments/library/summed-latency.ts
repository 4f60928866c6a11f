import { quantileSorted } from 'simple-statistics';
import { createRandom, type SeededRandom } from '../../../models/random.js';

/** Per-call bare durations (ms) of each compatibility cell, keyed by `cellKey`. */
export type CellSamples = ReadonlyMap<string, readonly number[]>;

/** One model of one side: the runtime it runs on there and the median measured in that cell. */
export interface Placement {
  model: string;
  runtime: string;
  medianMs: number;
}

/** A value with its interval (null bounds when the interval could not be formed). */
export interface Estimate {
  estimate: number;
  low: number | null;
  high: number | null;
}

/** Both sides' summed per-call latency and their ratio (microservices ÷ monolith), with why an interval is missing. */
export interface SummedLatency {
  monolith: Estimate;
  microservices: Estimate;
  ratio: Estimate | null;
  reason: string | null;
}

/** Options of the bootstrap: seed, rounds and confidence. */
export interface SumOptions {
  seed?: number;
  iterations?: number;
  confidence?: number;
}

/** Key of a cell's samples: `model@runtime`. */
export function cellKey(model: string, runtime: string): string {
  return `${model}@${runtime}`;
}

/** Median of one resample with replacement of `values`, drawn into `scratch`. */
function resampleMedian(values: readonly number[], scratch: Float64Array, random: SeededRandom): number {
  const n = values.length;
  for (let i = 0; i < n; i++) scratch[i] = values[Math.floor(random.next() * n)]!;
  scratch.sort();
  return n % 2 === 1 ? scratch[(n - 1) / 2]! : (scratch[n / 2 - 1]! + scratch[n / 2]!) / 2;
}

/** Equal-tailed percentile interval of a bootstrap distribution. */
function intervalOf(distribution: number[], confidence: number): [number, number] {
  const sorted = distribution.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return [quantileSorted(sorted, tail), quantileSorted(sorted, 1 - tail)];
}

/** Sum of the recorded medians of one side. */
function sumOf(side: readonly Placement[]): number {
  return side.reduce((sum, p) => sum + p.medianMs, 0);
}

/**
 * Per-call latency summed over models on each side, from the medians measured in the cells, with
 * percentile-bootstrap intervals: each round resamples every cell's calls once, so a cell both sides
 * run (same model, same runtime) is the same draw on both and adds nothing to their difference.
 */
export function bootstrapSummedLatency(monolith: readonly Placement[], microservices: readonly Placement[], samples: CellSamples, options: SumOptions = {}): SummedLatency {
  const { seed = 1, iterations = 1000, confidence = 0.95 } = options;
  const mono = sumOf(monolith);
  const micro = sumOf(microservices);
  const ratio = mono > 0 ? { estimate: micro / mono, low: null, high: null } : null;
  const keys = [...new Set([...monolith, ...microservices].map((p) => cellKey(p.model, p.runtime)))];
  const thin = keys.filter((key) => (samples.get(key)?.length ?? 0) < 2);
  if (thin.length > 0) {
    return { monolith: { estimate: mono, low: null, high: null }, microservices: { estimate: micro, low: null, high: null }, ratio, reason: `no interval: fewer than 2 per-call samples recorded for ${thin.join(', ')}` };
  }
  const random = createRandom(seed);
  const scratch = new Map(keys.map((key) => [key, new Float64Array(samples.get(key)!.length)]));
  const monoSums: number[] = [];
  const microSums: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < iterations; round++) {
    const medians = new Map(keys.map((key) => [key, resampleMedian(samples.get(key)!, scratch.get(key)!, random)]));
    const a = monolith.reduce((sum, p) => sum + medians.get(cellKey(p.model, p.runtime))!, 0);
    const b = microservices.reduce((sum, p) => sum + medians.get(cellKey(p.model, p.runtime))!, 0);
    monoSums.push(a);
    microSums.push(b);
    if (a > 0) ratios.push(b / a);
  }
  const [monoLow, monoHigh] = intervalOf(monoSums, confidence);
  const [microLow, microHigh] = intervalOf(microSums, confidence);
  const [ratioLow, ratioHigh] = ratios.length === iterations ? intervalOf(ratios, confidence) : [null, null];
  return {
    monolith: { estimate: mono, low: monoLow, high: monoHigh },
    microservices: { estimate: micro, low: microLow, high: microHigh },
    ratio: ratio ? { estimate: ratio.estimate, low: ratioLow, high: ratioHigh } : null,
    reason: null,
  };
}
