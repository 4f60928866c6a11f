import { median } from 'simple-statistics';
import { requiredSamplesForPercentile } from './percentile-rule.js';

/** Verdict of a validity rule: invalid results carry every reason, never a silent pass. */
export interface Validity {
  valid: boolean;
  invalidReasons: string[];
}

/** Builds a Validity from a list of reasons (empty = valid). */
function validityOf(invalidReasons: string[]): Validity {
  return { valid: invalidReasons.length === 0, invalidReasons };
}

/** Merges several rule verdicts: valid only when all are. */
export function combineValidity(...verdicts: Validity[]): Validity {
  return validityOf(verdicts.flatMap((v) => v.invalidReasons));
}

/** The warm-up window was at least `minimumWarmupMs` long and excluded from the summary. */
export function checkWarmupExcluded(run: { warmupMs: number; warmupExcluded: boolean }, minimumWarmupMs = 1): Validity {
  const reasons: string[] = [];
  if (!run.warmupExcluded) reasons.push('warm-up requests were not excluded from the summary');
  if (run.warmupMs < minimumWarmupMs) reasons.push(`warm-up of ${run.warmupMs} ms is shorter than the required ${minimumWarmupMs} ms`);
  return validityOf(reasons);
}

/** The measured (post warm-up) window lasted at least `minimumMs`. */
export function checkMinimumDuration(measuredMs: number, minimumMs: number): Validity {
  return validityOf(measuredMs < minimumMs ? [`measured for ${Math.round(measuredMs)} ms, less than the required ${minimumMs} ms`] : []);
}

/** Every claimed percentile (in percent) has n >= 10 / (1 - p) samples. */
export function checkPercentileSamples(samples: number, claimedPercentiles: readonly number[]): Validity {
  return validityOf(
    claimedPercentiles
      .filter((p) => samples < requiredSamplesForPercentile(p))
      .map((p) => `p${p} needs at least ${requiredSamplesForPercentile(p)} samples, got ${samples}`),
  );
}

/** Summary of one measurement window, as used by the stability rule. */
export interface WindowSummary {
  p50Ms: number | null;
  offeredRps: number;
  achievedRps: number;
}

/** Tolerances of the stability rule. */
export interface StabilityOptions {
  /** Each window's p50 within this fraction of the median window p50 (default 0.25)... */
  p50RelativeTolerance?: number;
  /** ...or within this many ms of it, whichever is larger (sub-ms latencies jitter; default 0.5). */
  p50AbsoluteToleranceMs?: number;
  /** Achieved rate within this fraction of offered in every window (default 0.02). */
  rateTolerance?: number;
  /** Fewest windows for the rule to be meaningful (default 2). */
  minimumWindows?: number;
}

/** Latency and throughput are stable across windows: p50 agrees and achieved tracks offered. */
export function checkStability(windows: readonly WindowSummary[], options: StabilityOptions = {}): Validity {
  const relative = options.p50RelativeTolerance ?? 0.25;
  const absolute = options.p50AbsoluteToleranceMs ?? 0.5;
  const rateTolerance = options.rateTolerance ?? 0.02;
  const minimumWindows = options.minimumWindows ?? 2;
  if (windows.length < minimumWindows) return validityOf([`stability needs at least ${minimumWindows} windows, got ${windows.length}`]);
  const reasons: string[] = [];
  const p50s = windows.map((w) => w.p50Ms).filter((v): v is number => v !== null);
  if (p50s.length < windows.length) reasons.push('some windows have no latency samples');
  if (p50s.length > 0) {
    const center = median(p50s);
    const tolerance = Math.max(relative * center, absolute);
    windows.forEach((w, i) => {
      if (w.p50Ms !== null && Math.abs(w.p50Ms - center) > tolerance) {
        reasons.push(`window ${i} p50 ${w.p50Ms.toFixed(3)} ms differs from the median window p50 ${center.toFixed(3)} ms by more than ${tolerance.toFixed(3)} ms`);
      }
    });
  }
  windows.forEach((w, i) => {
    if (w.offeredRps > 0 && Math.abs(w.achievedRps - w.offeredRps) / w.offeredRps > rateTolerance) {
      reasons.push(`window ${i} achieved ${w.achievedRps.toFixed(1)} rps vs offered ${w.offeredRps.toFixed(1)} rps (more than ${rateTolerance * 100}% apart)`);
    }
  });
  return validityOf(reasons);
}

/** Load-generator health as measured by the generator itself. */
export interface GeneratorHealth {
  /** CPU time / wall time of the generator process (1 = one full core). */
  cpuUtilisation: number;
  sendLagP99Ms: number | null;
}

/** The generator was not the bottleneck: CPU below `maxCpu` of a core and send-lag p99 below the limit. */
export function checkGeneratorSaturation(health: GeneratorHealth, limits: { maxCpu?: number; maxSendLagP99Ms?: number } = {}): Validity {
  const maxCpu = limits.maxCpu ?? 0.9;
  const maxLag = limits.maxSendLagP99Ms ?? 5;
  const reasons: string[] = [];
  if (health.cpuUtilisation > maxCpu) {
    reasons.push(`load generator saturated: ${(health.cpuUtilisation * 100).toFixed(0)}% of a core (limit ${maxCpu * 100}%)`);
  }
  if (health.sendLagP99Ms !== null && health.sendLagP99Ms > maxLag) {
    reasons.push(`load generator late: send-lag p99 ${health.sendLagP99Ms.toFixed(2)} ms (limit ${maxLag} ms)`);
  }
  return validityOf(reasons);
}

/**
 * Tolerance of the mix-share rule: each model's achieved share of a level's completed requests
 * within 2 percentage points (absolute) of its planned share. Widened, for a level with few
 * requests, to its count granularity (connections ÷ completed requests): a closed loop stopped at
 * a deadline leaves each connection part-way through its turn of the mix, at most one request
 * per connection off the plan, so a finer check could not tell drift from where the clock stopped.
 */
export const MIX_SHARE_TOLERANCE = 0.02;

/** One level of mixed closed-loop traffic as the mix-share rule sees it. */
export interface MixLevelShares {
  connections: number;
  shares: ReadonlyArray<{ model: string; planned: number; achieved: number | null; requests: number }>;
}

/** The tolerance the mix-share rule applies to a level: the fixed one, or the level's count granularity when coarser. */
export function mixShareTolerance(level: MixLevelShares, tolerance = MIX_SHARE_TOLERANCE): number {
  const completed = level.shares.reduce((a, s) => a + s.requests, 0);
  return completed > 0 ? Math.max(tolerance, level.connections / completed) : tolerance;
}

/** Mixed traffic kept its planned mix: every model's achieved share within tolerance at every level. */
export function checkMixShares(levels: readonly MixLevelShares[], tolerance = MIX_SHARE_TOLERANCE): Validity {
  const reasons: string[] = [];
  const pp = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
  for (const level of levels) {
    if (level.shares.every((s) => s.achieved === null)) {
      reasons.push(`at ${level.connections} connections no request completed, so the mix could not be checked`);
      continue;
    }
    const allowed = mixShareTolerance(level, tolerance);
    for (const share of level.shares) {
      const achieved = share.achieved ?? 0;
      if (Math.abs(achieved - share.planned) > allowed + 1e-9) {
        reasons.push(`at ${level.connections} connections ${share.model} got ${pp(achieved)} of the requests (${share.requests}), planned ${pp(share.planned)} ± ${(allowed * 100).toFixed(1)} pp: the mix drifted`);
      }
    }
  }
  return validityOf(reasons);
}
