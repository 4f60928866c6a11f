import { describe, expect, it } from 'vitest';
import { findReadyAgainAt } from '../../../bench/experiments/fault/process-events.js';
import { createSilentProgress, recordPhases } from '../../../bench/experiments/progress.js';
import { groupPhases } from '../../../reports/sections/environment-section.js';

describe('recordPhases', () => {
  it('reports each step as a phase with its wall time when the next step begins, and the last one on stop', async () => {
    const phases: Array<{ label: string; durationMs: number }> = [];
    const progress = recordPhases(createSilentProgress(), (phase) => phases.push(phase));
    progress.step('first');
    await new Promise((resolve) => setTimeout(resolve, 30));
    progress.step('second');
    expect(phases.map((p) => p.label)).toEqual(['first']);
    progress.stop();
    expect(phases.map((p) => p.label)).toEqual(['first', 'second']);
    expect(phases[0]!.durationMs).toBeGreaterThanOrEqual(25);
  });
});

describe('findReadyAgainAt', () => {
  const exit = (atMs: number, process: string) => ({ atMs, type: 'exit' as const, process });
  const ready = (atMs: number, process: string) => ({ atMs, type: 'ready' as const, process });

  it('is the start itself when no process exited', () => {
    expect(findReadyAgainAt([ready(50, 'monolith')], 100)).toBe(100);
  });

  it('is null while a process that exited is not ready again', () => {
    expect(findReadyAgainAt([exit(150, 'service:a'), ready(400, 'service:b')], 100)).toBeNull();
  });

  it('is the latest readiness after the last exit of every process that died', () => {
    const events = [exit(150, 'service:a'), ready(300, 'service:a'), exit(350, 'service:a'), exit(360, 'gateway'), ready(500, 'gateway'), ready(900, 'service:a')];
    expect(findReadyAgainAt(events, 100)).toBe(900);
    expect(findReadyAgainAt(events.slice(0, 5), 100)).toBeNull();
  });
});

describe('groupPhases (the report’s "where the time went")', () => {
  it('sums phases by activity in run order, with every topology start counted together', () => {
    const phase = (label: string, durationMs: number) => ({ label, startedAt: '2026-01-01T00:00:00Z', durationMs });
    const groups = groupPhases([
      phase('starting monolith/single · trial 1/2', 2000),
      phase('latency · monolith/single · trial 1/2', 5000),
      phase('fault · starting monolith/single · trial 1', 1500),
      phase('fault · monolith/single · trial 1 · crash in tabular', 6000),
      phase('latency · monolith/single · trial 2/2', 4000),
    ]);
    expect(groups).toEqual([
      { activity: 'starting topologies', steps: 2, durationMs: 3500 },
      { activity: 'latency', steps: 2, durationMs: 9000 },
      { activity: 'fault', steps: 1, durationMs: 6000 },
    ]);
  });
});
