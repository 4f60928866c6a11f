import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readResults } from '../../bench/results/read-results.js';
import type { RunResults } from '../../bench/results/schema.js';
import { writeRunReports } from '../../reports/render-run.js';
import { buildVerdict, CLAIMS } from '../../reports/verdict.js';

// results.json of a real `npm run bench` (quick suite) on the 2-core development machine.
const RECORDED = fileURLToPath(new URL('./fixtures/results-recorded.json', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'splitbench-recorded-'));
let results: RunResults;
let markdown = '';
let html = '';

beforeAll(async () => {
  results = readResults(RECORDED);
  await writeRunReports(results, outDir);
  markdown = readFileSync(join(outDir, 'report.md'), 'utf8');
  html = readFileSync(join(outDir, 'report.html'), 'utf8');
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('report of a recorded real run', () => {
  test('every experiment of the suite is present and complete', () => {
    expect(Object.keys(results.experiments).sort()).toEqual(['fault', 'footprint', 'latency', 'redeploy', 'throughput']);
    for (const section of Object.values(results.experiments)) expect(section?.status).toBe('complete');
  });

  test('the verdict has a row per claim, and measured rows carry both sides and a ratio', () => {
    const rows = buildVerdict(results);
    expect(rows.map((r) => r.claim)).toEqual(CLAIMS.map((c) => c.claim));
    for (const claim of ['cost', 'memory', 'latency-light', 'latency-heavy', 'throughput', 'fault-isolation', 'update-cost', 'startup'] as const) {
      const row = rows.find((r) => r.claim === claim)!;
      expect(row.status, claim).toBe('measured');
      expect(row.headline!.monolith.median, claim).not.toBeNull();
      expect(row.headline!.microservices.median, claim).not.toBeNull();
    }
    for (const { title } of CLAIMS) expect(markdown).toContain(`| ${title} |`);
  });

  test('renders a chart for every experiment and shows invalid results as invalid, never as a number', () => {
    for (const prefix of ['chart-latency-', 'chart-throughput-', 'chart-memory', 'chart-cost', 'chart-scaling-rss', 'chart-fault-', 'chart-redeploy-']) expect(html, prefix).toContain(`id="${prefix}`);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const invalid = results.experiments.latency!.results.filter((r) => !r.valid);
    if (invalid.length > 0) expect(markdown).toMatch(/invalid/i);
  });
});
