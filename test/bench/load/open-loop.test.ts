import { afterEach, describe, expect, it } from 'vitest';
import { executeOpenLoop } from '../../../bench/load/open-loop-runner.js';
import { decodeRequestLog } from '../../../bench/load/request-log.js';
import type { OpenLoopPlan, StreamResult } from '../../../bench/load/types.js';
import { findClosedPort, startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a test server and remembers to close it. */
async function serve(handler: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(handler);
  servers.push(server);
  return server;
}

/** A one-stream plan with test-friendly defaults. */
function planFor(url: string, overrides: Partial<OpenLoopPlan> = {}, rateRps = 100): OpenLoopPlan {
  return {
    streams: [{ model: 'm', url, method: 'POST', body: '{"x":1}', rateRps, arrival: 'constant' }],
    durationMs: 1000,
    warmupMs: 0,
    seed: 1,
    timeoutMs: 5000,
    ...overrides,
  };
}

/** The only stream of a result. */
function only(streams: StreamResult[]): StreamResult {
  const stream = streams[0];
  if (stream === undefined) throw new Error('no stream');
  return stream;
}

describe('executeOpenLoop', () => {
  it('sends a stream\'s recorded request variants in turn, each with its own headers', async () => {
    const seen: string[] = [];
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push(`${req.headers['x-n']}:${body}`);
        res.end('{}');
      });
    });
    const variants = ['a', 'b', 'c'].map((v, i) => ({ headers: { 'x-n': String(i) }, body: v }));
    const plan = planFor(server.url, { durationMs: 300 }, 100);
    plan.streams[0] = { ...plan.streams[0]!, variants };
    await executeOpenLoop(plan);
    expect(seen.length).toBeGreaterThanOrEqual(27);
    expect(seen.slice(0, 6)).toEqual(['0:a', '1:b', '2:c', '0:a', '1:b', '2:c']);
    expect(new Set(seen)).toEqual(new Set(['0:a', '1:b', '2:c']));
  });

  it('records every request\'s intended send time and outcome only when the plan asks', async () => {
    // Every third request fails with a 500: the log must say which, at its intended time.
    let n = 0;
    const server = await serve((req, res) => {
      req.resume();
      res.statusCode = n++ % 3 === 2 ? 500 : 200;
      res.end('ok');
    });
    const recorded = only((await executeOpenLoop(planFor(`${server.url}/r`, { durationMs: 500, recordRequests: true }, 40))).streams);
    const log = decodeRequestLog(recorded.requests!);
    expect(log).toHaveLength(recorded.total.sent);
    expect(log.filter((o) => !o.ok)).toHaveLength(recorded.total.failed);
    expect(log.every((o, i) => i === 0 || o.tMs - log[i - 1]!.tMs >= 24 && o.tMs - log[i - 1]!.tMs <= 26)).toBe(true);
    const plain = only((await executeOpenLoop(planFor(`${server.url}/r`, { durationMs: 300 }, 40))).streams);
    expect(plain.requests).toBeUndefined();
  });

  it('measures latency from the intended send time, so queueing behind a slow server shows', async () => {
    // The server answers one request at a time, 20 ms each, while requests arrive every 10 ms:
    // the k-th request waits about 10k ms. A closed-loop client would report ~20 ms throughout.
    let busyUntil = 0;
    const server = await serve((req, res) => {
      req.resume();
      const start = Math.max(Date.now(), busyUntil);
      busyUntil = start + 20;
      setTimeout(() => res.end('ok'), busyUntil - Date.now());
    });
    const result = await executeOpenLoop(planFor(`${server.url}/q`, { durationMs: 1000 }, 100));
    const stream = only(result.streams);
    expect(stream.measured.succeeded).toBe(100);
    expect(stream.latency.p50Ms).toBeGreaterThan(300);
    expect(stream.latency.maxMs).toBeGreaterThan(800);
    expect(stream.latency.p99Ms).toBeNull();
    expect(stream.latency.nullReasons.join(' ')).toMatch(/p99 needs at least 1000 samples, got 100/);
    expect(stream.maxInFlight).toBeGreaterThan(10);
  });

  it('opens connections as needed instead of queueing on the client', async () => {
    const server = await serve((req, res) => {
      req.resume();
      setTimeout(() => res.end('ok'), 50);
    });
    const result = await executeOpenLoop(planFor(`${server.url}/c`, { durationMs: 1000 }, 200));
    const stream = only(result.streams);
    expect(stream.measured.succeeded).toBe(200);
    expect(stream.latency.p50Ms).toBeLessThan(80);
    expect(stream.latency.p90Ms).toBeLessThan(120);
    expect(stream.maxInFlight).toBeGreaterThanOrEqual(9);
    expect(stream.offeredRps).toBeCloseTo(200, 5);
    expect(stream.achievedRps).toBeCloseTo(200, 5);
  });

  it('counts a request with no answer as a timeout with latency = timeout, and waits for stragglers', async () => {
    const server = await serve((req) => req.resume());
    const started = Date.now();
    const result = await executeOpenLoop(planFor(`${server.url}/hang`, { durationMs: 500, timeoutMs: 300 }, 20));
    const stream = only(result.streams);
    expect(stream.measured.sent).toBe(10);
    expect(stream.measured.errors).toEqual({ timeout: 10 });
    expect(stream.measured.succeeded).toBe(0);
    expect(stream.latency.count).toBe(10);
    expect(stream.latency.maxMs).toBeCloseTo(300, 0);
    expect(stream.achievedRps).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500 + 250);
  });

  it('classifies errors by kind: http status, refused connection, reset', async () => {
    const server = await serve((req, res) => {
      req.resume();
      if (req.url === '/boom') {
        res.statusCode = 503;
        res.end('{"error":"down"}');
      } else req.socket.destroy();
    });
    const closedPort = await findClosedPort();
    const result = await executeOpenLoop({
      streams: [
        { model: 'boom', url: `${server.url}/boom`, rateRps: 50, arrival: 'constant' },
        { model: 'refused', url: `http://127.0.0.1:${closedPort}/x`, rateRps: 50, arrival: 'constant' },
        { model: 'reset', url: `${server.url}/reset`, rateRps: 50, arrival: 'constant' },
      ],
      durationMs: 400,
      warmupMs: 0,
      seed: 2,
      timeoutMs: 2000,
    });
    const [boom, refused, reset] = result.streams;
    expect(boom?.measured.errors).toEqual({ http_503: 20 });
    expect(refused?.measured.errors).toEqual({ connect_refused: 20 });
    expect(reset?.measured.errors).toEqual({ reset: 20 });
    for (const stream of result.streams) {
      expect(stream.errorRate).toBe(1);
      expect(stream.latency.count).toBe(0);
    }
  });

  it('excludes warm-up from the summary but keeps it in the timeline; bins add up to the totals', async () => {
    const server = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.end(req.url === '/err' ? undefined : 'ok'));
      if (req.url === '/err') res.statusCode = 500;
    });
    const result = await executeOpenLoop({
      streams: [
        { model: 'ok', url: `${server.url}/ok`, rateRps: 100, arrival: 'poisson' },
        { model: 'err', url: `${server.url}/err`, rateRps: 40, arrival: 'constant' },
      ],
      durationMs: 1200,
      warmupMs: 400,
      seed: 5,
      timeoutMs: 2000,
      binMs: 100,
      windows: 4,
    });
    expect(result.measuredMs).toBe(800);
    for (const stream of result.streams) {
      const bins = stream.timeline;
      expect(bins).toHaveLength(12);
      expect(bins.reduce((a, b) => a + b.count, 0)).toBe(stream.total.sent);
      expect(bins.reduce((a, b) => a + b.successes, 0)).toBe(stream.total.succeeded);
      expect(bins.reduce((a, b) => a + b.errors, 0)).toBe(stream.total.failed);
      const warmupCount = bins.slice(0, 4).reduce((a, b) => a + b.count, 0);
      expect(warmupCount).toBeGreaterThan(0);
      expect(stream.measured.sent).toBe(stream.total.sent - warmupCount);
      expect(stream.total.sent).toBe(stream.total.scheduled);
      expect(stream.windows).toHaveLength(4);
    }
    const [ok, err] = result.streams;
    expect(ok?.latency.count).toBe(ok?.measured.succeeded);
    expect(ok?.measured.sent).toBeLessThan(ok?.total.sent ?? 0);
    expect(err?.measured.errors).toEqual({ http_500: 32 });
    expect(err?.offeredRps).toBeCloseTo(40, 5);
    expect(err?.timeline[5]?.errorsByKind).toEqual({ http_500: 4 });
    expect(result.generator.cpuUtilisation).toBeGreaterThan(0);
    expect(result.generator.pid).toBe(process.pid);
  });

  it('stops early on abort and reports what was sent', async () => {
    const server = await serve((req, res) => {
      req.resume();
      res.end('ok');
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await executeOpenLoop(planFor(`${server.url}/a`, { durationMs: 5000 }, 100), { signal: controller.signal });
    const stream = only(result.streams);
    expect(result.aborted).toBe(true);
    expect(result.durationMs).toBeLessThan(1000);
    expect(stream.total.sent).toBeLessThan(100);
    expect(stream.total.sent).toBe(stream.total.scheduled);
  });
});
