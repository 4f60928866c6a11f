import { Pool } from 'undici';
import { nowMs } from '../clock.js';
import { classifyError, classifyStatus } from '../load/classify-error.js';
import { buildSchedule, type Schedule } from '../load/schedule.js';
import type { Arrival, ErrorKind } from '../load/types.js';

/** One model's never-ending stream of requests: the URL is looked up at each send, so restarts and redeploys are followed. */
export interface LiveStream {
  model: string;
  rateRps: number;
  /** Full infer URL now, or null while no process serves the model. */
  url: () => string | null;
  headers: Record<string, string>;
  body: Buffer;
}

/** What became of one request; latency is from its intended send time (no coordinated omission). */
export interface LiveOutcome {
  model: string;
  intendedAtMs: number;
  completedAtMs: number;
  ok: boolean;
  latencyMs: number;
  error: ErrorKind | null;
}

/** Options of a live load: streams, arrival process, seed, per-request timeout. */
export interface LiveLoadOptions {
  streams: LiveStream[];
  arrival: Arrival;
  seed: number;
  timeoutMs: number;
  /** Called at each intended send (before the request leaves), then once with its outcome. */
  onSend: (model: string, intendedAtMs: number) => void;
  onOutcome: (outcome: LiveOutcome) => void;
}

/** A running live load; `stop` stops sending and waits (bounded) for requests in flight. */
export interface LiveLoad {
  startedAtMs: number;
  inFlight(): number;
  stop(): Promise<void>;
}

/** Length of one schedule chunk: the schedule is built chunk by chunk, forever. */
const CHUNK_MS = 10_000;

/**
 * Continuous open-loop load: seeded schedules (schedule.ts) built 10 s at a time and fired at their
 * intended times, whatever the servers do; every outcome is timed from its intended send time.
 */
export function startLiveLoad(options: LiveLoadOptions): LiveLoad {
  const pools = new Map<string, Pool>();
  const startedAtMs = nowMs() + 25;
  let inFlight = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let chunk = 0;
  let schedule: Schedule = buildChunk(options, chunk);
  let next = 0;
  let idle: (() => void) | null = null;

  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });
      pools.set(origin, pool);
    }
    return pool;
  };

  const settle = (outcome: LiveOutcome): void => {
    options.onOutcome(outcome);
  };

  const fire = (stream: LiveStream, intendedAtMs: number): void => {
    options.onSend(stream.model, intendedAtMs);
    const lag = nowMs() - intendedAtMs;
    const url = stream.url();
    if (lag >= options.timeoutMs || url === null) {
      const error: ErrorKind = url === null ? 'connect_refused' : 'timeout';
      settle({ model: stream.model, intendedAtMs, completedAtMs: nowMs(), ok: false, latencyMs: url === null ? lag : options.timeoutMs, error });
      return;
    }
    inFlight++;
    sendOne(poolFor(new URL(url).origin), new URL(url), stream, intendedAtMs, options.timeoutMs, (outcome) => {
      inFlight--;
      settle(outcome);
      if (inFlight === 0 && idle) idle();
    });
  };

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    for (;;) {
      const due = schedule.sends[next];
      const chunkStart = startedAtMs + chunk * CHUNK_MS;
      if (due === undefined) {
        chunk++;
        schedule = buildChunk(options, chunk);
        next = 0;
        continue;
      }
      if (chunkStart + due.atMs > nowMs()) {
        timer = setTimeout(tick, Math.max(0, Math.floor(chunkStart + due.atMs - nowMs())));
        return;
      }
      next++;
      const stream = options.streams[due.stream];
      if (stream) fire(stream, chunkStart + due.atMs);
    }
  };
  timer = setTimeout(tick, 25);

  return {
    startedAtMs,
    inFlight: () => inFlight,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise((resolve) => setTimeout(resolve, options.timeoutMs + 500))]);
      }
      await Promise.all([...pools.values()].map((pool) => pool.destroy().catch(() => undefined)));
    },
  };
}

/** The schedule of chunk k: its own seed, so chunks differ but the whole session is reproducible. */
function buildChunk(options: LiveLoadOptions, chunk: number): Schedule {
  return buildSchedule({
    streams: options.streams.map((s) => ({ name: s.model, rateRps: s.rateRps, arrival: options.arrival })),
    durationMs: CHUNK_MS,
    seed: (options.seed + chunk * 7919) | 0,
  });
}

/** Sends one request and reports exactly one outcome, timed from the intended send time. */
function sendOne(pool: Pool, url: URL, stream: LiveStream, intendedAtMs: number, timeoutMs: number, report: (outcome: LiveOutcome) => void): void {
  const controller = new AbortController();
  let settled = false;
  const settle = (ok: boolean, latencyMs: number, error: ErrorKind | null): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    const timedOut = latencyMs >= timeoutMs;
    report({ model: stream.model, intendedAtMs, completedAtMs: nowMs(), ok: ok && !timedOut, latencyMs: timedOut ? timeoutMs : latencyMs, error: timedOut ? 'timeout' : error });
  };
  const timer = setTimeout(() => {
    settle(false, timeoutMs, 'timeout');
    controller.abort();
  }, Math.max(0, intendedAtMs + timeoutMs - nowMs()));
  pool
    .request({ path: url.pathname + url.search, method: 'POST', headers: stream.headers, body: stream.body, signal: controller.signal })
    .then(async (response) => {
      await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      settle(ok, nowMs() - intendedAtMs, ok ? null : classifyStatus(response.statusCode));
    })
    .catch((error: unknown) => settle(false, nowMs() - intendedAtMs, classifyError(error)));
}
