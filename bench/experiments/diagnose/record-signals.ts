import type { MetricsScrape, ObservedProcess, ResourcePoint } from '../../analysis/diagnose-signals.js';
import { nowMs } from '../../clock.js';
import type { RunningTopology } from '../../targets/types.js';
import { startResourceSampler } from '../../resources/index.js';
import { readModelCounters } from './parse-metrics.js';

/** What the recorder collected on its fixed tick; exits and stderr are read off the topology afterwards. */
export interface RecordedSignals {
  ticks: number[];
  resources: ResourcePoint[];
  scrapes: MetricsScrape[];
  processes: ObservedProcess[];
}

/** A running recorder. */
export interface SignalRecorder {
  stop(): Promise<RecordedSignals>;
}

/** Scrapes one process's /metrics; a refusal, an error status or no answer within the timeout is a failed scrape. */
async function scrapeOnce(process: string, url: string | null, timeoutMs: number): Promise<MetricsScrape> {
  const atMs = nowMs();
  if (url === null) return { atMs, process, ok: false, models: {} };
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return { atMs, process, ok: false, models: {} };
    }
    return { atMs, process, ok: true, models: readModelCounters(await response.text()) };
  } catch {
    return { atMs, process, ok: false, models: {} };
  }
}

/**
 * Samples, on a fixed tick, what an operator's platform shows without custom tooling: every
 * server process's CPU and RSS from /proc and its /metrics as a Prometheus scrape would. A process
 * whose previous scrape is still out is not scraped again until it answers or times out.
 */
export function startSignalRecorder(topology: RunningTopology, tickMs: number, scrapeTimeoutMs: number): SignalRecorder {
  const sampler = startResourceSampler(() => topology.processes().flatMap((p) => (p.pid === null ? [] : [{ label: p.name, pid: p.pid }])), { intervalMs: tickMs });
  const ticks: number[] = [];
  const scrapes: MetricsScrape[] = [];
  const inFlight = new Map<string, Promise<void>>();
  const processes = new Map<string, ObservedProcess>();
  const tick = (): void => {
    ticks.push(nowMs());
    for (const p of topology.processes()) {
      processes.set(p.name, { name: p.name, models: [...p.models] });
      if (inFlight.has(p.name)) continue;
      const scrape = scrapeOnce(p.name, p.pid === null ? null : p.url, scrapeTimeoutMs).then((s) => {
        scrapes.push(s);
        inFlight.delete(p.name);
      });
      inFlight.set(p.name, scrape);
    }
  };
  tick();
  const timer = setInterval(tick, tickMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight.values());
      const report = await sampler.stop();
      const resources = report.samples.map((s) => ({ atMs: s.atMs, process: s.label, pid: s.pid, rssBytes: s.rssBytes, cpuSeconds: s.cpuSeconds }));
      return { ticks, resources, scrapes: [...scrapes].sort((a, b) => a.atMs - b.atMs), processes: [...processes.values()] };
    },
  };
}
