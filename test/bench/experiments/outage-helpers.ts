import { expect } from 'vitest';
import type { TimelineMark } from '../../../bench/results/schema.js';

/** When a process went down and came back, read off a window's marks (ms from the timeline start). */
export interface ProcessGap {
  /** When the harness struck: the fault's injection, or the start of a rollout (its SIGTERM). */
  struckAtMs: number;
  /** The supervisor's exit (or stop) event of the process: it notices a death some ms after it happened. */
  exitAtMs: number;
  /** The supervisor's ready event of the replacement. */
  readyAtMs: number;
}

/** The strike, exit and ready marks of `process` in a window; fails the test naming what is missing. */
export function findProcessGap(marks: readonly TimelineMark[], process: string, struckKind: 'inject' | 'rollout-start'): ProcessGap {
  const struck = marks.find((m) => m.kind === struckKind);
  const exit = marks.find((m) => m.kind === 'exit' && m.process === process && m.tMs >= (struck?.tMs ?? Infinity));
  const ready = marks.find((m) => m.kind === 'ready' && m.process === process && m.tMs >= (exit?.tMs ?? Infinity));
  const listed = marks.map((m) => `${m.tMs} ${m.kind} ${m.process ?? ''}`).join(' | ');
  expect(struck, `${struckKind} mark in ${listed}`).toBeDefined();
  expect(exit, `exit mark of ${process} in ${listed}`).toBeDefined();
  expect(ready, `ready mark of ${process} in ${listed}`).toBeDefined();
  return { struckAtMs: struck!.tMs, exitAtMs: exit!.tMs, readyAtMs: ready!.tMs };
}

/**
 * A downtime read off requests and probes matches the process events: within its resolution + 50 ms
 * of strike → ready (the process stops serving at the strike: a crash on the next request, a
 * SIGTERM drains at once), and never shorter than the supervisor's own exit → ready gap minus the
 * resolution (the exit event comes some ms after the death, so that gap is a lower bound).
 */
export function expectDowntimeMatches(label: string, downtimeMs: number | null | undefined, resolutionMs: number | null | undefined, gap: ProcessGap): void {
  const outageMs = gap.readyAtMs - gap.struckAtMs;
  const supervisorGapMs = gap.readyAtMs - gap.exitAtMs;
  const detail = `${label}: downtime ${downtimeMs} ms (resolution ${resolutionMs} ms) vs strike → ready ${outageMs} ms, exit → ready ${supervisorGapMs} ms`;
  expect(downtimeMs, detail).toBeTypeOf('number');
  expect(resolutionMs, detail).toBeLessThanOrEqual(100);
  expect(Math.abs(downtimeMs! - outageMs), detail).toBeLessThanOrEqual(resolutionMs! + 50);
  expect(downtimeMs!, detail).toBeGreaterThanOrEqual(supervisorGapMs - resolutionMs!);
  if (process.env.SPLITBENCH_PRINT_OUTAGES) console.info(detail);
}
