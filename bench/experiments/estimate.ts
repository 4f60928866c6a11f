import { findModel } from '../../models/catalog.js';
import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { FaultKind } from '../results/schema.js';

// Wall times measured here (2-core VM; phases recorded by a quick and a standard run), not guessed:
// a start to ready by topology (quick runs, 2026-12: monolith/workers 1.5–1.75 s, five services and a
// gateway 3.3–4.3 s), before the idle settle,
const START_MS = { monolith: 1600, microservices: 3700 } as const;
// the bookkeeping around each timed phase (generator hand-over, result decoding, sampler reads),
const PHASE_OVERHEAD_MS = 400;
// one closed-loop level's set-up on top of its duration, and the levels a sweep with the plateau
// rule runs before the knee on one server core (1, 2, 4 and sometimes 8),
const LEVEL_OVERHEAD_MS = 80;
const LEVELS_TO_PLATEAU = 3.5;
// a fault window's bookkeeping (health check, analysis, diagnosis, results.json), and what each
// kind adds: a restart of what it killed, or a backlog to drain (cpu) before every model settles,
const WINDOW_OVERHEAD_MS = 1100;
const FAULT_EXTRA_MS: Partial<Record<FaultKind, number>> = { crash: 500, exception: 950, leak: 950, cpu: 2550 };
// a rollout's publish and roll-out itself (a process start or an in-process swap) before its tail,
// and the roll-back of a bad recreate,
const ROLLOUT_MS = 2300;
const ROLLBACK_MS = 800;
// and a scaling point's start, plus each process it spawns or model it loads.
const SCALING_START_MS = 350;
const SCALING_PER_SERVICE_MS = 360;
const SCALING_PER_MODEL_MS = 55;

/** Expected wall time of each kind of progress step, from the profile's own durations: the progress bar's weights. */
export interface StepEstimates {
  sessionStartMs(who: TopologyVariant): number;
  latencyMs: number;
  /** One trial's sweeps: the mixed one, and each model alone in the trials that sweep them. */
  throughputMs(trial: number): number;
  scalingPointMs(who: TopologyVariant, modelCount: number): number;
  rolloutMs(step: { strategy: 'recreate' | 'rolling'; corrupt: boolean }): number;
  faultWindowMs(kind: FaultKind): number;
}

/** Estimates each kind of step of a run, so the time left shown is about right from the first step. */
export function estimateSteps(config: RunConfig): StepEstimates {
  const { latency, throughput, redeploy, fault, footprint } = config.settings;
  const hasHeavy = config.models.some((m) => findModel(m)?.weightClass === 'heavy');
  const lightOnlyMs = hasHeavy && latency.lightOnlyDurationMs > 0 ? latency.warmupMs + latency.lightOnlyDurationMs + PHASE_OVERHEAD_MS : 0;
  const levels = throughput.plateauGain === null ? throughput.connections.length : Math.min(throughput.connections.length, LEVELS_TO_PLATEAU);
  const sweepMs = throughput.warmupSec * 1000 + levels * (throughput.durationSec * 1000 + LEVEL_OVERHEAD_MS);
  const observeMs = fault.observeAfterReadyMs ?? fault.recoveryLimitMs;
  return {
    sessionStartMs: (who) => START_MS[who.topology] + footprint.idleSettleMs,
    latencyMs: latency.warmupMs + latency.durationMs + PHASE_OVERHEAD_MS + lightOnlyMs,
    throughputMs: (trial) => sweepMs * (1 + (throughput.perModel && (throughput.perModelTrials === null || trial < throughput.perModelTrials) ? config.models.length : 0)),
    scalingPointMs: (who, modelCount) => SCALING_START_MS + footprint.idleSettleMs + modelCount * (who.topology === 'microservices' ? SCALING_PER_SERVICE_MS : SCALING_PER_MODEL_MS),
    rolloutMs: (step) => ROLLOUT_MS + redeploy.tailMs + (step.corrupt && step.strategy === 'recreate' ? ROLLBACK_MS + redeploy.leadMs : 0),
    faultWindowMs: (kind) => {
      const base = fault.warmupMs + fault.baselineMs + fault.faultMs + observeMs + WINDOW_OVERHEAD_MS;
      // A hung request is only given up at the client timeout, so the window waits for it.
      if (kind === 'hang') return base + Math.max(0, latency.timeoutMs - observeMs);
      return base + (FAULT_EXTRA_MS[kind] ?? 0);
    },
  };
}

/** Wall time of a topology start for experiments outside the measurement sessions (redeploy, fault), the slower kind's. */
export const TOPOLOGY_START_MS = START_MS.microservices;
