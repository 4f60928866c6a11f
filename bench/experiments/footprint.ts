import { linearRegression } from 'simple-statistics';
import { nowMs, sleep } from '../clock.js';
import type { OpenLoopResult } from '../load/types.js';
import type { RunningTopology } from '../targets/types.js';
import { startResourceSampler, type ResourceSampler } from '../resources/index.js';
import type { FootprintResult, MarginalCost, ScalingPoint } from '../results/schema.js';
import type { FootprintSettings } from '../config/profiles.js';
import type { TopologyVariant } from '../config/topologies.js';
import { scalingKey } from '../results/unit-keys.js';
import { scalingModels } from '../../models/catalog.js';
import { throwIfInterrupted, type ExperimentContext } from './context.js';
import { estimateSteps } from './estimate.js';
import { buildTopologySpec, type SpecExtras } from './topology-spec.js';

const GIB = 1024 ** 3;

/** Watches every server process of a topology (re-read on each tick: processes restart). */
export function watchTopology(topology: RunningTopology): ResourceSampler {
  return startResourceSampler(() => topology.processes().flatMap((p) => (p.pid === null ? [] : [{ label: p.name, pid: p.pid }])), { intervalMs: 100 });
}

/**
 * $ per 1M inferences: the CPU actually burnt per request at vCPU-hour prices, plus the memory held
 * while serving 1M requests at the measured rate at GiB-hour prices.
 */
export function costPer1MRequests(cpuSecondsPerRequest: number, rssBytes: number, achievedRps: number, price: FootprintSettings['price']): number | null {
  if (!(achievedRps > 0)) return null;
  const cpuUsd = ((cpuSecondsPerRequest * 1e6) / 3600) * price.usdPerVcpuHour;
  const memoryUsd = (rssBytes / GIB) * (1e6 / achievedRps / 3600) * price.usdPerGibHour;
  return cpuUsd + memoryUsd;
}

/** Inputs of a footprint result gathered during a measurement session. */
export interface FootprintObservation {
  coldStartMs: number;
  idleRssBytes: number | null;
  /** The mixed open-loop run whose CPU and memory are attributed to requests. */
  loaded: { run: OpenLoopResult; cpuSeconds: number; peakRssBytes: number } | null;
}

/** Builds a footprint result from what a session observed. */
export function toFootprintResult(observation: FootprintObservation, topology: RunningTopology, who: TopologyVariant, trial: number, price: FootprintSettings['price']): FootprintResult {
  const notMeasured: Record<string, string> = {};
  let cpuSecondsPer1kRequests: number | null = null;
  let costPer1MRequestsUsd: number | null = null;
  const loaded = observation.loaded;
  if (loaded) {
    const requests = loaded.run.streams.reduce((sum, s) => sum + s.total.sent, 0);
    const achieved = loaded.run.streams.reduce((sum, s) => sum + s.total.succeeded, 0) / (loaded.run.durationMs / 1000);
    cpuSecondsPer1kRequests = requests > 0 ? (loaded.cpuSeconds / requests) * 1000 : null;
    costPer1MRequestsUsd = requests > 0 ? costPer1MRequests(loaded.cpuSeconds / requests, loaded.peakRssBytes, achieved, price) : null;
  } else {
    notMeasured.loadedRssBytes = notMeasured.cpuSecondsPer1kRequests = notMeasured.costPer1MRequestsUsd = 'no load was run in this session';
  }
  if (observation.idleRssBytes === null) notMeasured.idleRssBytes = 'no resource sample of the idle topology';
  return {
    topology: who.topology,
    variant: who.variant,
    trial,
    valid: true,
    invalidReasons: [],
    notMeasured,
    models: topology.spec.models,
    processCount: topology.processes().length,
    coldStartMs: observation.coldStartMs,
    idleRssBytes: observation.idleRssBytes,
    loadedRssBytes: loaded?.peakRssBytes ?? null,
    cpuSecondsPer1kRequests,
    costPer1MRequestsUsd,
  };
}

/** Latest total RSS the sampler has seen. */
export async function currentRss(sampler: ResourceSampler): Promise<number | null> {
  await sampler.sampleNow();
  return sampler.snapshot().totals.at(-1)?.rssBytes ?? null;
}

/** Starts a topology and measures how long until every process answered ready. */
export async function startTimed(ctx: ExperimentContext, who: TopologyVariant, extras: SpecExtras = {}): Promise<{ topology: RunningTopology; coldStartMs: number }> {
  const started = nowMs();
  const topology = await ctx.target.start(buildTopologySpec(ctx.config, ctx.storeDir, who, extras), { readyTimeoutMs: 60_000 });
  return { topology, coldStartMs: nowMs() - started };
}

/** Scaling: start each variant with 1 → N synthetic models; cold start and idle RSS per count. */
export async function measureScaling(ctx: ExperimentContext, onPoint: (point: ScalingPoint) => void): Promise<void> {
  const scaling = scalingModels().map((m) => m.name);
  const counts = ctx.config.settings.footprint.scalingCounts.filter((n) => n <= scaling.length);
  for (const modelCount of counts) {
    for (const who of ctx.config.variants) {
      if (ctx.resume?.has(scalingKey(who, modelCount))) continue;
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`footprint scaling · ${who.topology}/${who.variant} · ${modelCount} models`);
      const models = scaling.slice(0, modelCount);
      const { topology, coldStartMs } = await startTimed(ctx, who, { models });
      const sampler = watchTopology(topology);
      try {
        await sleep(ctx.config.settings.footprint.idleSettleMs);
        onPoint({ topology: who.topology, variant: who.variant, trial: 0, modelCount, processCount: topology.processes().length, coldStartMs, idleRssBytes: await currentRss(sampler) });
      } finally {
        await sampler.stop();
        await topology.stop();
      }
      ctx.progress.tick(estimateSteps(ctx.config).scalingPointMs(who, modelCount));
    }
  }
}

/** Marginal cost per added model: slope of RSS and start time over model count, per variant. */
export function computeMarginalCosts(points: readonly ScalingPoint[]): MarginalCost[] {
  const keys = [...new Set(points.map((p) => `${p.topology}:${p.variant}`))];
  return keys.map((key) => {
    const [topology, variant] = key.split(':') as [ScalingPoint['topology'], ScalingPoint['variant']];
    const mine = points.filter((p) => p.topology === topology && p.variant === variant);
    const slope = (value: (p: ScalingPoint) => number | null) => {
      const pairs = mine.flatMap((p) => (value(p) === null ? [] : [[p.modelCount, value(p)!]]));
      return new Set(pairs.map(([x]) => x)).size >= 2 ? linearRegression(pairs).m : null;
    };
    return { topology, variant, rssBytesPerModel: slope((p) => p.idleRssBytes), startMsPerModel: slope((p) => p.coldStartMs) };
  });
}
