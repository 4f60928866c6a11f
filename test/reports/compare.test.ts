import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { compareRuns, writeComparison } from '../../reports/compare.js';
import { loadFullFixture } from './load-fixture.js';

test('compare lists before, after and ratio, flags a significant regression', async () => {
  const before = loadFullFixture();
  const after = loadFullFixture();
  after.runId = 'after-run';
  for (const result of after.experiments.latency?.results ?? []) {
    if (result.model === 'vad' && result.latency.p99Ms !== null) result.latency.p99Ms *= 3;
  }
  const comparison = compareRuns(before, after);
  const vad = comparison.metrics.find((change) => change.key.startsWith('latency|p99Ms|microservices|direct|vad|'));
  expect(vad).toBeDefined();
  expect(vad?.ratio).toBeCloseTo(3, 5);
  expect(vad?.verdict).toBe('worse');
  const unchanged = comparison.metrics.find((change) => change.key.startsWith('latency|p50Ms|microservices|direct|vad|'));
  expect(unchanged?.verdict).toBe('no significant change');
  expect(comparison.claims.length).toBeGreaterThan(0);

  const dir = mkdtempSync(join(tmpdir(), 'splitbench-compare-'));
  try {
    const { files } = await writeComparison(before, after, dir);
    expect(files.map((file) => file.slice(dir.length + 1))).toEqual(['compare.md', 'compare.html']);
    const markdown = readFileSync(join(dir, 'compare.md'), 'utf8');
    expect(markdown).toMatch(/\| experiment \| metric \| configuration \| before \| after \| ratio after ÷ before \[95% CI\] \| p \| change \|/);
    expect(markdown).toContain('| worse |');
    expect(readFileSync(join(dir, 'compare.html'), 'utf8')).toContain('id="compare-metrics"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare says "not enough trials" when a run has too few', () => {
  const before = loadFullFixture();
  const after = loadFullFixture();
  for (const section of [before, after]) {
    const latency = section.experiments.latency;
    if (latency) latency.results = latency.results.filter((result) => result.trial === 0);
  }
  const change = compareRuns(before, after).metrics.find((entry) => entry.key.startsWith('latency|p99Ms|monolith|single|vad|'));
  expect(change?.verdict).toBe('not enough trials');
  expect(change?.before).not.toBeNull();
});
