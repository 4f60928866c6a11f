import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { nowMs } from '../clock.js';
import { buildSchedule, type Schedule, type ScheduledSend } from './schedule.js';
import { classifyError, classifyStatus } from './classify-error.js';
import { summarizeOpenLoop, type RequestRecord } from './summarize-open-loop.js';
import { createHealthFeed } from './health-feed.js';
import { EXPIRED_BEFORE_SEND, type HealthSnapshot, type LoadStream, type OpenLoopPlan, type OpenLoopResult, type Outcome } from './types.js';

/** Hooks of an in-process run: when sending starts, and a signal that stops it early. */
export interface RunControl {
  onStarted?: (startedAtMs: number) => void;
  /** Each model's health every plan.health.everyMs, when the plan asks for it. */
  onHealth?: (snapshot: HealthSnapshot) => void;
  signal?: AbortSignal;
  /** CPUs the process is pinned to (reported only). */
  cpus?: number[] | null;
}

// Time between preparing the run and the first intended send, so start-up work does not show as lag.
const LEAD_MS = 25;

/** A stream ready to send: its pool and pre-encoded request options. */
interface PreparedStream {
  pool: Pool;
  path: string;
  method: NonNullable<LoadStream['method']>;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  /** Recorded requests sent in turn (empty: always `headers` and `body`). */
  variants: { headers: Record<string, string>; body: string | Buffer }[];
  sent: number;
  inFlight: number;
  maxInFlight: number;
}

/** Checks a plan for mistakes that would make its numbers meaningless. */
export function validatePlan(plan: OpenLoopPlan): void {
  const names = plan.streams.map((s) => s.name ?? s.model);
  if (plan.streams.length === 0) throw new Error('open loop: the plan has no streams');
  if (new Set(names).size !== names.length) throw new Error(`open loop: stream names must be unique, got ${names.join(', ')}`);
  if (!(plan.warmupMs >= 0 && plan.warmupMs < plan.durationMs)) {
    throw new Error(`open loop: warmupMs (${plan.warmupMs}) must be >= 0 and below durationMs (${plan.durationMs})`);
  }
  if (!(plan.timeoutMs > 0)) throw new Error(`open loop: timeoutMs must be > 0, got ${plan.timeoutMs}`);
  for (const s of plan.streams) new URL(s.url);
}

/** Runs an open-loop plan in this process and returns its measured result. */
export async function executeOpenLoop(plan: OpenLoopPlan, control: RunControl = {}): Promise<OpenLoopResult> {
  validatePlan(plan);
  const schedule = buildSchedule({
    streams: plan.streams.map((s) => ({ name: s.name ?? s.model, rateRps: s.rateRps, arrival: s.arrival })),
    durationMs: plan.durationMs,
    seed: plan.seed,
    ...(plan.fixedCounts ? { fixedCountFromMs: plan.warmupMs } : {}),
  });
  const streams = plan.streams.map(prepareStream);
  const records: RequestRecord[] = [];
  const drain = createDrainTracker();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const startedAtMs = nowMs() + LEAD_MS;
  control.onStarted?.(startedAtMs);
  const health = plan.health ? createHealthFeed(plan.health) : null;
  const healthTimer = health && control.onHealth ? setInterval(() => control.onHealth!(health.snapshot(nowMs() - startedAtMs)), plan.health!.everyMs) : null;

  const fire = (send: ScheduledSend): void => {
    const stream = streams[send.stream];
    if (stream === undefined) return;
    const intendedAtMs = startedAtMs + send.atMs;
    const record: RequestRecord = { stream: send.stream, intendedMs: send.atMs, lagMs: Math.max(0, nowMs() - intendedAtMs), outcome: null };
    records.push(record);
    if (record.lagMs >= plan.timeoutMs) {
      // Already past its deadline: it is a timeout whatever the server does, and sending it anyway
      // would pile connections onto a late generator. Counted (expiredBeforeSend), never dropped silently.
      record.outcome = { kind: 'error', error: 'timeout', latencyMs: plan.timeoutMs, message: EXPIRED_BEFORE_SEND };
      return;
    }
    stream.inFlight++;
    stream.maxInFlight = Math.max(stream.maxInFlight, stream.inFlight);
    drain.begin();
    const model = plan.streams[send.stream]!.model;
    health?.sent(model, send.atMs);
    sendOne(stream, intendedAtMs, plan.timeoutMs, (outcome) => {
      record.outcome = outcome;
      health?.answered(model, send.atMs, outcome);
      stream.inFlight--;
      drain.end();
    });
  };

  const stoppedAtElapsedMs = await runSendLoop(schedule, startedAtMs, fire, plan.spinBelowMs ?? 0, control.signal);
  await drain.idle();
  if (healthTimer) clearInterval(healthTimer);
  const endedAtMs = nowMs();
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  await Promise.all(streams.map((s) => s.pool.destroy()));
  return summarizeOpenLoop({
    plan,
    schedule,
    records,
    maxInFlight: streams.map((s) => s.maxInFlight),
    startedAtMs,
    endedAtMs,
    stoppedAtElapsedMs,
    cpu,
    eventLoopUtilisation: elu.utilization,
    cpus: control.cpus ?? null,
  });
}

