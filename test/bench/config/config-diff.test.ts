import { describe, expect, it } from 'vitest';
import { describeDifferences, diffConfigs } from '../../../bench/config/config-diff.js';
import { resolveRunConfig } from '../../../bench/config/run-config.js';

/** A resolved config as results.json records it. */
function recorded(options: Partial<Parameters<typeof resolveRunConfig>[0]> = {}): Record<string, unknown> {
  return JSON.parse(JSON.stringify(resolveRunConfig({ experiments: 'latency,fault', models: 'tabular,vad', topologies: 'monolith:single,microservices:direct', trials: '2', out: '/tmp/a', ...options }))) as Record<string, unknown>;
}

describe('the config check of --resume', () => {
  it('finds no difference between the same options, whatever --out and --threshold say', () => {
    const given = resolveRunConfig({ experiments: 'latency,fault', models: 'tabular,vad', topologies: 'monolith:single,microservices:direct', trials: '2', out: '/tmp/b', threshold: ['monolith.single.vad.p50Ms<5'] });
    expect(diffConfigs(recorded(), given)).toEqual([]);
  });

  it('names every differing field with the recorded and the given value, and the option that sets it', () => {
    const given = resolveRunConfig({ experiments: 'latency,fault', models: 'tabular,vad', topologies: 'monolith:single,microservices:gateway', trials: '3', seed: '7', out: '/tmp/a' });
    const lines = describeDifferences(diffConfigs(recorded(), given));
    expect(lines).toEqual([
      'variants.1.variant (--topologies): the run has "direct", this command gives "gateway"',
      'trials (--trials): the run has 2, this command gives 3',
      'seed (--seed): the run has 42, this command gives 7',
    ]);
  });

  it('names nested profile settings by their path and lists go in one line', () => {
    const lines = describeDifferences(diffConfigs(recorded(), resolveRunConfig({ experiments: 'latency,fault', models: 'tabular,vad', topologies: 'monolith:single,microservices:direct', trials: '2', out: '/tmp/a', faultKinds: 'crash,hang' })));
    expect(lines).toContain('settings.fault.kinds (--fault-kinds): the run has [crash], this command gives [crash, hang]');
  });

  it('shows at most a dozen differences and says how many more there are', () => {
    const given = resolveRunConfig({ experiments: 'latency,fault', models: 'tabular,vad', topologies: 'monolith:single,microservices:direct', trials: '2', out: '/tmp/a', profile: 'standard' });
    const differences = diffConfigs(recorded(), given);
    const lines = describeDifferences(differences);
    expect(differences.length).toBeGreaterThan(12);
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('profile (--profile): the run has "quick", this command gives "standard"');
    expect(lines.at(-1)).toBe(`and ${differences.length - 12} more`);
  });

  it('reports a field only one side has as absent', () => {
    const old = recorded();
    delete old.gateway;
    const lines = describeDifferences(diffConfigs(old, resolveRunConfig({ experiments: 'latency,fault', models: 'tabular,vad', topologies: 'monolith:single,microservices:direct', trials: '2', out: '/tmp/a' })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gateway \(--gateway\): the run has \(absent\), this command gives \{"requested":"auto",/);
  });
});
