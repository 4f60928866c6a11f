import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveCapacity } from '../../../bench/load/closed-loop.js';
import { LoadGenerator, runClosedLoop, startOpenLoop, runOpenLoop, isTasksetAvailable } from '../../../bench/load/generator-client.js';
import { isPidAlive } from '../../../bench/targets/local/pid.js';
import { startTestServer, type TestServer } from './helpers.js';

let server: TestServer;

/** True when some bench/load source is newer than its compiled JS (or the JS is missing). */
function isDistStale(): boolean {
  return readdirSync('bench/load')
    .filter((f) => f.endsWith('.ts'))
    .some((f) => {
      const js = join('dist/bench/load', f.replace(/\.ts$/, '.js'));
      return !existsSync(js) || statSync(js).mtimeMs < statSync(join('bench/load', f)).mtimeMs;
    });
}

beforeAll(async () => {
  // The generator runs as compiled JS in its own process; emit it when stale (errors elsewhere are not ours).
  if (isDistStale()) await execa('npx', ['tsc', '-p', 'tsconfig.json'], { reject: false });
  server = await startTestServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
}, 180_000);
afterAll(() => server.close());

describe('generator process', () => {
  it('runs an open-loop plan in its own (pinned) process and reports its own CPU use', async () => {
    const body = new Uint8Array([1, 2, 3, 4]);
    const result = await runOpenLoop(
      {
        streams: [{ model: 'bin', url: `${server.url}/v2/models/bin/infer`, body, headers: { 'content-type': 'application/octet-stream' }, rateRps: 200, arrival: 'poisson' }],
        durationMs: 1500,
        warmupMs: 500,
        seed: 3,
        timeoutMs: 1000,
      },
      { cpus: [1] },
    );
    const stream = result.streams[0];
    expect(result.generator.pid).not.toBe(process.pid);
    expect(result.generator.cpus).toEqual(isTasksetAvailable() ? [1] : null);
    expect(result.generator.cpuUtilisation).toBeGreaterThan(0);
    expect(stream?.measured.failed).toBe(0);
    expect(stream?.measured.succeeded).toBe(stream?.measured.scheduled);
    expect(stream?.latency.histogramBase64.length).toBeGreaterThan(10);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('tells when it started and can be aborted', async () => {
    const handle = startOpenLoop({
      streams: [{ model: 'a', url: `${server.url}/a`, rateRps: 100, arrival: 'constant' }],
      durationMs: 20_000,
      warmupMs: 0,
      seed: 1,
      timeoutMs: 1000,
    });
    const { startedAtMs } = await handle.started;
    expect(startedAtMs).toBeGreaterThan(Date.now() - 10_000);
    await new Promise((r) => setTimeout(r, 400));
    await handle.abort();
    const result = await handle.result;
    expect(result.aborted).toBe(true);
    expect(result.streams[0]?.total.sent).toBeGreaterThan(10);
    expect(result.streams[0]?.total.sent).toBeLessThan(300);
  });

  it('runs a closed-loop sweep and derives capacity', async () => {
    const result = await runClosedLoop({
      targets: [
        { url: `${server.url}/v2/models/a/infer`, body: '{"a":1}', headers: { 'content-type': 'application/json' } },
        { url: `${server.url}/v2/models/b/infer`, body: '{"b":1}', headers: { 'content-type': 'application/json' } },
      ],
      concurrencyLevels: [1, 4],
      levelDurationMs: 1000,
      warmupMs: 300,
      timeoutMs: 2000,
      sloMs: 1000,
    });
    expect(result.levels).toHaveLength(2);
    expect(result.maxRps).toBeGreaterThan(50);
    expect(result.maxRpsUnderSlo).toBeGreaterThan(0);
    expect(result.underSloReason).toBeNull();
    for (const level of result.levels) expect(level.errorRate).toBe(0);
  });
});

describe('LoadGenerator (one process for a whole run)', () => {
  const plan = (durationMs: number) => ({
    streams: [{ model: 'a', url: `${server.url}/a`, rateRps: 100, arrival: 'constant' as const }],
    durationMs,
    warmupMs: 0,
    seed: 1,
    timeoutMs: 1000,
  });

  it('runs open- and closed-loop jobs one after another in the same process, each with its own figures', async () => {
    const generator = new LoadGenerator();
    try {
      const first = await generator.runOpenLoop(plan(300));
      const sweep = await generator.runClosedLoop({ targets: [{ url: `${server.url}/b` }], concurrencyLevels: [2], levelDurationMs: 300, warmupMs: 0, timeoutMs: 1000, sloMs: 100 });
      const second = await generator.runOpenLoop(plan(300));
      expect(second.generator.pid).toBe(first.generator.pid);
      expect(second.streams[0]?.total.sent).toBe(first.streams[0]?.total.sent);
      expect(sweep.levels[0]?.responses).toBeGreaterThan(0);
    } finally {
      await generator.close();
    }
  });

  it('refuses a second job while one runs, since both would share the generator CPU', async () => {
    const generator = new LoadGenerator();
    try {
      const running = generator.startOpenLoop(plan(500));
      expect(() => generator.startOpenLoop(plan(500))).toThrow(/one at a time/);
      await running.result;
    } finally {
      await generator.close();
    }
  });

  it('fails the running job when its process is killed, and starts a new process for the next job', async () => {
    const generator = new LoadGenerator();
    try {
      const running = generator.startOpenLoop(plan(5000));
      await running.started;
      const killedPid = generator.pid!;
      process.kill(killedPid, 'SIGKILL');
      await expect(running.result).rejects.toThrow(/exited without a result/);
      const next = await generator.runOpenLoop(plan(200));
      expect(next.generator.pid).not.toBe(killedPid);
      expect(next.streams[0]?.measured.failed).toBe(0);
    } finally {
      await generator.close();
    }
  });

  it('leaves no process behind once closed', async () => {
    const generator = new LoadGenerator();
    await generator.runOpenLoop(plan(200));
    const pid = generator.pid!;
    await generator.close();
    expect(isPidAlive(pid)).toBe(false);
  });
});

describe('deriveCapacity', () => {
  const level = (connections: number, rpsMean: number, latencyP99Ms: number, errorRate = 0) => ({
    connections, durationMs: 1000, rpsMean, latencyP50Ms: 1, latencyP99Ms, responses: rpsMean, non2xx: 0, errors: 0, timeouts: 0, errorRate,
    latencyCombination: 'single-instance' as const,
  });

  it('picks the highest rps overall and the highest within the SLO and error budget', () => {
    const capacity = deriveCapacity([level(1, 100, 5), level(4, 300, 20), level(16, 350, 80), level(64, 340, 200, 0.05)], 50);
    expect(capacity).toMatchObject({ maxRps: 350, maxRpsConnections: 16, maxRpsUnderSlo: 300, maxRpsUnderSloConnections: 4, underSloReason: null });
  });

  it('returns null with a reason when no level meets the SLO', () => {
    const capacity = deriveCapacity([level(1, 100, 60), level(4, 200, 90)], 50);
    expect(capacity.maxRpsUnderSlo).toBeNull();
    expect(capacity.underSloReason).toMatch(/no level met p99 <= 50 ms/);
  });
});
