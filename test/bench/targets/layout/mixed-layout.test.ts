import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../../models/paths.js';
import { parseAndCheckLayout } from '../../../../bench/targets/layout/index.js';
import { LocalTarget } from '../../../../bench/targets/local/local-target.js';
import type { RunningTopology, TopologySpec } from '../../../../bench/targets/types.js';
import { infer, type Answer } from '../../../serving/support/requests.js';
import { ensureCompiled, isAlive, makeSpec, waitFor } from '../local/helpers.js';

// A mixed layout on the local target with the real servers: vad and tabular share one process,
// ocr-cls has its own, the Node gateway fronts both. It must answer what the monolith answers, and a
// crash of the shared process takes down exactly its two models.
const MODELS = ['vad', 'tabular', 'ocr-cls'];
const target = new LocalTarget({ stopGraceMs: 3000 });
const running: RunningTopology[] = [];
let mixed: RunningTopology;
let monolith: RunningTopology;

/** A real-server spec over MODELS (no restarts: a killed process stays down). */
function spec(overrides: Partial<TopologySpec>): TopologySpec {
  return makeSpec({ storeDir: defaultStoreDir(), models: MODELS, serverGraceMs: 1000, restartPolicy: 'never', ...overrides });
}

/** Largest absolute difference between two answers' output values (shapes and names must agree). */
function maxDifference(a: Answer, b: Answer): number {
  expect(b.outputs.map((o) => [o.name, o.shape])).toEqual(a.outputs.map((o) => [o.name, o.shape]));
  let worst = 0;
  a.outputs.forEach((output, i) => output.data.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - b.outputs[i]!.data[j]!)))));
  return worst;
}

beforeAll(async () => {
  ensureCompiled();
  const check = parseAndCheckLayout('light=vad,tabular; cls=ocr-cls +gateway', { models: MODELS });
  if (!check.ok) throw new Error(check.problems.join('; '));
  // One after the other: two topologies loading models at once crowd a 2-core machine.
  mixed = await target.start(spec({ kind: 'microservices', variant: 'gateway', layout: check.layout }), { readyTimeoutMs: 90_000 });
  running.push(mixed);
  monolith = await target.start(spec({ kind: 'monolith', variant: 'single' }), { readyTimeoutMs: 90_000 });
  running.push(monolith);
}, 240_000);

afterAll(async () => {
  await Promise.all(running.map((t) => t.stop()));
});

describe('a mixed layout on the local target', () => {
  it('runs one process per group plus the gateway, the shared one on the monolith server', () => {
    const processes = mixed.processes();
    expect(processes.map((p) => [p.name, p.models])).toEqual([['service:light', ['vad', 'tabular']], ['service:cls', ['ocr-cls']], ['gateway', MODELS]]);
    const hosts = mixed.adminUrls();
    expect(hosts.vad).toBe(hosts.tabular);
    expect(hosts['ocr-cls']).not.toBe(hosts.vad);
    expect(new Set(Object.values(mixed.endpoints()))).toEqual(new Set([processes[2]!.url]));
  });

  it('serves the same outputs as the monolith for every model (JSON and binary)', async () => {
    for (const model of MODELS) {
      for (const encoding of ['json', 'binary'] as const) {
        const reference = await infer(monolith.endpoints()[model]!, model, encoding);
        const answer = await infer(mixed.endpoints()[model]!, model, encoding);
        expect(reference.status, reference.error).toBe(200);
        expect(answer.status, `${model} ${encoding}: ${answer.error}`).toBe(200);
        expect(maxDifference(reference, answer), `${model} ${encoding}`).toBeLessThan(1e-5);
      }
    }
  }, 120_000);

  it('a SIGKILL of the shared process takes down exactly its group; ocr-cls keeps answering', async () => {
    const light = mixed.processes().find((p) => p.name === 'service:light')!;
    const cls = mixed.processes().find((p) => p.name === 'service:cls')!;
    process.kill(light.pid!, 'SIGKILL');
    expect(await waitFor(() => !isAlive(light.pid!), 10_000)).toBe(true);
    const gateway = mixed.endpoints();
    // Once the kill has landed, every request to the group's models fails and every other one succeeds.
    expect(await waitFor(async () => (await infer(gateway.vad!, 'vad')).status !== 200, 10_000)).toBe(true);
    for (let round = 0; round < 3; round++) {
      expect((await infer(gateway.vad!, 'vad')).status).toBe(502);
      expect((await infer(gateway.tabular!, 'tabular')).status).toBe(502);
      const answer = await infer(gateway['ocr-cls']!, 'ocr-cls');
      expect(answer.status, answer.error).toBe(200);
    }
    expect(isAlive(cls.pid!)).toBe(true);
    expect(mixed.events.filter((e) => e.type === 'exit').map((e) => e.process)).toEqual(['service:light']);
  }, 60_000);
});
