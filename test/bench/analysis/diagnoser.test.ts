import { describe, expect, it } from 'vitest';
import type { ClientBin, MetricsScrape, ModelCounters, ObservedProcess, ResourcePoint, SignalTimeline } from '../../../bench/analysis/diagnose-signals.js';
import { assessBlame, diagnoseTimeline, rankModels } from '../../../bench/analysis/diagnoser.js';

const MODELS = ['ocr-cls', 'tabular', 'vad'];
const INJECT = 2000;
const END = 5000;
const TICK = 250;
const MONOLITH: ObservedProcess[] = [{ name: 'monolith', models: MODELS }];
const SERVICES: ObservedProcess[] = MODELS.map((m) => ({ name: `service:${m}`, models: [m] }));
const MIB = 1024 * 1024;

/** Instants from 0 to END every TICK ms. */
function instants(): number[] {
  return Array.from({ length: END / TICK + 1 }, (_, i) => i * TICK);
}

/** Counters of a steady healthy model at time t: 10 requests a tick of 2 ms each. */
function healthy(t: number): ModelCounters {
  const n = (t / TICK) * 10;
  return { errors5xx: 0, requests: n, requestSecondsSum: n * 0.002, requestCount: n, inferenceSecondsSum: n * 0.001, inferenceCount: n };
}

/** What a recorded window looks like: every process scraped and sampled each tick, flat client bins. */
interface Scenario {
  processes: ObservedProcess[];
  /** Counters per model at t (default: healthy). */
  counters?: (model: string, t: number) => ModelCounters;
  rss?: (process: string, t: number) => number;
  exits?: { atMs: number; process: string }[];
  logs?: { atMs: number; process: string }[];
  failedScrapes?: (process: string, t: number) => boolean;
  bins?: (model: string, tMs: number) => Partial<ClientBin>;
}

/** A synthetic signal timeline: baseline [0, INJECT), diagnosis ticks until END. */
function buildTimeline(scenario: Scenario): SignalTimeline {
  const scrapes: MetricsScrape[] = [];
  const resources: ResourcePoint[] = [];
  for (const t of instants()) {
    for (const p of scenario.processes) {
      const failed = scenario.failedScrapes?.(p.name, t) ?? false;
      scrapes.push({ atMs: t, process: p.name, ok: !failed, models: failed ? {} : Object.fromEntries(p.models.map((m) => [m, scenario.counters?.(m, t) ?? healthy(t)])) });
      resources.push({ atMs: t, process: p.name, pid: 100, rssBytes: scenario.rss?.(p.name, t) ?? 200 * MIB, cpuSeconds: t / 1000 / 10 });
    }
  }
  const bins = Object.fromEntries(MODELS.map((m) => [m, instants().slice(0, -1).map((tMs) => ({ tMs, count: 10, errors: 0, p99Ms: 3, maxMs: 4, ...scenario.bins?.(m, tMs) }))]));
  return {
    models: MODELS,
    processes: scenario.processes,
    baselineFromMs: 0,
    injectedAtMs: INJECT,
    ticks: instants().filter((t) => t > INJECT),
    resources,
    exits: scenario.exits ?? [],
    logs: scenario.logs ?? [],
    scrapes,
    client: { startedAtMs: 0, binMs: TICK, bins },
  };
}

/** Counters where `culprit` answers 500 to every request from `fromMs` on. */
function erroring(culprit: string, fromMs: number): (model: string, t: number) => ModelCounters {
  return (model, t) => {
    const counters = healthy(t);
    return model === culprit && t > fromMs ? { ...counters, errors5xx: ((t - fromMs) / TICK) * 10 } : counters;
  };
}

describe('rankModels', () => {
  it('lets one higher-priority signal outweigh any number of lower ones, and gives tied models one rank listed by name', () => {
    const ranking = rankModels({ vad: ['process-cpu', 'process-rss', 'process-exit', 'process-stderr'], tabular: ['server-errors'], 'ocr-cls': ['server-errors'] });
    expect(ranking.map((r) => [r.model, r.rank])).toEqual([['ocr-cls', 1], ['tabular', 1], ['vad', 3]]);
  });
});

