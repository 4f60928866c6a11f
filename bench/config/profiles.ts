import type { FaultKind } from '../results/schema.js';

/** How hard and how long a run measures: quick for CI and workshops, standard for reports, full for reviews. */
export type ProfileName = 'quick' | 'standard' | 'full';
export const PROFILE_NAMES: readonly ProfileName[] = ['quick', 'standard', 'full'];

/** Requests per second offered to each model in the open-loop experiments, by model name. */
export type RateTable = Record<string, number>;

/** Open-loop latency experiment settings. */
export interface LatencySettings {
  warmupMs: number;
  durationMs: number;
  /** Duration of the light-models-only run that is the interference baseline. */
  lightOnlyDurationMs: number;
  arrival: 'constant' | 'poisson';
  rates: RateTable;
  timeoutMs: number;
  binMs: number;
  /**
   * The figure the verdict compares, chosen so the profile's sample counts can support it
   * (n ≥ 10/(1−p)): light models' p99 needs ≥ 1000 requests a trial, heavy models' p50 ≥ 20.
   */
  lightClaim: 'p90Ms' | 'p99Ms';
  heavyClaim: 'meanMs' | 'p50Ms';
  /** Stability rule: each measurement window's p50 within this fraction of the median window's. */
  stabilityTolerance: number;
  /**
   * How many equal windows the measured period is split into for that rule. Each must be long
   * enough to hold a fair share of the rare heavy requests: in 0.6 s windows at 1 rps per heavy
   * model, a third of the windows see none, and the light models' p50 swings with that alone.
   */
  stabilityWindows: number;
}

/** Closed-loop capacity sweep settings. */
export interface ThroughputSettings {
  connections: number[];
  warmupSec: number;
  durationSec: number;
  /** Also sweep each model alone (not only the mixed traffic). */
  perModel: boolean;
  /** Iterations of bare in-process session.run used for the ceiling. */
  ceilingIterations: number;
  /**
   * End a sweep at the first level that adds less than this share to the best rps so far (the
   * knee is passed: more connections only queue), instead of running every level. null: run all.
   */
  plateauGain: number | null;
  /** Trials whose sessions also sweep each model alone (the first N; null: every trial). The mixed sweep, the claim, runs in every trial. */
  perModelTrials: number | null;
}

/** Cost and scaling settings. */
export interface FootprintSettings {
  idleSettleMs: number;
  scalingCounts: number[];
  price: { usdPerVcpuHour: number; usdPerGibHour: number; source: string };
}

/** Redeploy experiment settings. */
export interface RedeploySettings {
  strategies: Array<'recreate' | 'rolling'>;
  changeKinds: Array<'model' | 'code'>;
  targetModel: string;
  badDeploy: boolean;
  /** Repetitions of every rollout (each is a full publish + roll out, so fewer than the measurement trials). */
  trials: number;
  /**
   * Run every trial's rollouts on one topology per variant, one after another under one load,
   * instead of starting the topology again per trial: each rollout is still its own publish and
   * roll-out, and the start-up time goes to measuring (the quick profile, to afford 4 a side).
   */
  trialsInOneSession: boolean;
  /** Recreate on every selected variant, or only on the headline pair (best-tuned monolith vs microservices behind the gateway). */
  recreateOn: 'all' | 'headline';
  /** Share of the latency experiment's per-model rates offered as the steady load during rollouts (a rollout is measured under load, not overload). */
  loadScale: number;
  /** Load before the rollout starts, and how long to keep observing after it ends. */
  leadMs: number;
  tailMs: number;
}

/** Fault experiment settings. */
export interface FaultSettings {
  kinds: Exclude<FaultKind, 'none'>[];
  /** Repetitions of every fault window (each restarts what the fault killed, so fewer than the measurement trials). */
  trials: number;
  /**
   * Run the no-fault window (the impact test's false-positive check) in the first trial only, not
   * in every trial: each fault window carries its own baseline before the injection anyway.
   */
  baselineOnce: boolean;
  /** Models a fault is injected into; more than one gives the isolation matrix. */
  targetModels: string[];
  /**
   * Kinds injected into every target model (the isolation matrix); the other kinds go into
   * `kindTarget` only. 'all': every kind into every target (what --fault-models asks for).
   */
  isolationKinds: 'all' | Exclude<FaultKind, 'none'>[];
  /** The model the kinds outside isolationKinds are injected into (one of targetModels, else the first). */
  kindTarget: string;
  /** Load before the baseline, left out of it: a fresh load generator's first bins carry its start-up. */
  warmupMs: number;
  baselineMs: number;
  faultMs: number;
  /** After disarming, how long recovery may take before it is reported as not recovered. */
  recoveryLimitMs: number;
  /**
   * End a window once the fault is disarmed, every process that died is ready again, and every
   * model has answered well (no error, within its SLO; the load and the probes, reported live by
   * the generator) for this long since: recovered and settled, instead of always observing all of
   * recoveryLimitMs (null: always observe it all). The window still ends at the limit when that comes first.
   */
  observeAfterReadyMs: number | null;
  memoryLimitBytes: number;
  binMs: number;
}

