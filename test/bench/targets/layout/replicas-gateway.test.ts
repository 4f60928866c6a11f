import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../../../bench/clock.js';
import { defaultStoreDir } from '../../../../models/paths.js';
import { findNginx } from '../../../../serving/gateway/find-nginx.js';
import { parseAndCheckLayout } from '../../../../bench/targets/layout/index.js';
import { LocalTarget } from '../../../../bench/targets/local/local-target.js';
import type { RunningTopology } from '../../../../bench/targets/types.js';
import { infer } from '../../../serving/support/requests.js';
import { ensureCompiled, isAlive, makeSpec, waitFor } from '../local/helpers.js';

// Two replicas of tabular behind each gateway: traffic reaches both, and a SIGKILL of one fails at
// most the requests that were on it (one per client at most), never the ones sent after.
const CLIENTS = 4;
const target = new LocalTarget({ stopGraceMs: 3000 });
const running: RunningTopology[] = [];

/** Inference calls a server counted for a model with status 200 (from its /metrics). */
async function servedBy(url: string, model: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`splitbench_requests_total{model="${model}",code="200"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** CLIENTS closed loops of tabular requests until stopped; counts successes and failures (status or network). */
function startLoad(url: string): { stop: () => Promise<{ ok: number; failed: number; failures: string[] }> } {
  let stopping = false;
  let ok = 0;
  const failures: string[] = [];
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (!stopping) {
      try {
        const answer = await infer(url, 'tabular', 'json', 3, 30_000);
        if (answer.status === 200) ok++;
        else failures.push(`${answer.status} ${answer.error ?? ''}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  });
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      return { ok, failed: failures.length, failures };
    },
  };
}

beforeAll(() => ensureCompiled(), 120_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

describe.each(['node', 'nginx'] as const)('two replicas behind the %s gateway', (gateway) => {
  const skip = gateway === 'nginx' && findNginx() === null;

  it.skipIf(skip)('both replicas receive traffic, and a SIGKILL of one fails at most the requests in flight on it', async () => {
    const check = parseAndCheckLayout(`tab=tabular x2 +gateway=${gateway}`, { models: ['tabular'] });
    if (!check.ok) throw new Error(check.problems.join('; '));
    const topology = await target.start(makeSpec({ storeDir: defaultStoreDir(), models: ['tabular'], serverGraceMs: 1000, restartPolicy: 'never', gateway, layout: check.layout }), { readyTimeoutMs: 90_000 });
    running.push(topology);
    const replicas = topology.processes().filter((p) => p.name !== 'gateway');
    expect(replicas.map((p) => [p.name, p.models])).toEqual([['service:tab', ['tabular']], ['service:tab@2', ['tabular']]]);
    const url = topology.endpoints().tabular!;

    const warm = startLoad(url);
    await waitFor(async () => (await servedBy(replicas[0]!.url!, 'tabular')) >= 20 && (await servedBy(replicas[1]!.url!, 'tabular')) >= 20, 30_000, 200);
    const before = await warm.stop();
    expect(before.failed, before.failures.join('\n')).toBe(0);
    const counts = await Promise.all(replicas.map((p) => servedBy(p.url!, 'tabular')));
    expect(counts[0], `replica 1 served ${counts[0]}`).toBeGreaterThanOrEqual(20);
    expect(counts[1], `replica 2 served ${counts[1]}`).toBeGreaterThanOrEqual(20);

    const load = startLoad(url);
    await sleep(500);
    process.kill(replicas[1]!.pid!, 'SIGKILL');
    expect(await waitFor(() => !isAlive(replicas[1]!.pid!), 10_000)).toBe(true);
    // Keep sending long enough for the gateway to try the dead replica again (nginx after fail_timeout, Node after its down mark).
    await sleep(3000);
    const after = await load.stop();
    expect(after.ok).toBeGreaterThan(0);
    expect(after.failed, `failed: ${after.failures.join(' | ')}`).toBeLessThanOrEqual(CLIENTS);
    // And once the kill is behind, the model answers every request.
    const settled = startLoad(url);
    await sleep(1500);
    const last = await settled.stop();
    expect(last.failed, last.failures.join(' | ')).toBe(0);
    expect(last.ok).toBeGreaterThan(0);
  }, 180_000);
});
