import { describe, expect, it } from 'vitest';
import { ConfigError, resolveRunConfig } from '../../../bench/config/run-config.js';

describe('run config', () => {
  it('resolves the quick profile with the headline pair and the default models, standard with all four variants', () => {
    const config = resolveRunConfig({ experiments: 'latency,throughput' });
    expect(config.profile).toBe('quick');
    expect(config.experiments).toEqual(['latency', 'throughput']);
    expect(config.variants.map((v) => `${v.topology}:${v.variant}`)).toEqual(['monolith:workers', 'microservices:gateway']);
    expect(config.trials).toBeGreaterThanOrEqual(4);
    expect(resolveRunConfig({ experiments: 'latency', profile: 'standard' }).variants).toHaveLength(4);
    expect(config.models).toContain('vad');
  });

  it('reports every problem at once, each naming what is allowed', () => {
    try {
      resolveRunConfig({ experiments: 'latncy,fault', profile: 'quik', models: 'vad,nope', topologies: 'mono', trials: '0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/--profile: "quik".*quick, standard, full/);
      expect(problems).toMatch(/"latncy" unknown; expected .*latency/);
      expect(problems).toMatch(/"nope" not in the catalog/);
      expect(problems).toMatch(/"mono" is not a topology/);
      expect(problems).toMatch(/--trials: expected a whole number/);
    }
  });

  it('refuses a run with nothing to compare', () => {
    expect(() => resolveRunConfig({ experiments: 'latency', topologies: 'monolith' })).toThrow(/at least one monolith and one microservices/);
  });

  it('takes the user price table over the example defaults and records where it came from', () => {
    const config = resolveRunConfig({ experiments: 'footprint', priceVcpuHour: '0.1', priceGibHour: '0.01' });
    expect(config.settings.footprint.price).toMatchObject({ usdPerVcpuHour: 0.1, usdPerGibHour: 0.01, source: expect.stringMatching(/user-supplied/) });
  });

  it('narrows the fault experiment to the kinds and target models asked for, refusing ones it does not know', () => {
    const config = resolveRunConfig({ experiments: 'fault', profile: 'standard', models: 'vad,tabular,ocr-cls', faultKinds: 'hang, crash', faultModels: 'vad,tabular' });
    expect(config.settings.fault.kinds).toEqual(['hang', 'crash']);
    expect(config.settings.fault.targetModels).toEqual(['vad', 'tabular']);
    try {
      resolveRunConfig({ experiments: 'fault', models: 'vad,tabular', faultKinds: 'crash,meltdown', faultModels: 'ocr-det' });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/--fault-kinds: expected a comma-separated list of crash, exception, .*received "crash,meltdown"/);
      expect(problems).toMatch(/--fault-models: expected models of this run \(vad, tabular\), received "ocr-det"/);
    }
  });
});
