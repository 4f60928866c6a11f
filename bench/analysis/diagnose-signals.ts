/**
 * What an operator's platform shows without custom tooling, as the diagnoser reads it, and the
 * fixed rules that turn each kind of reading into a signal. Pure: no I/O, no clock.
 *
 * The rules are the same for every topology and never tuned per topology. Every signal is judged
 * against the same process's or model's own pre-injection baseline, over the period from the
 * injection to the instant judged (`atMs`); only what was visible at `atMs` counts.
 */

/** Signals in priority order: per-model server signals first, per-model client signals, then per-process ones. */
export const DIAGNOSE_SIGNALS = ['server-errors', 'server-latency', 'client-errors', 'client-latency', 'process-exit', 'process-stderr', 'scrape-failed', 'process-rss', 'process-cpu'] as const;
export type DiagnoseSignal = (typeof DIAGNOSE_SIGNALS)[number];

/** Signals read off something a whole process shares: they implicate every model the process hosts. */
export const PROCESS_SIGNALS: readonly DiagnoseSignal[] = ['process-exit', 'process-stderr', 'scrape-failed', 'process-rss', 'process-cpu'];

/**
 * Signals judged on a recent window (like a Prometheus rate over the last `recentMs`): they clear
 * again when the condition passes. All others count what happened since the injection (errors,
 * exits, stderr lines, failed scrapes, the RSS peak) and, once fired, stay.
 */
export const LEVEL_SIGNALS: readonly DiagnoseSignal[] = ['server-latency', 'client-latency', 'process-cpu'];

/** The thresholds of the rule set (documented in bench/experiments/diagnose/README.md). */
export const DIAGNOSE_RULES = {
  /** Window of the level signals (latency, CPU), ms before the instant judged (never before the injection). */
  recentMs: 1000,
  /** Errors (server 5xx or client-side failures) fire at max(minErrors, errorFactor × what the baseline rate predicts). */
  minErrors: 3,
  errorFactor: 2,
  /** Mean server-side duration over the recent window (or since the injection, if it holds too few requests) fires at max(latencyFactor × baseline mean, baseline mean + latencyFloorMs), over ≥ minLatencySamples requests. */
  latencyFactor: 2,
  latencyFloorMs: 5,
  minLatencySamples: 3,
  /** Client-side: at least clientLatencyBins bins of the recent window whose p99 is over max(latencyFactor × the baseline's worst bin p99, that + latencyFloorMs). */
  clientLatencyBins: 2,
  /** Failed /metrics scrapes (refused, error, or no answer within the scrape timeout). */
  minFailedScrapes: 2,
  /** RSS growth over the baseline peak: at least rssGrowthBytes and rssGrowthFraction of that peak. */
  rssGrowthBytes: 64 * 1024 * 1024,
  rssGrowthFraction: 0.25,
  /** CPU over the recent window: at least cpuExtraCores over the baseline rate and cpuFactor times it, over ≥ minCpuWindowMs. */
  cpuExtraCores: 0.25,
  cpuFactor: 1.5,
  minCpuWindowMs: 500,
} as const;

/** A server process as the platform lists it, with the models it serves (a gateway routes every model). */
export interface ObservedProcess {
  name: string;
  models: string[];
}

/** One /proc reading of a process. */
export interface ResourcePoint {
  atMs: number;
  process: string;
  pid: number;
  rssBytes: number;
  cpuSeconds: number;
}

/** Something that happened to a process at an instant (an exit, or one stderr line). */
export interface ProcessPoint {
  atMs: number;
  process: string;
}

/** Cumulative counters of one model's series on one server's /metrics. */
export interface ModelCounters {
  errors5xx: number;
  requests: number;
  requestSecondsSum: number;
  requestCount: number;
  inferenceSecondsSum: number;
  inferenceCount: number;
}

/** One scrape of one process's /metrics; `ok` false when it did not answer (refused, error, timeout). */
export interface MetricsScrape {
  atMs: number;
  process: string;
  ok: boolean;
  models: Record<string, ModelCounters>;
}

/** One client-side timeline bin, by intended send time relative to the timeline start. */
export interface ClientBin {
  tMs: number;
  count: number;
  errors: number;
  p99Ms: number | null;
  maxMs: number | null;
}

/** Client-side per-model bins of the load (as the generator recorded them). */
export interface ClientTimeline {
  startedAtMs: number;
  binMs: number;
  bins: Record<string, ClientBin[]>;
}

/** Everything the diagnoser sees of one window; every time is on one clock (epoch ms). Never names the culprit. */
export interface SignalTimeline {
  models: string[];
  processes: ObservedProcess[];
  /** Start of the period the baseline is read from, and the injection (the end of the baseline). */
  baselineFromMs: number;
  injectedAtMs: number;
  /** Instants the diagnosis is made at, ascending, after the injection. */
  ticks: number[];
  resources: ResourcePoint[];
  exits: ProcessPoint[];
  logs: ProcessPoint[];
  scrapes: MetricsScrape[];
  client: ClientTimeline;
}

