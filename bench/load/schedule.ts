import { createRandom } from '../../models/random.js';
import type { Arrival } from './types.js';

/** What a schedule is built from: per-stream rates and arrival processes. */
export interface ScheduleSpec {
  streams: Array<{ name: string; rateRps: number; arrival: Arrival }>;
  durationMs: number;
  seed: number;
  /**
   * From this offset on, every Poisson stream gets exactly round(rate × rest) arrivals, placed as a
   * Poisson process conditioned on its count places them (independent uniform times): the measured
   * window then holds the sample count its percentiles need in every trial, not a Poisson draw of
   * it (at 1 rps for 20 s, a fifth of the trials would get fewer than 16).
   */
  fixedCountFromMs?: number;
}

/** One intended send: offset from the run's start and the index of its stream. */
export interface ScheduledSend {
  atMs: number;
  stream: number;
}

/** Intended send times, per stream and merged in time order. */
export interface Schedule {
  durationMs: number;
  seed: number;
  streams: Array<{ name: string; rateRps: number; arrival: Arrival; intendedMs: number[] }>;
  sends: ScheduledSend[];
}

/** Builds the intended send times of every stream: pure, same spec → same schedule. */
export function buildSchedule(spec: ScheduleSpec): Schedule {
  if (!(spec.durationMs > 0)) throw new Error(`schedule: durationMs must be > 0, got ${spec.durationMs}`);
  const streams = spec.streams.map((stream, index) => {
    if (!(stream.rateRps > 0) || !Number.isFinite(stream.rateRps)) {
      throw new Error(`schedule: stream ${stream.name} needs a finite rate > 0, got ${stream.rateRps}`);
    }
    const intendedMs = buildStreamTimes(stream.rateRps, stream.arrival, spec.durationMs, deriveSeed(spec.seed, index), spec.fixedCountFromMs);
    return { ...stream, intendedMs };
  });
  return { durationMs: spec.durationMs, seed: spec.seed, streams, sends: mergeStreams(streams.map((s) => s.intendedMs)) };
}

/** Independent per-stream seed, so adding a stream does not shift the others' times. */
function deriveSeed(seed: number, index: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) | 0;
}

/** Send times in [0, durationMs) of one stream: evenly spaced (seeded phase) or exponential gaps (with a fixed count after fixedFromMs). */
function buildStreamTimes(rateRps: number, arrival: Arrival, durationMs: number, seed: number, fixedFromMs?: number): number[] {
  const random = createRandom(seed);
  const meanGapMs = 1000 / rateRps;
  const times: number[] = [];
  if (arrival === 'constant') {
    // A random phase keeps equal-rate streams from all firing at the same instant.
    for (let t = random.next() * meanGapMs; t < durationMs; t += meanGapMs) times.push(t);
    return times;
  }
  const poissonUntilMs = fixedFromMs !== undefined && fixedFromMs < durationMs ? Math.max(0, fixedFromMs) : durationMs;
  for (let t = -meanGapMs * Math.log(1 - random.next()); t < poissonUntilMs; t += -meanGapMs * Math.log(1 - random.next())) {
    times.push(t);
  }
  if (poissonUntilMs < durationMs) {
    const count = Math.round((rateRps * (durationMs - poissonUntilMs)) / 1000);
    const rest = Array.from({ length: count }, () => poissonUntilMs + random.next() * (durationMs - poissonUntilMs));
    times.push(...rest.sort((a, b) => a - b));
  }
  return times;
}

/** Merges per-stream times into one time-ordered list (ties broken by stream index). */
function mergeStreams(times: number[][]): ScheduledSend[] {
  const sends: ScheduledSend[] = [];
  times.forEach((list, stream) => list.forEach((atMs) => sends.push({ atMs, stream })));
  return sends.sort((a, b) => a.atMs - b.atMs || a.stream - b.stream);
}
