import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../models/catalog.js';
import { admin, infer, jsonBody, TOKEN } from '../serving/support/requests.js';
import { startServer, type RunningServer } from '../serving/support/servers.js';

// The gateway routes by model name, may front one upstream for every model, and switches routes live.
const servers: Record<string, RunningServer> = {};

beforeAll(async () => {
  const [monolith, service] = await Promise.all([
    startServer('monolith/main', ['--models', 'vad,tabular']),
    startServer('microservices/service', ['--model', 'tabular']),
  ]);
  servers.monolith = monolith!;
  servers.service = service!;
  servers.gateway = await startServer('microservices/gateway', ['--route', `vad=${monolith!.url}`, '--route', `tabular=${monolith!.url}`, '--admin-token', TOKEN]);
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
});

describe('gateway', () => {
  it('fronts one upstream for every model, with health, metadata and metrics', async () => {
    const url = servers.gateway!.url;
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    expect(((await (await fetch(`${url}/v2/models/vad`)).json()) as { name: string }).name).toBe('vad');
    expect((await fetch(`${url}/v2/models/vad/ready`)).status).toBe(200);
    expect((await infer(url, 'vad')).status).toBe(200);
    expect((await infer(url, 'tabular', 'binary')).status).toBe(200);
    const unknown = await fetch(`${url}/v2/models/nope/infer`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/unknown model "nope"/);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/splitbench_requests_total\{model="vad",code="200"\} 1/);
  });

  it('passes upstream validation errors through untouched', async () => {
    const response = await fetch(`${servers.gateway!.url}/v2/models/tabular/infer`, { method: 'POST', body: '{"inputs": [' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/malformed JSON/);
  });

  it('switches a route to another upstream', async () => {
    const url = servers.gateway!.url;
    expect((await fetch(`${url}/admin/routes/tabular`, { method: 'PUT', body: '{}' })).status).toBe(401);
    const bad = await admin(`${url}/admin/routes/tabular`, 'PUT', { url: 'ftp://x' });
    expect(bad.status).toBe(400);
    const switched = await admin(`${url}/admin/routes/tabular`, 'PUT', { url: servers.service!.url });
    expect(switched.body).toMatchObject({ name: 'tabular', url: servers.service!.url, previous: servers.monolith!.url });
    expect((await admin(`${url}/admin/routes`, 'GET')).body.routes).toEqual({ vad: servers.monolith!.url, tabular: servers.service!.url });
    expect((await infer(url, 'tabular')).status).toBe(200);
    const serviceMetrics = await (await fetch(`${servers.service!.url}/metrics`)).text();
    expect(serviceMetrics).toMatch(/splitbench_requests_total\{model="tabular",code="200"\} 1/);
    expect((await infer(url, 'vad')).status).toBe(200);
  });

  it('streams a body sent without content-length (chunked) to the upstream and relays the same answer', async () => {
    const url = new URL(servers.gateway!.url);
    const body = Buffer.from(jsonBody(findModel('tabular')!.sampleInputs(1)));
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/v2/models/tabular/infer', headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => req.end(body.subarray(10)), 20);
    });
    const direct = await fetch(`${servers.service!.url}/v2/models/tabular/infer`, { method: 'POST', body });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).outputs).toEqual(((await direct.json()) as { outputs: unknown }).outputs);
  });

  it('keeps serving after a client hangs up halfway through its body', async () => {
    const url = new URL(servers.gateway!.url);
    await new Promise<void>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/v2/models/vad/infer', headers: { 'content-length': '100000' } });
      req.on('error', () => resolve());
      req.write('{"inputs": [');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    expect((await infer(servers.gateway!.url, 'vad')).status).toBe(200);
  });
});
