import { rawPercentileMs } from '../load/histogram.js';
import type { LiveOutcome } from './live-load.js';

/** One second of one model's requests, by intended send time (seconds since the session start). */
export interface LiveBin {
  t: number;
  sent: number;
  ok: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** Health of a model as the page shows it: green, amber (slow), red (failing), grey (no data yet). */
export type Health = 'green' | 'amber' | 'red' | 'grey';

/** Current figures of one model over the health window. */
export interface ModelNow {
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
  health: Health;
  reason: string;
}

/** The documented health thresholds (README "Live mode"). */
export const HEALTH_RULES = {
  /** Window the figures and the health are computed over (by completion time). */
  windowMs: 2000,
  /** Red: more than this share of the window's requests failed. */
  maxErrorRate: 0.05,
  /** Red: no success for this long (or 3 mean request gaps, whichever is longer). */
  noSuccessMs: 2000,
} as const;

/** Raw state of one bin while it fills. */
interface OpenBin {
  sent: number;
  ok: number;
  errors: number;
  latencies: number[];
}

/** Per-model, per-second record of one topology's live load, and the figures the health tiles use. */
export class LiveTimeline {
  private readonly bins = new Map<string, Map<number, OpenBin>>();
  private readonly recent = new Map<string, LiveOutcome[]>();
  private readonly lastSuccessAtMs = new Map<string, number>();

  constructor(readonly startedAtMs: number, readonly models: readonly string[], private readonly rates: Readonly<Record<string, number>>, private readonly sloMs: Readonly<Record<string, number>>) {
    for (const model of models) {
      this.bins.set(model, new Map());
      this.recent.set(model, []);
    }
  }

  /** Second index of an instant. */
  private secondOf(atMs: number): number {
    return Math.floor((atMs - this.startedAtMs) / 1000);
  }

  /** Bin of a model and second, created on first use. */
  private binOf(model: string, second: number): OpenBin {
    const bins = this.bins.get(model)!;
    let bin = bins.get(second);
    if (!bin) {
      bin = { sent: 0, ok: 0, errors: 0, latencies: [] };
      bins.set(second, bin);
    }
    return bin;
  }

  /** Counts a request at its intended send time. */
  recordSend(model: string, intendedAtMs: number): void {
    if (!this.bins.has(model)) return;
    this.binOf(model, this.secondOf(intendedAtMs)).sent++;
  }

  /** Records an outcome in its send second and in the recent window. */
  recordOutcome(outcome: LiveOutcome): void {
    if (!this.bins.has(outcome.model)) return;
    const bin = this.binOf(outcome.model, this.secondOf(outcome.intendedAtMs));
    if (outcome.ok) bin.ok++;
    else bin.errors++;
    // Successes and timeouts are timed; fast errors are counted, not timed (as the open-loop runner does).
    if (outcome.ok || outcome.error === 'timeout') bin.latencies.push(outcome.latencyMs);
    if (outcome.ok) this.lastSuccessAtMs.set(outcome.model, Math.max(this.lastSuccessAtMs.get(outcome.model) ?? 0, outcome.completedAtMs));
    this.recent.get(outcome.model)!.push(outcome);
  }

  /** Finished view of one bin. */
  private viewBin(t: number, bin: OpenBin): LiveBin {
    return { t, sent: bin.sent, ok: bin.ok, errors: bin.errors, p50Ms: rawPercentileMs(bin.latencies, 50), p99Ms: rawPercentileMs(bin.latencies, 99), maxMs: bin.latencies.length > 0 ? Math.max(...bin.latencies) : null };
  }

  /** Bins of every model from second `fromT` (inclusive) up to the last complete second before `atMs`. */
  binsSince(fromT: number, atMs: number): Record<string, LiveBin[]> {
    const upTo = this.secondOf(atMs) - 1;
    const out: Record<string, LiveBin[]> = {};
    for (const [model, bins] of this.bins) {
      const list: LiveBin[] = [];
      for (let t = Math.max(0, fromT); t <= upTo; t++) {
        const bin = bins.get(t);
        list.push(bin ? this.viewBin(t, bin) : { t, sent: 0, ok: 0, errors: 0, p50Ms: null, p99Ms: null, maxMs: null });
      }
      out[model] = list;
    }
    return out;
  }

  /** Figures and health of one model over the last window before `atMs`. */
  now(model: string, atMs: number): ModelNow {
    const recent = this.recent.get(model) ?? [];
    while (recent.length > 0 && recent[0]!.completedAtMs < atMs - HEALTH_RULES.windowMs * 3) recent.shift();
    const window = recent.filter((o) => o.completedAtMs >= atMs - HEALTH_RULES.windowMs);
    const ok = window.filter((o) => o.ok).length;
    const timed = window.filter((o) => o.ok || o.error === 'timeout').map((o) => o.latencyMs);
    const errorRate = window.length > 0 ? (window.length - ok) / window.length : null;
    const p50Ms = rawPercentileMs(timed, 50);
    const p99Ms = rawPercentileMs(timed, 99);
    const rps = ok / (HEALTH_RULES.windowMs / 1000);
    const base = { rps, p50Ms, p99Ms, errorRate };
    const rate = this.rates[model] ?? 1;
    const noSuccessLimitMs = Math.max(HEALTH_RULES.noSuccessMs, 3000 / rate);
    const lastOk = this.lastSuccessAtMs.get(model) ?? null;
    const sinceOkMs = atMs - (lastOk ?? this.startedAtMs);
    if (lastOk === null && atMs - this.startedAtMs < noSuccessLimitMs) return { ...base, health: 'grey', reason: 'starting' };
    if (sinceOkMs > noSuccessLimitMs) return { ...base, health: 'red', reason: `no success for ${(sinceOkMs / 1000).toFixed(1)} s` };
    if (errorRate !== null && errorRate > HEALTH_RULES.maxErrorRate) return { ...base, health: 'red', reason: `${Math.round(errorRate * 100)}% errors` };
    const slo = this.sloMs[model] ?? Infinity;
    if (p99Ms !== null && p99Ms > slo) return { ...base, health: 'amber', reason: `p99 ${Math.round(p99Ms)} ms > SLO ${slo} ms` };
    return { ...base, health: 'green', reason: 'within SLO' };
  }
}
