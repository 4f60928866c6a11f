import { describe, expect, it } from 'vitest';
import { findReadyAgainAt } from '../../../bench/experiments/fault/process-events.js';
import { createSilentProgress, recordPhases } from '../../../bench/experiments/progress.js';

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