/** Periods a signal compares: the baseline, injection → the instant judged, and the recent window before it. */
interface Periods {
  baselineFromMs: number;
  injectedAtMs: number;
  atMs: number;
  recentFromMs: number;
}

/** Increase of a counter over consecutive scrapes, Prometheus `increase()` style: a drop is a restart from zero. */
function increase(values: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const delta = values[i]! - values[i - 1]!;
    total += delta >= 0 ? delta : values[i]!;
  }
  return total;
}

/** The answered scrapes of one process in [fromMs, toMs], with the last one at or before fromMs as the anchor. */
function scrapesBetween(scrapes: readonly MetricsScrape[], process: string, fromMs: number, toMs: number): MetricsScrape[] {
  const mine = scrapes.filter((s) => s.process === process && s.ok && s.atMs <= toMs);
  const anchor = mine.filter((s) => s.atMs <= fromMs).at(-1);
  return [...(anchor ? [anchor] : []), ...mine.filter((s) => s.atMs > fromMs)];
}

/** Increase of one counter of one model on one process over a period. */
function counterIncrease(scrapes: readonly MetricsScrape[], model: string, read: (c: ModelCounters) => number): number {
  return increase(scrapes.map((s) => (s.models[model] ? read(s.models[model]) : 0)));
}

/** Span covered by a list of scrapes, ms. */
function spanOf(scrapes: readonly MetricsScrape[]): number {
  return scrapes.length < 2 ? 0 : scrapes.at(-1)!.atMs - scrapes[0]!.atMs;
}

/** Whether a count of errors is more than the baseline predicts: at least max(minErrors, errorFactor × expected). */
function errorsExceed(observed: number, expected: number): boolean {
  return observed >= Math.max(DIAGNOSE_RULES.minErrors, DIAGNOSE_RULES.errorFactor * expected);
}

/** Whether a mean duration (s) is over the baseline's by the latency rule. */
function latencyExceeds(faultMeanMs: number, baselineMeanMs: number): boolean {
  return faultMeanMs >= Math.max(DIAGNOSE_RULES.latencyFactor * baselineMeanMs, baselineMeanMs + DIAGNOSE_RULES.latencyFloorMs);
}

/** server-errors and server-latency of one model on one process's /metrics. */
function judgeServerSeries(scrapes: readonly MetricsScrape[], process: string, model: string, p: Periods): DiagnoseSignal[] {
  const base = scrapesBetween(scrapes, process, p.baselineFromMs, p.injectedAtMs).filter((s) => s.atMs >= p.baselineFromMs && s.atMs <= p.injectedAtMs);
  const fault = scrapesBetween(scrapes, process, p.injectedAtMs, p.atMs);
  const fired: DiagnoseSignal[] = [];
  const baseSpan = spanOf(base);
  const baseRate = baseSpan > 0 ? counterIncrease(base, model, (c) => c.errors5xx) / baseSpan : 0;
  if (errorsExceed(counterIncrease(fault, model, (c) => c.errors5xx), baseRate * (p.atMs - p.injectedAtMs))) fired.push('server-errors');
  const mean = (list: readonly MetricsScrape[], sum: (c: ModelCounters) => number, count: (c: ModelCounters) => number): number | null => {
    const n = counterIncrease(list, model, count);
    return n >= DIAGNOSE_RULES.minLatencySamples ? (counterIncrease(list, model, sum) / n) * 1000 : null;
  };
  const durations: [(c: ModelCounters) => number, (c: ModelCounters) => number][] = [
    [(c) => c.requestSecondsSum, (c) => c.requestCount],
    [(c) => c.inferenceSecondsSum, (c) => c.inferenceCount],
  ];
  const recent = scrapesBetween(scrapes, process, p.recentFromMs, p.atMs);
  for (const [sum, count] of durations) {
    const before = mean(base, sum, count);
    const after = mean(recent, sum, count) ?? mean(fault, sum, count);
    if (before !== null && after !== null && latencyExceeds(after, before)) {
      fired.push('server-latency');
      break;
    }
  }
  return fired;
}

