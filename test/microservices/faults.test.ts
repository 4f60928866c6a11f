import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, infer, TOKEN } from '../serving/support/requests.js';
import { isAlive, startServer, waitFor, type RunningServer } from '../serving/support/servers.js';

// In microservices a fault stays in its own process; the gateway answers JSON errors for that model only.
const servers: Record<string, RunningServer> = {};

beforeAll(async () => {
  const flags = ['--admin-token', TOKEN, '--faults'];
  const [vad, tabular, leaky] = await Promise.all([
    startServer('microservices/service', ['--model', 'vad', ...flags]),
    startServer('microservices/service', ['--model', 'tabular', ...flags]),
    startServer('microservices/service', ['--model', 'tabular', ...flags, '--memory-limit-bytes', String(600 * 1024 * 1024)]),
  ]);
  servers.vad = vad!;
  servers.tabular = tabular!;
  servers.leaky = leaky!;
  servers.gateway = await startServer('microservices/gateway', ['--route', `vad=${vad!.url}`, '--route', `tabular=${tabular!.url}`, '--upstream-timeout-ms', '1000', '--admin-token', TOKEN]);
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

describe('microservice faults', () => {
  it('hang never answers while other models still answer; the gateway answers 504', async () => {
    await admin(`${servers.vad!.url}/admin/faults`, 'POST', { model: 'vad', kind: 'hang' });
    await expect(infer(servers.vad!.url, 'vad', 'json', 1, 500)).rejects.toThrow(/timeout|abort/i);
    expect((await infer(servers.tabular!.url, 'tabular')).status).toBe(200);
    const started = performance.now();
    const viaGateway = await infer(servers.gateway!.url, 'vad');
    expect(viaGateway.status).toBe(504);
    expect(viaGateway.error).toMatch(/did not answer within 1000 ms/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await infer(servers.gateway!.url, 'tabular')).status).toBe(200);
    await admin(`${servers.vad!.url}/admin/faults`, 'DELETE');
    expect((await infer(servers.gateway!.url, 'vad')).status).toBe(200);
  });

  it('error through the gateway passes the 500 JSON through', async () => {
    await admin(`${servers.vad!.url}/admin/faults`, 'POST', { model: 'vad', kind: 'error' });
    const answer = await infer(servers.gateway!.url, 'vad', 'binary');
    expect(answer.status).toBe(500);
    expect(answer.error).toMatch(/injected fault "error"/);
    await admin(`${servers.vad!.url}/admin/faults`, 'DELETE');
  });

  it('leak grows memory until the service kills itself at its memory limit, alone', async () => {
    const leaky = servers.leaky!;
    await admin(`${leaky.url}/admin/faults`, 'POST', { model: 'tabular', kind: 'leak', bytesPerRequest: 128 * 1024 * 1024 });
    for (let i = 0; i < 8 && isAlive(leaky.pid); i++) await infer(leaky.url, 'tabular', 'json', 1, 3000).catch(() => undefined);
    expect(await waitFor(() => !isAlive(leaky.pid), 5000)).toBe(true);
    expect((await leaky.process).signal).toBe('SIGKILL');
    expect((await infer(servers.tabular!.url, 'tabular')).status).toBe(200);
  });

  it('crash kills only its service; the gateway answers 502 JSON for it and keeps serving the others', async () => {
    const vad = servers.vad!;
    await admin(`${vad.url}/admin/faults`, 'POST', { model: 'vad', kind: 'crash' });
    await expect(infer(vad.url, 'vad', 'json', 1, 3000)).rejects.toThrow();
    expect(await waitFor(() => !isAlive(vad.pid), 5000)).toBe(true);
    expect(isAlive(servers.tabular!.pid)).toBe(true);
    const down = await infer(servers.gateway!.url, 'vad');
    expect(down.status).toBe(502);
    expect(down.error).toMatch(/upstream http:\/\/127\.0\.0\.1:\d+ for model "vad" failed: connection refused/);
    expect((await infer(servers.gateway!.url, 'tabular', 'binary')).status).toBe(200);
    const ready = await fetch(`${servers.gateway!.url}/v2/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: string }).error).toMatch(/vad/);
  });
});
