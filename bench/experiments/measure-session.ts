import { sleep } from '../clock.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { RunningTopology } from '../targets/types.js';
import type { FootprintResult, LatencyResult, ThroughputResult } from '../results/schema.js';
import type { BareInferenceMs } from './ceiling.js';
import { throwIfInterrupted, type ExperimentContext } from './context.js';
import { currentRss, startTimed, toFootprintResult, watchTopology, type FootprintObservation } from './footprint.js';
import { estimateSteps } from './estimate.js';
import { measureLatency } from './latency.js';
import { measureThroughput } from './throughput.js';
import type { SpecExtras } from './topology-spec.js';

/** What one session (one start of one topology variant) produced. */
export interface SessionResults {
  latency: LatencyResult[];
  throughput: ThroughputResult[];
  footprint: FootprintResult | null;
}

/** How a session's topology is started, and what else runs on it before it stops. */
export interface SessionOptions {
  /** Spec extras (fault hooks, memory limit, pinned versions) every session of the run shares. */
  extras?: SpecExtras;
  /** Runs on the started topology after the measurements; returns the topology then running (it may have been replaced). */
  then?: (topology: RunningTopology) => Promise<RunningTopology>;
  /** Receives the measurements as soon as they are done, before `then` runs. */
  onMeasured?: (results: SessionResults) => void;
}

/**
 * One trial of one topology variant: start it (cold start), let it settle (idle RSS), then run the
 * latency, throughput and footprint phases the run asks for, and stop it. Starting once per trial
 * serves all three experiments, so the quick profile fits its time budget.
 */
export async function runSession(ctx: ExperimentContext, who: TopologyVariant, trial: number, bare: BareInferenceMs, options: SessionOptions = {}): Promise<SessionResults> {
  const wants = new Set(ctx.config.experiments);
  const label = `${who.topology}/${who.variant} · trial ${trial + 1}/${ctx.config.trials}`;
  ctx.progress.step(`starting ${label}`);
  const started = await startTimed(ctx, who, options.extras);
  const { coldStartMs } = started;
  let topology = started.topology;
  ctx.progress.tick(estimateSteps(ctx.config).sessionStartMs(who));
  const sampler = watchTopology(topology);
  const out: SessionResults = { latency: [], throughput: [], footprint: null };
  let samplerStopped = false;
  let handedOver = false;
  // Whatever was measured is handed over once, also when the session is cut short (Ctrl-C between phases).
  const handOver = (): void => {
    if (handedOver) return;
    handedOver = true;
    options.onMeasured?.(out);
  };
  try {
    await sleep(ctx.config.settings.footprint.idleSettleMs);
    const observation: FootprintObservation = { coldStartMs, idleRssBytes: await currentRss(sampler), loaded: null };
    if (wants.has('latency') || wants.has('footprint')) {
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`latency · ${label}`);
      const { results, mixed } = await measureLatency(ctx, topology, who, trial);
      await sampler.sampleNow();
      const peak = sampler.snapshot().totals.filter((t) => t.atMs >= mixed.startedAtMs && t.atMs <= mixed.endedAtMs).reduce((max, t) => Math.max(max, t.rssBytes), 0);
      observation.loaded = { run: mixed, cpuSeconds: sampler.cpuSecondsBetween(mixed.startedAtMs, mixed.endedAtMs), peakRssBytes: peak };
      if (wants.has('latency')) out.latency = results;
      ctx.progress.tick(estimateSteps(ctx.config).latencyMs);
    }
    if (wants.has('throughput')) {
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`throughput · ${label}`);
      out.throughput = await measureThroughput(ctx, topology, who, trial, bare);
      ctx.progress.tick(estimateSteps(ctx.config).throughputMs(trial));
    }
    if (wants.has('footprint')) out.footprint = toFootprintResult(observation, topology, who, trial, ctx.config.settings.footprint.price);
    await sampler.stop();
    samplerStopped = true;
    handOver();
    if (options.then) topology = await options.then(topology);
  } finally {
    if (!samplerStopped) await sampler.stop();
    await topology.stop();
    handOver();
  }
  return out;
}