/** client-errors and client-latency of one model, from the bins visible at `atMs` (a bin is known once its slowest answer is in). */
function judgeClient(client: ClientTimeline, model: string, p: Periods): DiagnoseSignal[] {
  const absolute = (client.bins[model] ?? []).map((bin) => ({ bin, startMs: client.startedAtMs + bin.tMs, endMs: client.startedAtMs + bin.tMs + client.binMs }));
  const base = absolute.filter((b) => b.startMs >= p.baselineFromMs && b.endMs <= p.injectedAtMs).map((b) => b.bin);
  const fault = absolute.filter((b) => b.endMs > p.injectedAtMs && b.endMs + (b.bin.maxMs ?? 0) <= p.atMs).map((b) => b.bin);
  const fired: DiagnoseSignal[] = [];
  const sum = (bins: readonly ClientBin[], read: (b: ClientBin) => number) => bins.reduce((total, b) => total + read(b), 0);
  const baseRequests = sum(base, (b) => b.count);
  const expected = baseRequests > 0 ? (sum(base, (b) => b.errors) / baseRequests) * sum(fault, (b) => b.count) : 0;
  if (errorsExceed(sum(fault, (b) => b.errors), expected)) fired.push('client-errors');
  const baseP99s = base.map((b) => b.p99Ms).filter((v): v is number => v !== null);
  if (baseP99s.length > 0) {
    const worst = Math.max(...baseP99s);
    const threshold = Math.max(DIAGNOSE_RULES.latencyFactor * worst, worst + DIAGNOSE_RULES.latencyFloorMs);
    const recent = fault.filter((b) => b.tMs + client.startedAtMs + client.binMs > p.recentFromMs);
    if (recent.filter((b) => b.p99Ms !== null && b.p99Ms > threshold).length >= DIAGNOSE_RULES.clientLatencyBins) fired.push('client-latency');
  }
  return fired;
}

/** CPU cores used by one process over a period: positive CPU-time deltas of consecutive readings of the same pid. */
function cpuCores(resources: readonly ResourcePoint[], process: string, fromMs: number, toMs: number): number | null {
  if (toMs - fromMs < DIAGNOSE_RULES.minCpuWindowMs) return null;
  const mine = resources.filter((r) => r.process === process && r.atMs >= fromMs && r.atMs <= toMs);
  let seconds = 0;
  for (let i = 1; i < mine.length; i++) {
    if (mine[i]!.pid === mine[i - 1]!.pid) seconds += Math.max(0, mine[i]!.cpuSeconds - mine[i - 1]!.cpuSeconds);
  }
  return mine.length < 2 ? null : (seconds * 1000) / (toMs - fromMs);
}

/** The process-level signals of one process. */
function judgeProcess(timeline: SignalTimeline, process: string, p: Periods): DiagnoseSignal[] {
  const during = (t: number) => t > p.injectedAtMs && t <= p.atMs;
  const fired: DiagnoseSignal[] = [];
  if (timeline.exits.some((e) => e.process === process && during(e.atMs))) fired.push('process-exit');
  if (timeline.logs.some((l) => l.process === process && during(l.atMs))) fired.push('process-stderr');
  if (timeline.scrapes.filter((s) => s.process === process && !s.ok && during(s.atMs)).length >= DIAGNOSE_RULES.minFailedScrapes) fired.push('scrape-failed');
  const peakRss = (inPeriod: (t: number) => boolean) => Math.max(0, ...timeline.resources.filter((r) => r.process === process && inPeriod(r.atMs)).map((r) => r.rssBytes));
  const basePeak = peakRss((t) => t >= p.baselineFromMs && t <= p.injectedAtMs);
  const faultPeak = peakRss(during);
  if (basePeak > 0 && faultPeak - basePeak >= Math.max(DIAGNOSE_RULES.rssGrowthBytes, DIAGNOSE_RULES.rssGrowthFraction * basePeak)) fired.push('process-rss');
  const baseCpu = cpuCores(timeline.resources, process, p.baselineFromMs, p.injectedAtMs);
  const faultCpu = cpuCores(timeline.resources, process, p.recentFromMs, p.atMs);
  if (baseCpu !== null && faultCpu !== null && faultCpu >= Math.max(baseCpu + DIAGNOSE_RULES.cpuExtraCores, DIAGNOSE_RULES.cpuFactor * baseCpu)) fired.push('process-cpu');
  return fired;
}

/**
 * The signals that hold for each model at one instant: its own series on every
 * server's /metrics, its own client-side bins, and every process-level signal of each process that
 * serves it (so in a monolith those implicate every model alike).
 */
export function judgeSignalsAt(timeline: SignalTimeline, atMs: number): Record<string, Set<DiagnoseSignal>> {
  const periods: Periods = { baselineFromMs: timeline.baselineFromMs, injectedAtMs: timeline.injectedAtMs, atMs, recentFromMs: Math.max(timeline.injectedAtMs, atMs - DIAGNOSE_RULES.recentMs) };
  const evidence: Record<string, Set<DiagnoseSignal>> = Object.fromEntries(timeline.models.map((m) => [m, new Set<DiagnoseSignal>()]));
  for (const process of timeline.processes) {
    const shared = judgeProcess(timeline, process.name, periods);
    for (const model of process.models) {
      const set = evidence[model];
      if (!set) continue;
      for (const signal of [...shared, ...judgeServerSeries(timeline.scrapes, process.name, model, periods)]) set.add(signal);
    }
  }
  for (const model of timeline.models) for (const signal of judgeClient(timeline.client, model, periods)) evidence[model]!.add(signal);
  return evidence;
}
