import { describe, expect, it } from 'vitest';
import { RunResultsSchema } from '../../bench/results/schema.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { loadFullFixture } from './load-fixture.js';

/** The full fixture with mix shares on its mixed throughput results (one level drifted on the first). */
function withShares() {
  const results = loadFullFixture();
  const mixed = results.experiments.throughput!.results.filter((r) => r.model === 'mixed');
  mixed.forEach((result, i) => {
    result.plannedShares = { tabular: 0.5, vad: 0.5 };
    result.loadGenerator = 'mix-loop';
    for (const point of result.sweep) {
      const drift = i === 0 ? 0.1 : 0.001;
      point.shares = [
        { model: 'tabular', planned: 0.5, achieved: 0.5 + drift, requests: Math.round(1000 * (0.5 + drift)) },
        { model: 'vad', planned: 0.5, achieved: 0.5 - drift, requests: Math.round(1000 * (0.5 - drift)) },
      ];
      point.shareTolerance = 0.02;
    }
  });
  return RunResultsSchema.parse(JSON.parse(JSON.stringify(results)));
}

describe('throughput section: the mix kept', () => {
  it('shows each level\'s achieved share beside the planned one, with the tolerance', () => {
    const markdown = renderMarkdown(withShares());
    expect(markdown).toContain('Mix kept: achieved vs planned share of each model');
    expect(markdown).toMatch(/\| tabular 60% \(50%\), vad 40% \(50%\) \| ± 2\.0 pp \|/);
    expect(markdown).toMatch(/tabular 50\.1% \(50%\), vad 49\.9% \(50%\)/);
  });

  it('leaves the table out for results recorded before shares existed', () => {
    expect(renderMarkdown(loadFullFixture())).not.toContain('Mix kept');
  });
});
