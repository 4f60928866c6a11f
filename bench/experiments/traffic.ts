import { findModel } from '../../models/catalog.js';
import type { LatencySettings } from '../config/profiles.js';
import type { OpenLoopPlan, OpenLoopResult, StreamResult } from '../load/types.js';
import { encodeInferRequest, type EncodedRequest } from '../protocol/encode-request.js';
import type { RunningTopology } from '../targets/types.js';
import type { Timeline, TimelineMark } from '../results/schema.js';

/** One sample request per model, encoded the way the model's clients send it (seeded, reproducible); a model with recorded requests also carries them all. */
export function buildRequests(models: readonly string[], seed: number): Record<string, EncodedRequest> {
  return Object.fromEntries(models.map((name) => {
    const spec = findModel(name)!;
    const request = encodeInferRequest(spec.sampleInputs(seed), spec.defaultEncoding);
    if (!spec.recordedInputs || spec.recordedInputs.length < 2) return [name, request];
    return [name, { ...request, variants: spec.recordedInputs.map((inputs) => { const { body, headers } = encodeInferRequest(inputs, spec.defaultEncoding); return { body, headers }; }) }];
  }));
}

/** URL a client POSTs to for a model's inference. */
export function inferUrl(topology: RunningTopology, model: string): string {
  const base = topology.endpoints()[model];
  if (!base) throw new Error(`topology has no endpoint for model "${model}"`);
  return `${base}/v2/models/${model}/infer`;
}

/** Open-loop plan sending each model its rate: mixed traffic with per-model rates. */
export function buildOpenLoopPlan(
  topology: RunningTopology,
  requests: Record<string, EncodedRequest>,
  rates: Record<string, number>,
  timing: { durationMs: number; warmupMs: number; seed: number },
  settings: Pick<LatencySettings, 'arrival' | 'timeoutMs' | 'binMs'> & Partial<Pick<LatencySettings, 'stabilityWindows'>>,
): OpenLoopPlan {
  return {
    streams: Object.entries(rates)
      .filter(([, rate]) => rate > 0)
      .map(([model, rateRps]) => ({ model, url: inferUrl(topology, model), method: 'POST' as const, headers: requests[model]!.headers, body: requests[model]!.body, ...(requests[model]!.variants ? { variants: requests[model]!.variants } : {}), rateRps, arrival: settings.arrival })),
    durationMs: timing.durationMs,
    warmupMs: timing.warmupMs,
    seed: timing.seed,
    timeoutMs: settings.timeoutMs,
    binMs: settings.binMs,
    ...(settings.stabilityWindows !== undefined ? { windows: settings.stabilityWindows } : {}),
  };
}

/** Converts the generator's per-stream bins into the results timeline, with marks at absolute times. */
export function toTimeline(result: OpenLoopResult, marks: Array<Omit<TimelineMark, 'tMs'> & { atMs: number }> = []): Timeline {
  return {
    startedAtMs: result.startedAtMs,
    binMs: result.binMs,
    bins: Object.fromEntries(
      result.streams.map((stream: StreamResult) => [
        stream.model,
        stream.timeline.map((bin) => ({ tMs: bin.startMs, count: bin.count, ok: bin.successes, errors: bin.errors, p50Ms: bin.p50Ms, p99Ms: bin.p99Ms, maxMs: bin.maxMs })),
      ]),
    ),
    marks: marks
      .map(({ atMs, ...mark }) => ({ ...mark, tMs: Math.round(atMs - result.startedAtMs) }))
      .sort((a, b) => a.tMs - b.tMs),
  };
}
