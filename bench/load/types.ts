import type { Validity, WindowSummary } from '../stats/validity.js';
import type { RequestLog } from './request-log.js';

/** How intended send times are spaced within a stream. */
export type Arrival = 'constant' | 'poisson';

/** Body of a request, already encoded by the caller (JSON text or the binary-tensor extension). */
export type RequestBody = string | Uint8Array;

/** One stream of open-loop traffic: one model's requests at one rate. */
export interface LoadStream {
  /** Model the stream targets (used as the stream's name unless `name` is given). */
  model: string;
  /** Unique stream name in the plan (default: `model`). */
  name?: string;
  /** Full request URL, e.g. http://127.0.0.1:8000/v2/models/vad/infer. */
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Requests sent in turn instead of `headers`/`body` (a user's recorded requests), one per send. */
  variants?: { headers: Record<string, string>; body: RequestBody }[];
  rateRps: number;
  arrival: Arrival;
  /** An availability probe (kept apart from the load's latency and SLO figures by the experiments). */
  probe?: boolean;
}

/** A complete open-loop run: what to send, for how long, how to judge it. */
export interface OpenLoopPlan {
  streams: LoadStream[];
  /** Whole run including warm-up. */
  durationMs: number;
  /** Requests intended inside [0, warmupMs) are kept in the timeline but left out of the summary. */
  warmupMs: number;
  seed: number;
  /** A request not answered this long after its intended send time is a timeout (latency = timeoutMs). */
  timeoutMs: number;
  /** Timeline bin width (default 250 ms). */
  binMs?: number;
  /** Number of equal windows the measured period is split into for the stability rule (default 4). */
  windows?: number;
  /** Saturation limits of the generator (defaults 0.9 of a core, send-lag p99 5 ms). */
  maxGeneratorCpu?: number;
  maxSendLagP99Ms?: number;
  /**
   * When the next send is closer than this (ms), poll with setImmediate instead of a 1 ms timer.
   * Default 0 (timers only): polling cuts lag a little on an idle machine but burns a core and,
   * measured here on a loaded 2-core box, made lag worse, because the OS deprioritises the busy process.
   */
  spinBelowMs?: number;
  /** Keep every request's intended send time and outcome in `StreamResult.requests` (fault and redeploy windows; off for latency runs). */
  recordRequests?: boolean;
  /** Give every Poisson stream exactly rate × measured time arrivals after the warm-up (see ScheduleSpec.fixedCountFromMs): latency runs, whose percentiles need their sample counts. */
  fixedCounts?: boolean;
  /** Report each model's health while running (fault windows end once every model is settled): how often, and the latency above which an answer counts as bad. */
  health?: { everyMs: number; sloMs: Record<string, number> };
}

/** Per model, while a run goes on: the latest send (ms from the run's start) whose answer was bad (an error, or over the SLO), and the send time up to which every request has been answered. */
export interface HealthSnapshot {
  elapsedMs: number;
  models: Record<string, { lastBadMs: number | null; answeredThroughMs: number | null }>;
}

/** Kinds of failed requests; `http_<status>` for any non-2xx answer. */
export type ErrorKind = `http_${number}` | 'connect_refused' | 'reset' | 'timeout' | 'other';

/** What became of one request; latency is always from its intended send time. */
export type Outcome =
  | { kind: 'success'; status: number; latencyMs: number }
  | { kind: 'error'; error: ErrorKind; latencyMs: number; message?: string };

/** Message of a timeout recorded without sending: the generator reached it after its deadline. */
export const EXPIRED_BEFORE_SEND = 'expired before send: the generator was later than the timeout';

/** One point of a percentile curve, for charts. */
export interface CurvePoint {
  percentile: number;
  valueMs: number;
}

/** Distribution summary; a percentile without enough samples is null and explained in `nullReasons`. */
export interface DistributionSummary {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  nullReasons: string[];
  /** Percentiles with enough samples (plus 100 = max), in ms. */
  curve: CurvePoint[];
  /** HDR histogram in microseconds, `encodeIntoCompressedBase64` of a packed JS histogram. */
  histogramBase64: string;
}

/** Request counts of a period. */
export interface Counts {
  scheduled: number;
  /** Requests the generator got to (includes `expiredBeforeSend`). */
  sent: number;
  /** Reached only after their deadline, so recorded as timeouts without being sent (a late generator). */
  expiredBeforeSend: number;
  succeeded: number;
  failed: number;
  errors: Partial<Record<ErrorKind, number>>;
}

/** One fixed-width slice of the timeline of one stream, by intended send time. */
export interface TimelineBin {
  startMs: number;
  count: number;
  successes: number;
  errors: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  /** Quantiles of successes and timeouts in the bin; null when the bin has none. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** Everything measured for one stream. */
export interface StreamResult {
  name: string;
  model: string;
  url: string;
  arrival: Arrival;
  rateRps: number;
  /** Whole run, warm-up included (the timeline adds up to these). */
  total: Counts;
  /** After warm-up: what the summary is about. */
  measured: Counts;
  offeredRps: number;
  achievedRps: number;
  errorRate: number;
  /** Latency of successes and timeouts after warm-up (fast errors are counted, not timed). */
  latency: DistributionSummary;
  /** Actual minus intended send time after warm-up. */
  sendLag: DistributionSummary;
  sendLagP50Ms: number | null;
  sendLagP99Ms: number | null;
  /** Most requests this stream had in flight at once (= connections it needed). */
  maxInFlight: number;
  timeline: TimelineBin[];
  windows: WindowSummary[];
  /** True for an availability probe stream. */
  probe?: boolean;
  /** Every request of the whole run (warm-up included), times from the run's start; only when the plan asked (`recordRequests`). */
  requests?: RequestLog;
}

/** The generator's own health, to flag runs where it, not the server, was the bottleneck. */
export interface GeneratorReport {
  pid: number;
  cpus: number[] | null;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** CPU time / wall time (1 = one full core). */
  cpuUtilisation: number;
  eventLoopUtilisation: number;
  /** Over all streams after warm-up; raw (not sample-gated), since it is a health signal. */
  sendLagP50Ms: number | null;
  sendLagP99Ms: number | null;
  saturated: boolean;
  saturation: Validity;
}

/** Result of one open-loop run (plain JSON). */
export interface OpenLoopResult {
  startedAtMs: number;
  endedAtMs: number;
  durationMs: number;
  warmupMs: number;
  measuredMs: number;
  seed: number;
  timeoutMs: number;
  binMs: number;
  aborted: boolean;
  streams: StreamResult[];
  generator: GeneratorReport;
}
