import { findModel } from '../../models/catalog.js';
import type { RunConfig } from '../config/run-config.js';

// What one topology start costs here, roughly (monolith ~1.5-2 s, 5 services + gateway ~4.5 s).
const START_MS = 3000;
// A rollout: publish, the rollout itself (a process start or an in-process swap), the probes' tail.
const ROLLOUT_MS = 2500;

/** Expected wall time of each kind of progress step, from the profile's own durations: the progress bar's weights. */
export interface StepEstimates {
  sessionStartMs: number;
  latencyMs: number;
  throughputMs: number;
  scalingPointMs: number;
  rolloutMs: number;
  faultWindowMs: number;
}

/** Estimates each kind of step of a run, so the time left shown is about right from the first step. */
export function estimateSteps(config: RunConfig): StepEstimates {
  const { latency, throughput, redeploy, fault } = config.settings;
  const hasHeavy = config.models.some((m) => findModel(m)?.weightClass === 'heavy');
  const lightOnlyMs = hasHeavy && latency.lightOnlyDurationMs > 0 ? latency.warmupMs + latency.lightOnlyDurationMs : 0;
  const sweeps = 1 + (throughput.perModel ? config.models.length : 0);
  const recoveryMs = fault.observeAfterReadyMs === null ? fault.recoveryLimitMs : Math.min(fault.recoveryLimitMs, fault.observeAfterReadyMs + 1500);
  return {
    sessionStartMs: START_MS,
    latencyMs: latency.warmupMs + latency.durationMs + lightOnlyMs,
    throughputMs: sweeps * (throughput.warmupSec + throughput.connections.length * throughput.durationSec) * 1000,
    scalingPointMs: START_MS,
    rolloutMs: ROLLOUT_MS + redeploy.tailMs,
    faultWindowMs: fault.warmupMs + fault.baselineMs + fault.faultMs + recoveryMs,
  };
}

/** Expected wall time of the whole run in progress units (ms), planned before it starts. */
export function estimateRunMs(config: RunConfig, counts: { sessions: number; latencyPhases: number; throughputPhases: number; scalingPoints: number; rollouts: number; faultWindows: number }): number {
  const e = estimateSteps(config);
  return counts.sessions * e.sessionStartMs + counts.latencyPhases * e.latencyMs + counts.throughputPhases * e.throughputMs + counts.scalingPoints * e.scalingPointMs + counts.rollouts * e.rolloutMs + counts.faultWindows * e.faultWindowMs;
}
