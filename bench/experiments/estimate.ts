import { findModel } from '../../models/catalog.js';
import type { RunConfig } from '../config/run-config.js';
import type { TopologyVariant } from '../config/topologies.js';
import type { FaultKind } from '../results/schema.js';

// Wall times measured here (2-core VM, quick and standard runs' recorded phases), not guessed:
// a start to ready (monolith ~1.1 s, five services behind the gateway ~2.7 s) plus its stop,
const START_MS = 2200;
// the bookkeeping around each timed phase (generator hand-over, result decoding, sampler reads),
const PHASE_OVERHEAD_MS = 400;
// one closed-loop level's set-up on top of its duration, and the levels a sweep with the plateau
// rule runs before the knee on one server core (1, 2, 4 and the first that adds nothing),
const LEVEL_OVERHEAD_MS = 80;
const LEVELS_TO_PLATEAU = 4;
// a restart of what a fault killed (the window ends once it is ready again) and the health check
// after every window,
const RESTART_MS = 900;
const WINDOW_OVERHEAD_MS = 350;
// a rollout's publish and roll-out itself (a process start or an in-process swap), before its tail,
const ROLLOUT_MS = 1300;
// and a scaling point's start per process it spawns.
const SCALING_START_MS = 700;
const SCALING_PER_SERVICE_MS = 320;
const SCALING_PER_MODEL_MS = 40;

/** Expected wall time of each kind of progress step, from the profile's own durations: the progress bar's weights. */
export interface StepEstimates {
  sessionStartMs: number;
  latencyMs: number;
  /** One trial's sweeps: the mixed one, and each model alone in the trials that sweep them. */
  throughputMs(trial: number): number;
  scalingPointMs(who: TopologyVariant, modelCount: number): number;
  rolloutMs: number;
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
    sessionStartMs: START_MS + footprint.idleSettleMs,
    latencyMs: latency.warmupMs + latency.durationMs + PHASE_OVERHEAD_MS + lightOnlyMs,
    throughputMs: (trial) => sweepMs * (1 + (throughput.perModel && (throughput.perModelTrials === null || trial < throughput.perModelTrials) ? config.models.length : 0)),
    scalingPointMs: (who, modelCount) => SCALING_START_MS + footprint.idleSettleMs + modelCount * (who.topology === 'microservices' ? SCALING_PER_SERVICE_MS : SCALING_PER_MODEL_MS),
    rolloutMs: ROLLOUT_MS + redeploy.tailMs,
    faultWindowMs: (kind) => {
      const base = fault.warmupMs + fault.baselineMs + fault.faultMs + observeMs + WINDOW_OVERHEAD_MS;
      // A hung request is only given up at the client timeout, so the window waits for it.
      if (kind === 'hang') return base + Math.max(0, latency.timeoutMs - observeMs);
      return base + (kind === 'crash' || kind === 'exception' || kind === 'leak' ? RESTART_MS : 0);
    },
  };
}

/** Wall time of a topology start for experiments outside the measurement sessions (redeploy, fault, diagnose). */
export const TOPOLOGY_START_MS = START_MS;
