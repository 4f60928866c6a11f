import { describe, expect, test } from 'vitest';
import { anyThresholdFailed, evaluateThresholds, parseThreshold, ThresholdSyntaxError } from '../../reports/thresholds.js';
import { medianOf } from '../../reports/format.js';
import { loadFullFixture } from './load-fixture.js';

const results = loadFullFixture();

/** Median p99 of a model in one topology/variant, read from the fixture itself. */
function fixtureP99(topology: string, variant: string, model: string): number {
  const values = (results.experiments.latency?.results ?? []).filter((r) => r.valid && r.topology === topology && r.variant === variant && r.model === model && r.scenario === 'mixed').flatMap((r) => (r.latency.p99Ms === null ? [] : [r.latency.p99Ms]));
  return medianOf(values) ?? Number.NaN;
}

describe('parseThreshold', () => {
  test('parses the documented forms', () => {
    expect(parseThreshold('microservices.vad.p99Ms<20')).toMatchObject({ topology: 'microservices', variant: null, model: 'vad', metric: 'p99Ms', operator: '<', limit: 20 });
    expect(parseThreshold('monolith.single.vad.p99Ms <= 50')).toMatchObject({ variant: 'single', operator: '<=', limit: 50 });
    expect(parseThreshold('monolith.blastRadius.crash<=1')).toMatchObject({ faultKind: 'crash', metric: 'blastRadius', experiment: 'fault' });
    expect(parseThreshold('footprint.monolith.idleRssBytes<500e6')).toMatchObject({ experiment: 'footprint', limit: 500e6 });
    expect(parseThreshold('microservices.maxRps>=100')).toMatchObject({ experiment: 'throughput', operator: '>=' });
  });

  test('a syntax error names what is wrong and what is allowed', () => {
    expect(() => parseThreshold('microservices.vad.p99Ms')).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold('microservices.vad.p99Ms')).toThrow(/< <= > >= ==/);
    expect(() => parseThreshold('microservices.vad.p99<20')).toThrow(/unknown metric "p99"; known metrics: .*p99Ms/);
    expect(() => parseThreshold('vad.p99Ms<20')).toThrow(/must name a topology: monolith or microservices/);
    expect(() => parseThreshold('monolith.vad.p99Ms<20ms')).toThrow(/"20ms" is not a number/);
    expect(() => parseThreshold('monolith.direct.vad.p99Ms<20')).toThrow(/variant "direct" belongs to microservices/);
    expect(() => parseThreshold('monolith.processesRestarted<2')).toThrow(/exists in redeploy and fault; prefix the experiment/);
  });
});

describe('evaluateThresholds', () => {
  test('a passing expression passes and a failing one fails, with the actual value', () => {
    const p99 = fixtureP99('microservices', 'direct', 'vad');
    const [pass, fail] = evaluateThresholds(results, [`microservices.direct.vad.p99Ms<${p99 * 2}`, `microservices.direct.vad.p99Ms<${p99 / 2}`]);
    expect(pass).toMatchObject({ passed: true, actual: p99 });
    expect(fail).toMatchObject({ passed: false, actual: p99 });
    expect(fail?.reason).toMatch(/fails </);
    expect(anyThresholdFailed([pass!])).toBe(false);
    expect(anyThresholdFailed([pass!, fail!])).toBe(true);
  });

  test('omitting the variant requires every variant to pass and reports the worst', () => {
    const worst = Math.max(fixtureP99('microservices', 'direct', 'vad'), fixtureP99('microservices', 'gateway', 'vad'));
    const [outcome] = evaluateThresholds(results, [`microservices.vad.p99Ms<=${worst}`]);
    expect(outcome).toMatchObject({ passed: true, actual: worst });
  });

  test('an unmeasured metric fails with the reason', () => {
    const noFault = loadFullFixture();
    delete noFault.experiments.fault;
    const [missing] = evaluateThresholds(noFault, ['monolith.blastRadius.crash<=1']);
    expect(missing).toMatchObject({ passed: false, actual: null });
    expect(missing?.reason).toMatch(/not measured: experiment "fault" was not run/);
    const [nullValue] = evaluateThresholds(results, ['monolith.ocr-det.p999Ms<1000']);
    expect(nullValue).toMatchObject({ passed: false, actual: null });
    expect(nullValue?.reason).toMatch(/not measured/);
    const [unknownModel] = evaluateThresholds(results, ['monolith.no-such-model.p99Ms<10']);
    expect(unknownModel?.reason).toMatch(/not measured: no latency result for monolith no-such-model/);
  });

  test('a syntax error throws instead of silently failing', () => {
    expect(() => evaluateThresholds(results, ['monolith.vad.p99Ms=<5'])).toThrow(ThresholdSyntaxError);
  });
});
