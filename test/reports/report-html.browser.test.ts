import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { readResults } from '../../bench/results/read-results.js';
import { writeRunReports } from '../../reports/render-run.js';
import { FULL_FIXTURE } from './load-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping report-html browser test: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('report.html in a headless browser', () => {
  test('opens offline from disk, every chart renders with a size, screenshot saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-browser-'));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      await writeRunReports(readResults(FULL_FIXTURE), dir);
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const blocked: string[] = [];
      await page.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
      const charts = await page.$$eval('figure.chart', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
      );
      expect(charts.length).toBeGreaterThan(10);
      for (const chart of charts) {
        expect(chart.width, chart.id).toBeGreaterThan(0);
        expect(chart.height, chart.id).toBeGreaterThan(0);
      }
      expect(await page.locator('#verdict-table').isVisible()).toBe(true);
      expect(blocked).toEqual([]);
      const out = resolve('test-results');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, 'report-top.png') });
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
