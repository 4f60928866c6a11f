import { describe, expect, it } from 'vitest';
import { ALL_VARIANTS } from '../../../bench/config/topologies.js';
import { PROFILES } from '../../../bench/config/profiles.js';
import { computeExtraPeakRss, countRestartedProcesses, findUnhealthyBaseline, judgeByProbe, measurePerModel, sliceTimeline } from '../../../bench/experiments/redeploy/analyze-rollout.js';
import { planRedeploy } from '../../../bench/experiments/redeploy/plan.js';
import type { ProbeSample } from '../../../bench/experiments/redeploy/version-probe.js';
import type { Timeline } from '../../../bench/results/schema.js';

/** Probes every 100 ms from t=0 to t=2000; `answer(t)` says which version answered (null = failed). */
function probes(answer: (t: number) => number | null): ProbeSample[] {
  return Array.from({ length: 20 }, (_, i) => {
    const t = i * 100;
    const version = answer(t);
    return { sentAtMs: t, answeredAtMs: t + 5, ok: version !== null, version };
  });
}

describe('judgeByProbe', () => {
  it('rolled-out: time to the first answer of the new version', () => {
    const verdict = judgeByProbe(probes((t) => (t < 700 ? 1 : 2)), 2, 500, 800, 2000);
    expect(verdict).toEqual({ outcome: 'rolled-out', timeToNewVersionMs: 205, problem: null });
  });
  it('failed-old-serving when the old version still answers at the end', () => {
    expect(judgeByProbe(probes(() => 1), 2, 500, 800, 2000)).toMatchObject({ outcome: 'failed-old-serving', timeToNewVersionMs: null });
  });
  it('failed-down when nothing answers at the end, even if something answered during the rollout', () => {
    expect(judgeByProbe(probes((t) => (t < 600 ? 1 : null)), 2, 500, 800, 2000)).toMatchObject({ outcome: 'failed-down', timeToNewVersionMs: null, problem: null });
  });
});

describe('timeline slicing and per-model impact', () => {
  const bin = (tMs: number, count: number, ok: number) => ({ tMs, count, ok, errors: count - ok, p50Ms: ok ? 1 : null, p99Ms: ok ? 2 : null, maxMs: ok ? 3 : null });
  const timeline: Timeline = {
    startedAtMs: 10_000,
    binMs: 250,
    bins: { a: [bin(0, 5, 5), bin(250, 5, 5), bin(500, 5, 0), bin(750, 5, 0), bin(1000, 5, 4), bin(1250, 5, 5)], b: [0, 250, 500, 750, 1000, 1250].map((t) => bin(t, 5, 5)) },
    marks: [{ tMs: 600, kind: 'rollout-start', label: 'start' }],
  };
  it('re-bases bins and marks on the slice start, floored to a bin', () => {
    const slice = sliceTimeline(timeline, 10_300, 11_300);
    expect(slice.startedAtMs).toBe(10_250);
    expect(slice.bins.a!.map((b) => b.tMs)).toEqual([0, 250, 500, 750, 1000]);
    expect(slice.marks).toEqual([{ tMs: 350, kind: 'rollout-start', label: 'start' }]);
  });
  it('flags a model already failing before the rollout', () => {
    expect(findUnhealthyBaseline(timeline, 10_500)).toEqual([]);
    const failing = { ...timeline, bins: { ...timeline.bins, b: timeline.bins.b!.map((b) => ({ ...b, ok: 3, errors: 2 })) } };
    expect(findUnhealthyBaseline(failing, 10_500)).toEqual([{ model: 'b', errorRate: 0.4 }]);
  });
  it('counts downtime and failures from the rollout start on', () => {
    const [a, b] = measurePerModel(timeline, ['a', 'b'], 10_600);
    expect(a).toEqual({ model: 'a', downtimeMs: 500, failedRequests: 11, p99Ms: 2 });
    expect(b).toMatchObject({ downtimeMs: 0, failedRequests: 0 });
  });
  it('reads downtime from requests and probes when it has them, with the resolution beside it', () => {
    // a: down 700–1030 ms of the timeline, seen by a 100 ms probe and a sparse load; b: never down.
    const probe = Array.from({ length: 14 }, (_, i) => ({ tMs: 20 + i * 100, ok: !(i * 100 + 20 >= 700 && i * 100 + 20 < 1030) }));
    const load = [{ tMs: 710, ok: false }, { tMs: 1200, ok: true }];
    const merged = [...probe, ...load].sort((x, y) => x.tMs - y.tMs);
    const b = probe.map((o) => ({ ...o, ok: true }));
    const [impactA, impactB] = measurePerModel(timeline, ['a', 'b'], 10_600, { observations: { a: merged, b }, probes: { a: probe, b }, untilMs: 11_400 });
    expect(impactA).toMatchObject({ downtimeMs: 1120 - 710, resolutionMs: 100, outages: 1, unrecovered: false, probeFailures: 4, failedRequests: 11 });
    expect(impactB).toMatchObject({ downtimeMs: 0, outages: 0 });
  });
});