/** Keep-alive pool that opens another connection whenever all are busy (pipelining 1, no queueing). */
function prepareStream(stream: LoadStream): PreparedStream {
  const url = new URL(stream.url);
  const pool = new Pool(url.origin, {
    connections: null,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const toBody = (value: NonNullable<LoadStream['body']>): string | Buffer => (typeof value === 'string' ? value : Buffer.from(value));
  const body = stream.body === undefined ? undefined : toBody(stream.body);
  return {
    variants: (stream.variants ?? []).map((v) => ({ headers: v.headers, body: toBody(v.body) })),
    sent: 0,
    pool,
    path: url.pathname + url.search,
    method: stream.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: stream.headers ?? {},
    body,
    inFlight: 0,
    maxInFlight: 0,
  };
}

/** Sends one request and reports exactly one outcome, timed from the intended send time. */
function sendOne(stream: PreparedStream, intendedAtMs: number, timeoutMs: number, report: (outcome: Outcome) => void): void {
  const controller = new AbortController();
  let settled = false;
  const settle = (outcome: Outcome): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    // An answer that arrives after the deadline (the timer fired late) is still a timeout.
    report(outcome.latencyMs >= timeoutMs ? { kind: 'error', error: 'timeout', latencyMs: timeoutMs } : outcome);
  };
  const timer = setTimeout(() => {
    settle({ kind: 'error', error: 'timeout', latencyMs: timeoutMs });
    controller.abort();
  }, Math.max(0, intendedAtMs + timeoutMs - nowMs()));
  const variant = stream.variants.length > 0 ? stream.variants[stream.sent % stream.variants.length] : undefined;
  stream.sent++;
  stream.pool
    .request({ path: stream.path, method: stream.method, headers: variant?.headers ?? stream.headers, body: variant?.body ?? stream.body, signal: controller.signal })
    .then(async (response) => {
      // Read the whole body (dump's default limit would cut the connection on large tensors).
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      const latencyMs = nowMs() - intendedAtMs;
      const status = response.statusCode;
      settle(status >= 200 && status < 300 ? { kind: 'success', status, latencyMs } : { kind: 'error', error: classifyStatus(status), latencyMs });
    })
    .catch((error: unknown) => {
      settle({ kind: 'error', error: classifyError(error), latencyMs: nowMs() - intendedAtMs, message: String((error as Error)?.message ?? error) });
    });
}

/** Fires every send at (never before) its intended time; resolves with the elapsed ms at which sending stopped. */
function runSendLoop(
  schedule: Schedule,
  startedAtMs: number,
  fire: (send: ScheduledSend) => void,
  spinBelowMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const sends = schedule.sends;
  return new Promise((resolve) => {
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    let finished = false;
    const finish = (elapsedMs: number): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      resolve(elapsedMs);
    };
    const tick = (): void => {
      timer = undefined;
      immediate = undefined;
      if (finished) return;
      let due = sends[next];
      while (due !== undefined && due.atMs <= nowMs() - startedAtMs) {
        fire(due);
        due = sends[++next];
      }
      if (due === undefined) return finish(schedule.durationMs);
      const waitMs = due.atMs - (nowMs() - startedAtMs);
      if (waitMs < spinBelowMs) immediate = setImmediate(tick);
      else timer = setTimeout(tick, Math.floor(waitMs));
    };
    if (signal?.aborted) return finish(0);
    signal?.addEventListener('abort', () => finish(Math.min(schedule.durationMs, Math.max(0, nowMs() - startedAtMs))), { once: true });
    timer = setTimeout(tick, Math.max(0, startedAtMs - nowMs()));
  });
}

/** Counts requests in flight and resolves `idle()` when none are left. */
function createDrainTracker(): { begin(): void; end(): void; idle(): Promise<void> } {
  let pending = 0;
  let wake: (() => void) | null = null;
  return {
    begin: () => void pending++,
    end: () => {
      pending--;
      if (pending === 0 && wake !== null) wake();
    },
    idle: () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
  };
}
