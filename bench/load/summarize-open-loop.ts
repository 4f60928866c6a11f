import { quantileSorted } from 'simple-statistics';
import { checkGeneratorSaturation, type WindowSummary } from '../stats/validity.js';
import { rawPercentileMs, summarizeMs } from './histogram.js';
import { encodeRequestLog } from './request-log.js';
import type { Schedule } from './schedule.js';
import { EXPIRED_BEFORE_SEND, type Counts, type ErrorKind, type OpenLoopPlan, type OpenLoopResult, type Outcome, type StreamResult, type TimelineBin } from './types.js';

/** One sent request as the sender saw it; `outcome` is null only while it is in flight. */
export interface RequestRecord {
  stream: number;
  /** Intended send time, ms from the run's start. */
  intendedMs: number;
  lagMs: number;
  outcome: Outcome | null;
}

/** Raw material of a run, gathered by the runner. */
export interface RunMaterial {
  plan: OpenLoopPlan;
  schedule: Schedule;
  records: RequestRecord[];
  maxInFlight: number[];
  startedAtMs: number;
  endedAtMs: number;
  stoppedAtElapsedMs: number;
  cpu: NodeJS.CpuUsage;
  eventLoopUtilisation: number;
  cpus: number[] | null;
}

const DEFAULT_BIN_MS = 250;
const DEFAULT_WINDOWS = 4;

/** Turns raw request records into the JSON result: counts, summaries, timeline, windows, generator health. */
export function summarizeOpenLoop(material: RunMaterial): OpenLoopResult {
  const { plan, schedule } = material;
  const aborted = material.stoppedAtElapsedMs < schedule.durationMs;
  const effectiveMs = Math.max(material.stoppedAtElapsedMs, 0);
  const measuredMs = Math.max(0, effectiveMs - plan.warmupMs);
  const binMs = plan.binMs ?? DEFAULT_BIN_MS;
  const byStream = schedule.streams.map(() => [] as RequestRecord[]);
  for (const record of material.records) byStream[record.stream]?.push(record);

  const streams: StreamResult[] = schedule.streams.map((scheduled, index) => {
    const spec = plan.streams[index];
    const records = byStream[index] ?? [];
    const intended = scheduled.intendedMs.filter((t) => t < effectiveMs);
    const measuredRecords = records.filter((r) => r.intendedMs >= plan.warmupMs);
    const total = countRecords(records, intended.length);
    const measured = countRecords(measuredRecords, intended.filter((t) => t >= plan.warmupMs).length);
    const seconds = measuredMs / 1000;
    const sendLag = summarizeMs(measuredRecords.map((r) => r.lagMs));
    return {
      name: scheduled.name,
      model: spec?.model ?? scheduled.name,
      url: spec?.url ?? '',
      arrival: scheduled.arrival,
      rateRps: scheduled.rateRps,
      total,
      measured,
      offeredRps: seconds > 0 ? measured.scheduled / seconds : 0,
      achievedRps: seconds > 0 ? measured.succeeded / seconds : 0,
      errorRate: measured.sent > 0 ? measured.failed / measured.sent : 0,
      latency: summarizeMs(measuredRecords.flatMap(timedLatency)),
      sendLag,
      sendLagP50Ms: sendLag.p50Ms,
      sendLagP99Ms: sendLag.p99Ms,
      maxInFlight: material.maxInFlight[index] ?? 0,
      timeline: binRecords(records, binMs, effectiveMs),
      windows: summarizeWindows(measuredRecords, intended, plan.warmupMs, effectiveMs, plan.windows ?? DEFAULT_WINDOWS),
      ...(spec?.probe === true ? { probe: true } : {}),
      ...(plan.recordRequests === true ? { requests: encodeRequestLog(records.map((r) => ({ tMs: r.intendedMs, ok: r.outcome?.kind === 'success' }))) } : {}),
    };
  });

  const wallMs = Math.max(1, material.endedAtMs - material.startedAtMs);
  const cpuUtilisation = (material.cpu.user + material.cpu.system) / 1000 / wallMs;
  const allLags = material.records.filter((r) => r.intendedMs >= plan.warmupMs).map((r) => r.lagMs);
  const sendLagP99Ms = rawPercentileMs(allLags, 99);
  const saturation = checkGeneratorSaturation(
    { cpuUtilisation, sendLagP99Ms },
    { maxCpu: plan.maxGeneratorCpu ?? 0.9, maxSendLagP99Ms: plan.maxSendLagP99Ms ?? 5 },
  );
  return {
    startedAtMs: material.startedAtMs,
    endedAtMs: material.endedAtMs,
    durationMs: effectiveMs,
    warmupMs: plan.warmupMs,
    measuredMs,
    seed: plan.seed,
    timeoutMs: plan.timeoutMs,
    binMs,
    aborted,
    streams,
    generator: {
      pid: process.pid,
      cpus: material.cpus,
      cpuUserMs: material.cpu.user / 1000,
      cpuSystemMs: material.cpu.system / 1000,
      cpuUtilisation,
      eventLoopUtilisation: material.eventLoopUtilisation,
      sendLagP50Ms: rawPercentileMs(allLags, 50),
      sendLagP99Ms,
      saturated: !saturation.valid,
      saturation,
    },
  };
}

