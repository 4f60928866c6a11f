import { nowMs } from '../clock.js';
import { findDescendants, readProcessTree } from './proc-reader.js';

/** How often the sampler looks for new descendants of the watched processes (they are read at every tick). */
const DESCENDANT_SCAN_MS = 1000;

/** A process to watch, with the label it is reported under (e.g. `service:vad`). */
export interface WatchedProcess {
  label: string;
  pid: number;
}

/** One reading of one process at one instant. */
export interface ProcessSample {
  atMs: number;
  label: string;
  pid: number;
  rssBytes: number;
  cpuSeconds: number;
}

/** Sum over every watched process at one instant. */
export interface TotalSample {
  atMs: number;
  rssBytes: number;
  /** Sum of the cumulative CPU seconds of the processes alive at this instant. */
  cpuSeconds: number;
  processes: number;
}

/** Per-process statistics over the sampled period. */
export interface ProcessSeriesSummary {
  label: string;
  pid: number;
  samples: number;
  firstAtMs: number;
  lastAtMs: number;
  peakRssBytes: number;
  meanRssBytes: number;
  cpuSeconds: number;
}

/** What a sampler collected (plain JSON). */
export interface ResourceReport {
  intervalMs: number;
  startedAtMs: number;
  stoppedAtMs: number;
  samples: ProcessSample[];
  totals: TotalSample[];
  processes: ProcessSeriesSummary[];
  peakTotalRssBytes: number;
  meanTotalRssBytes: number;
  /** CPU seconds used by all watched processes over the whole sampled period. */
  cpuSeconds: number;
}

/** A running sampler. */
export interface ResourceSampler {
  /** Takes one sample now (also used at start and stop so short periods have two points). */
  sampleNow(): Promise<void>;
  /** CPU seconds consumed by the watched processes between two instants (epoch ms, `nowMs()` clock). */
  cpuSecondsBetween(fromMs: number, toMs: number): number;
  /** Samples collected so far. */
  snapshot(): ResourceReport;
  stop(): Promise<ResourceReport>;
}

/** Starts sampling the processes `listProcesses()` names (re-read every tick, since processes restart). */
export function startResourceSampler(listProcesses: () => WatchedProcess[], options: { intervalMs?: number } = {}): ResourceSampler {
  const intervalMs = options.intervalMs ?? 250;
  const startedAtMs = nowMs();
  const samples: ProcessSample[] = [];
  const totals: TotalSample[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let stoppedAtMs: number | null = null;
  let descendants = new Map<number, number[]>();
  let scannedAtMs = -Infinity;

  // Each watched process is read with its descendants (the nginx gateway's master and worker), the same
  // for every process of both topologies; the /proc scan for new descendants runs at most once a second.
  const refreshDescendants = async (pids: number[]): Promise<void> => {
    if (nowMs() - scannedAtMs < DESCENDANT_SCAN_MS && pids.every((pid) => descendants.has(pid))) return;
    descendants = await findDescendants(pids);
    scannedAtMs = nowMs();
  };

  const takeSample = async (): Promise<void> => {
    let watched: WatchedProcess[];
    try {
      watched = listProcesses();
    } catch {
      watched = [];
    }
    await refreshDescendants(watched.map((w) => w.pid));
    const atMs = nowMs();
    const readings = await Promise.all(watched.map(async (w) => ({ w, reading: await readProcessTree(w.pid, descendants.get(w.pid) ?? []) })));
    const alive = readings.flatMap(({ w, reading }) => (reading === null ? [] : [{ atMs, label: w.label, pid: w.pid, rssBytes: reading.rssBytes, cpuSeconds: reading.cpuSeconds }]));
    samples.push(...alive);
    totals.push({
      atMs,
      rssBytes: alive.reduce((sum, s) => sum + s.rssBytes, 0),
      cpuSeconds: alive.reduce((sum, s) => sum + s.cpuSeconds, 0),
      processes: alive.length,
    });
  };
  // Samples are chained so two never interleave, and stop() can wait for the last one.
  const sampleNow = (): Promise<void> => (inFlight = inFlight.then(takeSample));
  const timer = setInterval(() => void sampleNow(), intervalMs);
  timer.unref();
  void sampleNow();

  const snapshot = (): ResourceReport => summarizeSamples(samples, totals, intervalMs, startedAtMs, stoppedAtMs ?? nowMs());
  return {
    sampleNow,
    cpuSecondsBetween: (fromMs, toMs) => computeCpuSecondsBetween(samples, fromMs, toMs),
    snapshot,
    stop: async () => {
      clearInterval(timer);
      await sampleNow();
      stoppedAtMs = nowMs();
      return snapshot();
    },
  };
}

/**
 * CPU seconds used between two instants, summed over processes (keyed by pid): last reading at or
 * before `toMs` minus the baseline. The baseline is the last reading at or before `fromMs`; without
 * one, a process already there at the first sampling tick starts from its first reading (CPU it used
 * before sampling began is not attributed), and one that appeared later starts from 0 (it started
 * inside the period). CPU used after a process's last reading (just before it died) is not seen.
 */
export function computeCpuSecondsBetween(samples: readonly ProcessSample[], fromMs: number, toMs: number): number {
  const firstTickAtMs = samples.reduce((first, s) => Math.min(first, s.atMs), Infinity);
  let total = 0;
  for (const series of groupByPid(samples)) {
    const atOrBefore = (t: number) => series.filter((s) => s.atMs <= t).at(-1);
    const end = atOrBefore(toMs);
    const first = series[0];
    if (end === undefined || first === undefined) continue;
    const baseline = atOrBefore(fromMs)?.cpuSeconds ?? (first.atMs === firstTickAtMs ? first.cpuSeconds : 0);
    total += Math.max(0, end.cpuSeconds - baseline);
  }
  return total;
}

/** Samples split into one time-ordered series per pid. */
function groupByPid(samples: readonly ProcessSample[]): ProcessSample[][] {
  const byPid = new Map<number, ProcessSample[]>();
  for (const s of samples) {
    const series = byPid.get(s.pid);
    if (series === undefined) byPid.set(s.pid, [s]);
    else series.push(s);
  }
  return [...byPid.values()];
}

/** Per-process peaks/means and topology-wide peaks/means of collected samples. */
function summarizeSamples(
  samples: readonly ProcessSample[],
  totals: readonly TotalSample[],
  intervalMs: number,
  startedAtMs: number,
  stoppedAtMs: number,
): ResourceReport {
  const processes = groupByPid(samples).map((series) => {
    const first = series[0]!;
    const last = series[series.length - 1]!;
    return {
      label: last.label,
      pid: last.pid,
      samples: series.length,
      firstAtMs: first.atMs,
      lastAtMs: last.atMs,
      peakRssBytes: Math.max(...series.map((s) => s.rssBytes)),
      meanRssBytes: series.reduce((sum, s) => sum + s.rssBytes, 0) / series.length,
      cpuSeconds: last.cpuSeconds - first.cpuSeconds,
    };
  });
  const withProcesses = totals.filter((t) => t.processes > 0);
  return {
    intervalMs,
    startedAtMs,
    stoppedAtMs,
    samples: [...samples],
    totals: [...totals],
    processes,
    peakTotalRssBytes: withProcesses.reduce((peak, t) => Math.max(peak, t.rssBytes), 0),
    meanTotalRssBytes: withProcesses.length > 0 ? withProcesses.reduce((sum, t) => sum + t.rssBytes, 0) / withProcesses.length : 0,
    cpuSeconds: computeCpuSecondsBetween(samples, startedAtMs, stoppedAtMs),
  };
}
