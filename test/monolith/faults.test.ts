import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, infer, TOKEN } from '../serving/support/requests.js';
import { isAlive, startServer, waitFor, type RunningServer } from '../serving/support/servers.js';

// In the monolith one model's fault is every model's fault (except what a worker thread contains).
const servers: Record<string, RunningServer> = {};
const args = (variant: string) => ['--variant', variant, '--models', 'vad,tabular', '--admin-token', TOKEN, '--faults'];

beforeAll(async () => {
  const names = ['singleCrash', 'workersCrash', 'single', 'workers'];
  const started = await Promise.all(names.map((name) => startServer('monolith/main', args(name.startsWith('single') ? 'single' : 'workers'))));
  names.forEach((name, i) => (servers[name] = started[i]!));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

/** Arms a fault and checks it took. */
async function arm(server: RunningServer, fault: Record<string, unknown>): Promise<void> {
  const answer = await admin(`${server.url}/admin/faults`, 'POST', fault);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** Time one inference takes, in ms. */
async function timed(url: string, model: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const answer = await infer(url, model);
  return { ms: performance.now() - started, status: answer.status };
}

describe('monolith faults', () => {
  for (const variant of ['singleCrash', 'workersCrash']) {
    it(`crash on one model takes every model down (${variant})`, async () => {
      const server = servers[variant]!;
      await arm(server, { model: 'vad', kind: 'crash' });
      await expect(infer(server.url, 'vad', 'json', 1, 5000)).rejects.toThrow();
      expect(await waitFor(() => !isAlive(server.pid), 5000)).toBe(true);
      await expect(infer(server.url, 'tabular', 'json', 1, 2000)).rejects.toThrow();
      expect((await server.process).signal).toBe('SIGABRT');
    });
  }

  for (const variant of ['single', 'workers']) {
    it(`error answers 500 JSON, slow delays, disarm restores (${variant})`, async () => {
      const server = servers[variant]!;
      await arm(server, { model: 'vad', kind: 'error' });
      const failed = await infer(server.url, 'vad');
      expect(failed.status).toBe(500);
      expect(failed.error).toMatch(/injected fault "error" on model "vad"/);
      expect((await infer(server.url, 'tabular')).status).toBe(200);
      await arm(server, { model: 'vad', kind: 'slow', ms: 300 });
      const slow = await timed(server.url, 'vad');
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(290);
      expect((await admin(`${server.url}/admin/faults`, 'GET')).body.faults).toEqual([{ model: 'vad', kind: 'slow', ms: 300 }]);
      expect((await admin(`${server.url}/admin/faults`, 'DELETE')).status).toBe(200);
      expect((await timed(server.url, 'vad')).ms).toBeLessThan(200);
    });
  }

  it('cpu blocks the whole event loop in single but only the model thread in workers', async () => {
    const delays: Record<string, number> = {};
    for (const variant of ['single', 'workers']) {
      const server = servers[variant]!;
      await arm(server, { model: 'vad', kind: 'cpu', ms: 400 });
      const busy = infer(server.url, 'vad');
      await new Promise((resolve) => setTimeout(resolve, 100));
      delays[variant] = (await timed(server.url, 'tabular')).ms;
      expect((await busy).status).toBe(200);
      await admin(`${server.url}/admin/faults`, 'DELETE');
    }
    expect(delays.single).toBeGreaterThan(200);
    expect(delays.workers).toBeLessThan(150);
  });

  it('exception in workers kills only that worker, which is respawned and logged', async () => {
    const server = servers.workers!;
    await arm(server, { model: 'vad', kind: 'exception' });
    const lost = await infer(server.url, 'vad');
    expect(lost.status).toBe(503);
    expect(lost.error).toMatch(/worker thread died/);
    expect((await infer(server.url, 'tabular')).status).toBe(200);
    expect(await waitFor(() => server.lines.some((line) => line.includes('"worker-ready"')), 15_000)).toBe(true);
    const restart = JSON.parse(server.lines.find((line) => line.includes('"worker-restart"'))!) as Record<string, unknown>;
    expect(restart).toMatchObject({ event: 'worker-restart', model: 'vad', lostRequests: 1, restarts: 1 });
    expect((await infer(server.url, 'vad')).status).toBe(200);
    expect(isAlive(server.pid)).toBe(true);
  });

  it('exception in single kills the process', async () => {
    const server = servers.single!;
    await arm(server, { model: 'tabular', kind: 'exception' });
    await expect(infer(server.url, 'tabular', 'json', 1, 5000)).rejects.toThrow();
    expect((await server.process).exitCode).toBe(1);
    await expect(infer(server.url, 'vad', 'json', 1, 2000)).rejects.toThrow();
  });
});