/** Latency that goes into percentiles: successes and timeouts (timeouts at the timeout), not fast errors. */
function timedLatency(record: RequestRecord): number[] {
  const outcome = record.outcome;
  if (outcome === null) return [];
  if (outcome.kind === 'success' || outcome.error === 'timeout') return [outcome.latencyMs];
  return [];
}

/** Counts of a set of records; requests never answered (cannot happen after draining) count as `other`. */
function countRecords(records: readonly RequestRecord[], scheduled: number): Counts {
  const errors: Partial<Record<ErrorKind, number>> = {};
  let succeeded = 0;
  let expiredBeforeSend = 0;
  for (const record of records) {
    const outcome = record.outcome;
    if (outcome?.kind === 'success') succeeded++;
    else {
      if (outcome?.message === EXPIRED_BEFORE_SEND) expiredBeforeSend++;
      const kind: ErrorKind = outcome?.error ?? 'other';
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
  }
  return { scheduled, sent: records.length, expiredBeforeSend, succeeded, failed: records.length - succeeded, errors };
}

/** Fixed-width bins by intended send time, covering the whole run (warm-up included). */
function binRecords(records: readonly RequestRecord[], binMs: number, effectiveMs: number): TimelineBin[] {
  const binCount = Math.max(1, Math.ceil(effectiveMs / binMs));
  const bins = Array.from({ length: binCount }, (_, i) => ({ startMs: i * binMs, records: [] as RequestRecord[] }));
  for (const record of records) bins[Math.min(binCount - 1, Math.floor(record.intendedMs / binMs))]?.records.push(record);
  return bins.map(({ startMs, records: inBin }) => {
    const counts = countRecords(inBin, 0);
    const sorted = inBin.flatMap(timedLatency).sort((a, b) => a - b);
    return {
      startMs,
      count: counts.sent,
      successes: counts.succeeded,
      errors: counts.failed,
      errorsByKind: counts.errors,
      p50Ms: sorted.length > 0 ? quantileSorted(sorted, 0.5) : null,
      p99Ms: sorted.length > 0 ? quantileSorted(sorted, 0.99) : null,
      maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
    };
  });
}

/** Splits the measured period into equal windows: p50, offered and achieved rate of each, for the stability rule. */
function summarizeWindows(
  measured: readonly RequestRecord[],
  intended: readonly number[],
  warmupMs: number,
  effectiveMs: number,
  windowCount: number,
): WindowSummary[] {
  const spanMs = effectiveMs - warmupMs;
  if (spanMs <= 0 || windowCount < 1) return [];
  const widthMs = spanMs / windowCount;
  const indexOf = (t: number) => Math.min(windowCount - 1, Math.floor((t - warmupMs) / widthMs));
  const windows = Array.from({ length: windowCount }, () => ({ scheduled: 0, succeeded: 0, latencies: [] as number[] }));
  for (const t of intended) if (t >= warmupMs) windows[indexOf(t)]!.scheduled++;
  for (const record of measured) {
    const window = windows[indexOf(record.intendedMs)]!;
    if (record.outcome?.kind === 'success') window.succeeded++;
    window.latencies.push(...timedLatency(record));
  }
  return windows.map((w) => {
    const sorted = w.latencies.sort((a, b) => a - b);
    return {
      p50Ms: sorted.length > 0 ? quantileSorted(sorted, 0.5) : null,
      offeredRps: w.scheduled / (widthMs / 1000),
      achievedRps: w.succeeded / (widthMs / 1000),
    };
  });
}