describe('diagnoser on synthetic timelines', () => {
  it('names a model by its own 5xx count in both topologies alike', () => {
    for (const processes of [MONOLITH, SERVICES]) {
      const timeline = buildTimeline({ processes, counters: erroring('tabular', INJECT) });
      const blame = assessBlame(diagnoseTimeline(timeline), 'tabular', INJECT);
      expect(blame).toMatchObject({ suspects: 1, timeToBlameMs: TICK, singledOutBy: 'server-errors', undeterminedReason: null });
    }
  });

  it('attributes a process signal to every model the process hosts: a tie in the monolith, one suspect split', () => {
    const rss = (process: string, t: number) => (t > INJECT && (process === 'monolith' || process === 'service:tabular') ? 200 * MIB + (t - INJECT) * MIB : 200 * MIB);
    const mono = assessBlame(diagnoseTimeline(buildTimeline({ processes: MONOLITH, rss })), 'tabular', INJECT);
    expect(mono.suspects).toBe(3);
    expect(mono.timeToBlameMs).toBeNull();
    expect(mono.undeterminedReason).toBe('tied with ocr-cls, vad on process-rss');
    expect(mono.finalRanking.every((r) => r.rank === 1)).toBe(true);
    const split = assessBlame(diagnoseTimeline(buildTimeline({ processes: SERVICES, rss })), 'tabular', INJECT);
    expect(split).toMatchObject({ suspects: 1, singledOutBy: 'process-rss' });
  });

  it('counts a crash as exit, stderr and failed scrapes of the whole monolith: every model tied', () => {
    const timeline = buildTimeline({
      processes: MONOLITH,
      exits: [{ atMs: INJECT + 100, process: 'monolith' }],
      logs: [{ atMs: INJECT + 90, process: 'monolith' }],
      failedScrapes: (_p, t) => t > INJECT && t < INJECT + 1000,
    });
    const blame = assessBlame(diagnoseTimeline(timeline), 'tabular', INJECT);
    expect(blame.suspects).toBe(3);
    expect(blame.undeterminedReason).toBe('tied with ocr-cls, vad on process-exit, process-stderr, scrape-failed');
  });

  it('times the blame from the injection to a signal that arrives late', () => {
    const timeline = buildTimeline({ processes: SERVICES, counters: erroring('tabular', INJECT + 1500) });
    const rankings = diagnoseTimeline(timeline);
    const blame = assessBlame(rankings, 'tabular', INJECT);
    expect(blame.timeToBlameMs).toBe(1750);
    expect(rankings.find((t) => t.atMs === INJECT + 1500)!.ranking.every((r) => r.score === 0)).toBe(true);
    expect(blame.firstSignals).toEqual([{ model: 'tabular', signal: 'server-errors', afterMs: 1750 }]);
  });

  it('is undetermined, with every model a suspect, when no signal fires at all', () => {
    const blame = assessBlame(diagnoseTimeline(buildTimeline({ processes: SERVICES })), 'tabular', INJECT);
    expect(blame).toMatchObject({ suspects: 3, timeToBlameMs: null, singledOutBy: null, undeterminedReason: 'no signal fired for any model' });
  });

  it('ranks a neighbour above the culprit when only the neighbour shows a signal, and says so', () => {
    const blame = assessBlame(diagnoseTimeline(buildTimeline({ processes: SERVICES, counters: erroring('vad', INJECT) })), 'tabular', INJECT);
    expect(blame.suspects).toBe(3);
    expect(blame.undeterminedReason).toBe('no signal implicated the culprit; others led (vad)');
  });

  it('lets a neighbour\'s passing latency spike clear, so the culprit leads alone from then on', () => {
    // vad is slow for one second right after the injection; tabular's 5xx and latency rise for good from 2.5 s.
    const counters = (model: string, t: number): ModelCounters => {
      const base = healthy(t);
      if (model === 'vad' && t > INJECT) {
        const slowTicks = Math.min(t, INJECT + 1000) - INJECT;
        return { ...base, requestSecondsSum: base.requestSecondsSum + (slowTicks / TICK) * 10 * 0.05 };
      }
      if (model === 'tabular' && t > INJECT + 500) return { ...base, requestSecondsSum: base.requestSecondsSum + ((t - INJECT - 500) / TICK) * 10 * 0.05 };
      return base;
    };
    const rankings = diagnoseTimeline(buildTimeline({ processes: SERVICES, counters }));
    const early = rankings.find((t) => t.atMs === INJECT + 750)!.ranking;
    expect(early.filter((r) => r.rank === 1).map((r) => r.model)).toEqual(['tabular', 'vad']);
    const blame = assessBlame(rankings, 'tabular', INJECT);
    expect(blame).toMatchObject({ suspects: 1, singledOutBy: 'server-latency' });
    expect(blame.timeToBlameMs).toBeGreaterThan(1000);
  });

  it('sees a client-side timeout only once its answer (the timeout) is in', () => {
    // tabular's bin right after the injection holds 5 timeouts of 1500 ms: known only 1.5 s after the bin ends.
    const bins = (model: string, tMs: number): Partial<ClientBin> => (model === 'tabular' && tMs === INJECT ? { errors: 5, maxMs: 1500, p99Ms: 1500 } : {});
    const blame = assessBlame(diagnoseTimeline(buildTimeline({ processes: SERVICES, bins })), 'tabular', INJECT);
    expect(blame).toMatchObject({ suspects: 1, singledOutBy: 'client-errors' });
    expect(blame.timeToBlameMs).toBe(TICK + 1500);
  });

  it('judges the same signals the same way whatever the process names: no per-topology rule', () => {
    const renamed = buildTimeline({ processes: [{ name: 'anything', models: MODELS }], counters: erroring('vad', INJECT) });
    const again = buildTimeline({ processes: MONOLITH, counters: erroring('vad', INJECT) });
    expect(diagnoseTimeline(renamed).map((t) => t.ranking)).toEqual(diagnoseTimeline(again).map((t) => t.ranking));
  });
});
