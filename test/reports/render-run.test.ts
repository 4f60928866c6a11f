import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readResults } from '../../bench/results/read-results.js';
import { RunResultsSchema, type RunResults } from '../../bench/results/schema.js';
import { buildChartSets } from '../../reports/charts/build-charts.js';
import { writeRunReports } from '../../reports/render-run.js';
import { CLAIMS } from '../../reports/verdict.js';
import { FULL_FIXTURE, loadFullFixture } from './load-fixture.js';

const outDir = mkdtempSync(join(tmpdir(), 'splitbench-reports-'));
let results: RunResults;
let markdown = '';
let html = '';

beforeAll(async () => {
  results = readResults(FULL_FIXTURE);
  const { files } = await writeRunReports(results, outDir);
  expect(files.map((file) => file.slice(outDir.length + 1)).sort()).toEqual(['comparisons.csv', 'fault.csv', 'footprint.csv', 'latency.csv', 'redeploy.csv', 'report.html', 'report.md', 'throughput.csv'].sort());
  markdown = readFileSync(join(outDir, 'report.md'), 'utf8');
  html = readFileSync(join(outDir, 'report.html'), 'utf8');
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('full run report', () => {
  test('the fixture parses against the schema', () => {
    expect(RunResultsSchema.safeParse(JSON.parse(readFileSync(FULL_FIXTURE, 'utf8'))).success).toBe(true);
  });

  test('report.md leads with the verdict, one row per claim', () => {
    const verdictAt = markdown.indexOf('## Verdict');
    expect(verdictAt).toBeGreaterThan(0);
    expect(verdictAt).toBeLessThan(markdown.indexOf('## Latency'));
    const verdict = markdown.slice(verdictAt, markdown.indexOf('## ', verdictAt + 3));
    for (const { title } of CLAIMS) expect(verdict).toContain(`| ${title} |`);
    expect(verdict).toMatch(/Library freedom \| structural fact/);
    expect(verdict).not.toMatch(/Library freedom[^\n]*\d+(\.\d+)?×/);
  });

  test('report.md has every experiment section, environment and exact config', () => {
    for (const heading of ['## Latency', '## Throughput', '## Footprint and cost', '## Redeploy (update cost)', '## Fault isolation', '## Validity warnings', '## Environment and configuration']) expect(markdown).toContain(heading);
    expect(markdown).toContain(JSON.stringify(results.config, null, 2));
    expect(markdown).toContain('Price table used');
  });

  test('invalid results appear as invalid with their reasons, never as numbers', () => {
    const invalid = Object.values(results.experiments).flatMap((section) => (section?.results ?? []) as { valid: boolean; invalidReasons: string[] }[]).filter((result) => !result.valid);
    expect(invalid.length).toBeGreaterThan(0);
    for (const result of invalid) for (const reason of result.invalidReasons) expect(markdown).toContain(reason);
    expect(markdown).toMatch(/\| invalid \|/);
  });

  test('null values render as a dash with the notMeasured reason', () => {
    const reasons = (results.experiments.latency?.results ?? []).flatMap((result) => (result.valid ? Object.values(result.notMeasured) : []));
    expect(reasons.length).toBeGreaterThan(0);
    expect(markdown).toContain(`— (${reasons[0] ?? ''}`);
  });

  test('report.html is self-contained: verdict table first, no scripts or external resources', () => {
    expect(html.indexOf('id="verdict-table"')).toBeGreaterThan(0);
    expect(html.indexOf('id="verdict-table"')).toBeLessThan(html.indexOf('<figure'));
    expect(html).not.toMatch(/<script|<link |@import|url\((?!#)|src="http|href="http/i);
    for (const { title } of CLAIMS) expect(html).toContain(title);
    expect(html).toMatch(/class="tone-(monolith|microservices)"/);
  });

  test('report.html has every chart as an inline SVG', () => {
    const expected = [...buildChartSets(results).values()].flat().flatMap((set) => set.charts.map((chart) => chart.id));
    const figures = [...html.matchAll(/<figure class="chart" id="([^"]+)"/g)].map((match) => match[1]);
    expect(figures.sort()).toEqual([...expected].sort());
    expect((html.match(/<svg/g) ?? []).length).toBe(expected.length);
    for (const prefix of ['chart-latency-', 'chart-throughput-', 'chart-memory', 'chart-cost', 'chart-scaling-rss', 'chart-blast-', 'chart-fault-', 'chart-redeploy-']) {
      expect(figures.some((id) => id?.startsWith(prefix))).toBe(true);
    }
    expect(html).not.toContain('could not be rendered');
    expect(html.match(/How to read it:/g)?.length).toBe(expected.length);
  });

  test('CSV files carry one row per trial with units in the header', () => {
    const latencyCsv = readFileSync(join(outDir, 'latency.csv'), 'utf8').trim().split('\n');
    expect(latencyCsv[0]).toContain('p99_ms');
    expect(latencyCsv.length).toBe((results.experiments.latency?.results.length ?? 0) + 1);
    const comparisonsCsv = readFileSync(join(outDir, 'comparisons.csv'), 'utf8').trim().split('\n');
    expect(comparisonsCsv[0]).toContain('ratio_ci_low');
    expect(comparisonsCsv.length).toBeGreaterThan(1);
  });
});

describe('older or partial results', () => {
  test('schemaVersion 0 with missing experiments and optional fields renders not-measured marks', async () => {
    const full = loadFullFixture();
    const raw = JSON.parse(JSON.stringify(full)) as Record<string, unknown> & { experiments: Record<string, Record<string, unknown>> };
    raw.schemaVersion = 0;
    delete raw.calibration;
    delete raw.thresholds;
    delete raw.finishedAt;
    const latency = raw.experiments.latency as Record<string, unknown>;
    raw.experiments = { latency: { status: latency.status, startedAt: latency.startedAt, results: latency.results } };
    const old = readResults(writeTemp(raw));
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-old-'));
    try {
      await writeRunReports(old, dir);
      const oldMarkdown = readFileSync(join(dir, 'report.md'), 'utf8');
      const oldHtml = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(oldMarkdown).toContain('experiment `fault` not run');
      expect(oldMarkdown).toMatch(/Fault isolation: not measured/);
      expect(oldMarkdown).toMatch(/Latency of light models \| not measured: no comparison/);
      for (const title of ['Throughput', 'Footprint and cost', 'Redeploy (update cost)', 'Fault isolation']) expect(oldHtml).toContain(`${title}: not measured`);
      expect(oldHtml).toContain('<figure class="chart" id="chart-latency-vad"');
      expect(oldHtml).not.toContain('chart-fault-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('an experiment that failed shows why', async () => {
    const failed = loadFullFixture();
    failed.experiments = { throughput: { status: 'failed', error: 'autocannon could not connect', startedAt: failed.startedAt, results: [], comparisons: [], notes: [] } };
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-failed-'));
    try {
      await writeRunReports(failed, dir);
      const failedMarkdown = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(failedMarkdown).toContain('experiment `throughput` failed: autocannon could not connect');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Writes JSON to a temp file (inside the suite's temp folder, removed after the tests) and returns its path. */
function writeTemp(value: unknown): string {
  const file = join(mkdtempSync(join(outDir, 'json-')), 'results.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}
