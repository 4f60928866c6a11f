import { describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../models/paths.js';
import { describeModelFile } from '../../../models/store.js';
import { resolveRunConfig } from '../../../bench/config/run-config.js';
import { checkResumable } from '../../../bench/cli/resume-run.js';
import { UsageError } from '../../../bench/cli/errors.js';
import type { RunResults } from '../../../bench/results/schema.js';
import { loadFullFixture } from '../../reports/load-fixture.js';

/** A run recorded with exactly this config and the store's current model files. */
function makeRun(): { results: RunResults; config: ReturnType<typeof resolveRunConfig> } {
  const config = resolveRunConfig({ experiments: 'latency', models: 'tabular,vad', out: '/tmp/never-written' });
  const results = loadFullFixture();
  results.config = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  results.models = results.models.filter((m) => config.models.includes(m.name)).map((m) => ({ ...m, sha256: describeModelFile(defaultStoreDir(), m.name, m.version).sha256 }));
  return { results, config };
}

/** The usage error checkResumable throws, or null when it accepts the run. */
function check(results: RunResults, config: ReturnType<typeof resolveRunConfig>): UsageError | null {
  try {
    checkResumable(results, config, defaultStoreDir());
    return null;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
}

describe('what --resume refuses', () => {
  it('accepts the same config and model files', () => {
    const { results, config } = makeRun();
    expect(check(results, config)).toBeNull();
  });

  it('refuses model files that changed since the run measured them, another schema version and a live session, all at once (exit 2)', () => {
    const { results, config } = makeRun();
    results.models[0]!.sha256 = 'f'.repeat(64);
    results.schemaVersion = 0;
    results.live = { startedAtMs: 0, endedAtMs: 1, rates: {}, healthRules: { windowMs: 1, maxErrorRate: 0, noSuccessMs: 1 }, cpu: { machineCores: 1, harnessCores: null, freeCores: null, note: '' }, topologies: [], events: [] };
    const error = check(results, config)!;
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(3);
    expect(error.problems[0]).toMatch(/schemaVersion 0, this splitbench writes 1/);
    expect(error.problems[1]).toMatch(/saved `splitbench live` session/);
    expect(error.problems[2]).toMatch(new RegExp(`^model ${results.models[0]!.name} v1 changed since the run measured it: the run has sha256 ffffffffffff…`));
    expect(error.hint).toBe(`resume with the same options as the interrupted run: ${results.command}`);
  });
});