/** Diagnose experiment settings: how soon a fixed diagnoser names the faulted model. */
export interface DiagnoseSettings {
  kinds: Exclude<FaultKind, 'none'>[];
  trials: number;
  /** The model faulted (never shown to the diagnoser). */
  targetModel: string;
  /** On every selected variant, or only on the headline pair (see choosePairs). */
  variantsOn: 'all' | 'headline';
  /** Load before the baseline, left out of it; the baseline; and how long the diagnoser watches after the injection. */
  warmupMs: number;
  baselineMs: number;
  observeMs: number;
  /** Sampling tick of /proc and /metrics, and the diagnosis instants. */
  tickMs: number;
  /** A /metrics scrape not answered this long counts as failed. */
  scrapeTimeoutMs: number;
}

/** Everything a profile fixes; CLI options override parts of it. */
export interface ProfileSettings {
  trials: number;
  /** Topology variants measured when --topologies is not given. */
  topologies: string;
  latency: LatencySettings;
  throughput: ThroughputSettings;
  footprint: FootprintSettings;
  redeploy: RedeploySettings;
  fault: FaultSettings;
  diagnose: DiagnoseSettings;
}

/**
 * A profile as written: experiments, durations and trials, no model names. The rates and the models
 * each experiment singles out come from the manifest when a run is configured (resolveRunConfig):
 * each model's rate_rps, and its experiment_targets (fault `targets: 'every-model'` faults each
 * model of the run, the isolation matrix).
 */
export type ProfileDefinition = Omit<ProfileSettings, 'latency' | 'redeploy' | 'fault' | 'diagnose'> & {
  latency: Omit<LatencySettings, 'rates'>;
  redeploy: Omit<RedeploySettings, 'targetModel'>;
  fault: Omit<FaultSettings, 'targetModels' | 'kindTarget'> & { targets: 'manifest' | 'every-model' };
  diagnose: Omit<DiagnoseSettings, 'targetModel'>;
};

// Example cloud prices (on-demand, general purpose, 2026): documented defaults the user overrides with --price.
const DEFAULT_PRICE = { usdPerVcpuHour: 0.0425, usdPerGibHour: 0.0057, source: 'example defaults: general-purpose on-demand vCPU and GiB-hour prices; override with --price-vcpu-hour / --price-gib-hour' };
/** Every fault kind a run can inject (the baseline window, `none`, always runs). */
export const FAULT_KINDS: FaultSettings['kinds'] = ['crash', 'exception', 'cpu', 'leak', 'hang', 'error', 'slow'];
/** Fault kinds the diagnose experiment injects by default (hang needs windows longer than the client timeout to show). */
const DIAGNOSE_KINDS: DiagnoseSettings['kinds'] = ['cpu', 'leak', 'slow', 'error', 'exception', 'crash'];

