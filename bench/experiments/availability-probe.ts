import { findModel } from '../../models/catalog.js';
import { decodeRequestLog, encodeRequestLog, sliceObservations, type Observation } from '../load/request-log.js';
import type { LoadStream, OpenLoopResult } from '../load/types.js';
import type { RunningTopology } from '../targets/types.js';
import type { RequestLogEntry } from '../results/schema.js';
import { encodeInferRequest } from '../protocol/encode-request.js';
import { inferUrl } from './traffic.js';

/**
 * Interval of the availability probe, the same for every model and topology: one small real
 * inference per model every 100 ms (constant arrival), so an outage of any model is seen to
 * within ~100 ms whatever its load rate (a 1-rps model alone would show nothing shorter than 1 s).
 */
export const PROBE_INTERVAL_MS = 100;

/** Name of a model's probe stream in an open-loop plan and result. */
export function probeStreamName(model: string): string {
  return `probe:${model}`;
}

/** Probe streams for every model: its catalog probe input (small, ~1 ms) to the URL the load uses. */
export function buildProbeStreams(topology: RunningTopology, models: readonly string[], seed: number): LoadStream[] {
  return models.map((model) => {
    const spec = findModel(model)!;
    const request = encodeInferRequest((spec.probeInputs ?? spec.sampleInputs)(seed), spec.defaultEncoding);
    return { model, name: probeStreamName(model), url: inferUrl(topology, model), method: 'POST' as const, headers: request.headers, body: request.body, rateRps: 1000 / PROBE_INTERVAL_MS, arrival: 'constant' as const, probe: true };
  });
}

/** A run without its probe streams: what the load's timelines, latency and SLO figures are made of. */
export function withoutProbes(result: OpenLoopResult): OpenLoopResult {
  return { ...result, streams: result.streams.filter((s) => s.probe !== true) };
}

/** Every recorded request per model (probes only, when asked), merged in time order, ms from the run's start; a model without recorded requests is absent. */
export function collectObservations(result: OpenLoopResult, only: 'all' | 'probes' = 'all'): Record<string, Observation[]> {
  const byModel: Record<string, Observation[]> = {};
  for (const stream of result.streams) {
    if (stream.requests === undefined || (only === 'probes' && stream.probe !== true)) continue;
    byModel[stream.model] = [...(byModel[stream.model] ?? []), ...decodeRequestLog(stream.requests)];
  }
  for (const list of Object.values(byModel)) list.sort((a, b) => a.tMs - b.tMs);
  return byModel;
}

/** The recorded requests of a run for results.json, cut to [fromMs, toMs) of the run and re-based to fromMs. */
export function toRequestLogs(result: OpenLoopResult, fromMs = 0, toMs = Infinity): RequestLogEntry[] {
  return result.streams.flatMap((stream) =>
    stream.requests === undefined
      ? []
      : [{ stream: stream.name, model: stream.model, probe: stream.probe === true, ...encodeRequestLog(sliceObservations(decodeRequestLog(stream.requests), fromMs, toMs)) }],
  );
}