describe('process and memory accounting', () => {
  it('counts each process with a spawn in the window once, by base name', () => {
    const events = [
      { atMs: 5, type: 'spawn' as const, process: 'service:a' },
      { atMs: 10, type: 'spawn' as const, process: 'service:a#v2' },
      { atMs: 11, type: 'spawn' as const, process: 'service:b' },
      { atMs: 50, type: 'spawn' as const, process: 'service:c' },
    ];
    expect(countRestartedProcesses(events, 8, 20)).toBe(2);
  });
  it('extra peak RSS = peak during the rollout minus the last total before it, never below 0', () => {
    const totals = [100, 120, 300, 150].map((rssBytes, i) => ({ atMs: i * 100, rssBytes, cpuSeconds: 0, processes: 1 }));
    expect(computeExtraPeakRss(totals, 150, 350)).toBe(180);
    expect(computeExtraPeakRss(totals.map((t) => ({ ...t, rssBytes: 100 - t.atMs / 10 })), 150, 350)).toBe(0);
  });
});

describe('planRedeploy', () => {
  it('runs rolling on microservices/gateway and the workers monolith behind a gateway, bad recreates last', () => {
    const plan = planRedeploy(ALL_VARIANTS, { ...PROFILES.standard.redeploy, targetModel: 'tabular', changeKinds: ['model'], recreateOn: 'all', trials: 1 });
    expect(plan.sessions.map((s) => [`${s.who.topology}/${s.who.variant}`, s.monolithGateway])).toEqual([
      ['monolith/single', false],
      ['monolith/workers', true],
      ['microservices/direct', false],
      ['microservices/gateway', false],
    ]);
    const workers = plan.sessions[1]!.steps.map((s) => `${s.strategy}${s.corrupt ? '!' : ''}`);
    expect(workers).toEqual(['recreate', 'rolling', 'rolling!', 'recreate!']);
  });

  it('puts every trial of one session in order: the good rollouts of each trial, then the bad rolling, then the bad recreates', () => {
    const plan = planRedeploy(ALL_VARIANTS, { ...PROFILES.standard.redeploy, targetModel: 'tabular', changeKinds: ['model'], recreateOn: 'all', trials: 2, trialsInOneSession: true });
    const workers = plan.sessions[1]!.steps.map((s) => `${s.strategy}${s.corrupt ? '!' : ''}#${s.trial}`);
    expect(workers).toEqual(['recreate#0', 'rolling#0', 'recreate#1', 'rolling#1', 'rolling!#0', 'rolling!#1', 'recreate!#0', 'recreate!#1']);
  });
  it('recreates only on the headline pair when asked, and says what it left out', () => {
    const plan = planRedeploy(ALL_VARIANTS, { ...PROFILES.quick.redeploy, targetModel: 'tabular', recreateOn: 'headline' });
    expect(plan.sessions.map((s) => `${s.who.topology}/${s.who.variant}`)).toEqual(['monolith/workers', 'microservices/gateway']);
    expect(plan.notes.join('\n')).toContain('monolith/single, microservices/direct');
  });
  it('puts every trial\'s rollouts on one session per variant when asked, each tagged with its trial', () => {
    const plan = planRedeploy(ALL_VARIANTS, { ...PROFILES.quick.redeploy, targetModel: 'tabular', strategies: ['recreate'], badDeploy: false, trials: 4, trialsInOneSession: true, recreateOn: 'headline' });
    expect(plan.sessions).toHaveLength(2);
    expect(plan.sessions[0]!.steps.map((s) => s.trial)).toEqual([0, 1, 2, 3]);
  });
});
