import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelNames } from '../../models/catalog.js';
import { infer, type Answer } from '../serving/support/requests.js';
import { startServer, type RunningServer } from '../serving/support/servers.js';

// The same request must give the same values from every topology: monolith single and workers,
// each model's own service, and the gateway in front of the services.
const models = defaultModelNames();
const servers: RunningServer[] = [];
const bases: Record<string, Record<string, string>> = {};

/** Largest absolute difference between two answers' output values. */
function maxDifference(a: Answer, b: Answer): number {
  let worst = 0;
  a.outputs.forEach((output, i) => {
    const other = b.outputs[i]!;
    expect(other.name).toBe(output.name);
    expect(other.shape).toEqual(output.shape);
    output.data.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - other.data[j]!))));
  });
  return worst;
}

beforeAll(async () => {
  const [single, workers, ...services] = await Promise.all([
    startServer('monolith/main', ['--variant', 'single']),
    startServer('monolith/main', ['--variant', 'workers']),
    ...models.map((model) => startServer('microservices/service', ['--model', model])),
  ]);
  servers.push(single!, workers!, ...services);
  const gateway = await startServer('microservices/gateway', models.flatMap((model, i) => ['--route', `${model}=${services[i]!.url}`]));
  servers.push(gateway);
  for (const [i, model] of models.entries()) {
    bases[model] = { single: single!.url, workers: workers!.url, service: services[i]!.url, gateway: gateway.url };
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

describe('same outputs across topologies', () => {
  it('ready lines describe role, variant and every model', () => {
    const [single, workers] = servers;
    expect(single!.ready).toMatchObject({ event: 'ready', role: 'monolith', variant: 'single', host: '127.0.0.1' });
    expect(workers!.ready.variant).toBe('workers');
    expect(single!.ready.models.map((m) => m.name)).toEqual(models);
    expect(servers[2]!.ready).toMatchObject({ role: 'service', variant: null, models: [{ name: 'vad', version: 1 }] });
    expect(servers.at(-1)!.ready.role).toBe('gateway');
  });

  for (const model of models) {
    it(`${model}: monolith single/workers, service and gateway agree (JSON and binary)`, async () => {
      const reference = await infer(bases[model]!.service!, model, 'binary');
      expect(reference.status, reference.error).toBe(200);
      expect(reference.version).toBe('1');
      for (const [where, url] of Object.entries(bases[model]!)) {
        for (const encoding of ['json', 'binary'] as const) {
          const answer = await infer(url, model, encoding);
          expect(answer.status, `${where} ${encoding}: ${answer.error}`).toBe(200);
          expect(answer.version).toBe('1');
          expect(maxDifference(reference, answer), `${where} ${encoding}`).toBeLessThan(1e-5);
        }
      }
    });
  }
});