export const PROFILES: Record<ProfileName, ProfileDefinition> = {
  quick: {
    // Four trials a side on the headline pair only: the fewest that let the permutation test reach
    // p < 0.05 (2 / C(8,4) = 0.029), within 3 minutes here. What quick gives up is in the README.
    trials: 4,
    topologies: 'monolith:workers,microservices:gateway',
    latency: { warmupMs: 300, durationMs: 2000, lightOnlyDurationMs: 1500, arrival: 'poisson', timeoutMs: 5000, binMs: 250, lightClaim: 'p90Ms', heavyClaim: 'meanMs', stabilityTolerance: 0.5, stabilityWindows: 2 },
    throughput: { connections: [1, 8], warmupSec: 0.25, durationSec: 1, perModel: false, ceilingIterations: 100, plateauGain: null, perModelTrials: null },
    footprint: { idleSettleMs: 300, scalingCounts: [1, 4], price: DEFAULT_PRICE },
    redeploy: { strategies: ['recreate'], changeKinds: ['model'], badDeploy: false, trials: 4, trialsInOneSession: true, recreateOn: 'headline', loadScale: 1, leadMs: 500, tailMs: 750 },
    fault: { kinds: ['crash'], trials: 4, baselineOnce: true, targets: 'manifest', isolationKinds: 'all', warmupMs: 250, baselineMs: 750, faultMs: 500, recoveryLimitMs: 3500, observeAfterReadyMs: 1000, memoryLimitBytes: 768 * 1024 * 1024, binMs: 250 },
    diagnose: { kinds: DIAGNOSE_KINDS, trials: 1, variantsOn: 'headline', warmupMs: 250, baselineMs: 1000, observeMs: 2000, tickMs: 250, scrapeTimeoutMs: 1000 },
  },
  standard: {
    // Four trials a side on every variant and every claim, in about 45 minutes here (measured in the
    // README). Where the time went before (an estimated 2 h 20 min): fault windows sized for 1-rps
    // models (the probes now see any model's outage within 100 ms, so short windows that end once
    // the topology is ready and settled do), every kind in every model (only the crash, the blast
    // radius claim, builds the isolation matrix; the other kinds go into the manifest's fault target), sweeps running
    // on past the knee, a 13 s light-only run for a p90 ratio (400 samples suffice for p90), and a
    // topology start per redeploy trial.
    trials: 4,
    topologies: 'monolith,microservices',
    latency: { warmupMs: 1500, durationMs: 24000, lightOnlyDurationMs: 5000, arrival: 'poisson', timeoutMs: 5000, binMs: 250, lightClaim: 'p99Ms', heavyClaim: 'p50Ms', stabilityTolerance: 0.25, stabilityWindows: 4 },
    throughput: { connections: [1, 2, 4, 8, 16, 32], warmupSec: 0.5, durationSec: 1.5, perModel: true, ceilingIterations: 500, plateauGain: 0.05, perModelTrials: 2 },
    footprint: { idleSettleMs: 1000, scalingCounts: [1, 2, 4, 8, 16], price: DEFAULT_PRICE },
    redeploy: { strategies: ['recreate', 'rolling'], changeKinds: ['model', 'code'], badDeploy: true, trials: 4, trialsInOneSession: true, recreateOn: 'all', loadScale: 1, leadMs: 1500, tailMs: 1500 },
    fault: { kinds: FAULT_KINDS, trials: 4, baselineOnce: true, targets: 'every-model', isolationKinds: ['crash'], warmupMs: 500, baselineMs: 1500, faultMs: 1500, recoveryLimitMs: 6000, observeAfterReadyMs: 1500, memoryLimitBytes: 768 * 1024 * 1024, binMs: 250 },
    diagnose: { kinds: FAULT_KINDS, trials: 2, variantsOn: 'all', warmupMs: 1000, baselineMs: 3000, observeMs: 8000, tickMs: 250, scrapeTimeoutMs: 1000 },
  },
  full: {
    trials: 6,
    topologies: 'monolith,microservices',
    latency: { warmupMs: 3000, durationMs: 40000, lightOnlyDurationMs: 20000, arrival: 'poisson', timeoutMs: 5000, binMs: 250, lightClaim: 'p99Ms', heavyClaim: 'p50Ms', stabilityTolerance: 0.25, stabilityWindows: 4 },
    throughput: { connections: [1, 2, 4, 8, 16, 32, 64], warmupSec: 2, durationSec: 5, perModel: true, ceilingIterations: 1000, plateauGain: null, perModelTrials: null },
    footprint: { idleSettleMs: 2000, scalingCounts: [1, 2, 4, 8, 16], price: DEFAULT_PRICE },
    redeploy: { strategies: ['recreate', 'rolling'], changeKinds: ['model', 'code'], badDeploy: true, trials: 3, trialsInOneSession: false, recreateOn: 'all', loadScale: 1, leadMs: 3000, tailMs: 5000 },
    fault: { kinds: FAULT_KINDS, trials: 3, baselineOnce: true, targets: 'every-model', isolationKinds: 'all', warmupMs: 1000, baselineMs: 6000, faultMs: 6000, recoveryLimitMs: 15000, observeAfterReadyMs: null, memoryLimitBytes: 768 * 1024 * 1024, binMs: 250 },
    diagnose: { kinds: FAULT_KINDS, trials: 3, variantsOn: 'all', warmupMs: 1000, baselineMs: 4000, observeMs: 10000, tickMs: 250, scrapeTimeoutMs: 1000 },
  },
};
