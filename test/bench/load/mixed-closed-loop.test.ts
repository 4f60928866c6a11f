import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../models/paths.js';
import { LocalTarget } from '../../../bench/targets/local/local-target.js';
import type { RunningTopology } from '../../../bench/targets/types.js';
import { LoadGenerator } from '../../../bench/load/generator-client.js';
import { buildRequests, inferUrl } from '../../../bench/experiments/traffic.js';
import { checkMixShares } from '../../../bench/stats/validity.js';
import { ensureCompiled, makeSpec } from '../targets/local/helpers.js';

const MODELS = ['tabular', 'vad'];
const target = new LocalTarget({ stopGraceMs: 3000 });
const generator = new LoadGenerator();
const requests = buildRequests(MODELS, 1);

beforeAll(() => ensureCompiled(), 120_000);
afterAll(() => generator.close());

/** Sweeps the 2-model mix over a started topology with the run's load generator. */
async function sweepMix(topology: RunningTopology) {
  return generator.runClosedLoop({
    targets: MODELS.map((model) => ({ model, url: inferUrl(topology, model), method: 'POST' as const, headers: requests[model]!.headers, body: requests[model]!.body })),
    concurrencyLevels: [1, 4],
    levelDurationMs: 1500,
    warmupMs: 300,
    timeoutMs: 5000,
    sloMs: 1000,
  });
}

describe.each([
  { kind: 'monolith', variant: 'single' },
  { kind: 'microservices', variant: 'direct' },
  { kind: 'microservices', variant: 'gateway' },
] as const)('mixed closed-loop traffic on $kind $variant', ({ kind, variant }) => {
  it('keeps each model at its planned share (±2 pp) at every level, with the mix loop', async () => {
    const topology = await target.start(makeSpec({ kind, variant, storeDir: defaultStoreDir(), models: MODELS, serverGraceMs: 1000 }), { readyTimeoutMs: 45_000 });
    try {
      if (variant === 'direct') expect(new Set(MODELS.map((m) => new URL(inferUrl(topology, m)).origin)).size).toBe(2);
      const sweep = await sweepMix(topology);
      expect(sweep.loadGenerator).toBe('mix-loop');
      expect(sweep.levels).toHaveLength(2);
      for (const level of sweep.levels) {
        expect(level.errorRate).toBe(0);
        expect(level.responses).toBeGreaterThan(100);
        for (const share of level.shares!) {
          expect(share.planned).toBe(0.5);
          expect(Math.abs(share.achieved! - 0.5), `${share.model} at ${level.connections} connections: ${share.achieved}`).toBeLessThanOrEqual(0.02);
        }
      }
      expect(checkMixShares(sweep.levels.map((l) => ({ connections: l.connections, shares: l.shares! })))).toEqual({ valid: true, invalidReasons: [] });
    } finally {
      await topology.stop();
    }
  }, 90_000);
});
