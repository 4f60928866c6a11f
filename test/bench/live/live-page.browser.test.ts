import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCompiled, isAlive, ROOT, waitFor } from '../targets/local/helpers.js';
import { startLiveCli, TEST_MODELS, type LiveCli } from './live-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the live page browser test: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);

// Made only when the test runs: a skipped file runs no hooks, so a folder made here would be left behind.
let tmp = '';
/** Where the crash screenshot goes (docs/live-crash.png is a copy of it, checked by eye). */
const SCREENSHOT = join(ROOT, 'test-results', 'live-crash.png');
let live: LiveCli;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];

/** Health shown by every tile, per topology and model. */
async function tiles(): Promise<Record<string, Record<string, string>>> {
  const cells = await page.$$eval('.cell', (els) => els.map((el) => ({ topology: el.getAttribute('data-topology')!, model: el.getAttribute('data-model')!, health: el.querySelector('.tile')!.getAttribute('data-health')! })));
  const out: Record<string, Record<string, string>> = {};
  for (const c of cells) (out[c.topology] ??= {})[c.model] = c.health;
  return out;
}

/** True when every tile shows a serving model (green, or amber on a slow shared machine). */
async function allServing(): Promise<boolean> {
  const now = await tiles();
  const values = Object.values(now).flatMap((models) => Object.values(models));
  return values.length === TEST_MODELS.length * 2 && values.every((h) => h === 'green' || h === 'amber');
}

/** Smallest number of seconds drawn by any chart. */
async function fewestPoints(): Promise<number> {
  const points = await page.$$eval('.chart', (els) => els.map((el) => Number(el.getAttribute('data-points') ?? 0)));
  return points.length === 0 ? 0 : Math.min(...points);
}

beforeAll(async () => {
  if (!hasChromium) return;
  tmp = mkdtempSync(join(tmpdir(), 'splitbench-live-page-'));
  await ensureCompiled();
  live = await startLiveCli(join(tmp, 'run'));
  context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1150 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Record every request the page makes; anything not for our server is refused (and fails the test below).
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(live.url) ? route.continue() : route.abort();
  });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (live && isAlive(live.pid)) {
    live.child.kill('SIGINT');
    await live.child;
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!hasChromium)('the live page in a headless browser', () => {
  it('loads with no request leaving 127.0.0.1, and its charts draw points within seconds', async () => {
    await page.goto(live.url, { waitUntil: 'load' });
    expect(await waitFor(async () => (await page.locator('.cell').count()) === TEST_MODELS.length * 2, 15_000, 100)).toBe(true);
    expect(await waitFor(async () => (await fewestPoints()) >= 2, 30_000, 250)).toBe(true);
    expect(requests.length).toBeGreaterThan(3);
    for (const url of requests) expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(await page.content()).not.toContain('splitbench-harness');
  }, 60_000);

  it('one click on crash turns every monolith model red and only that microservice; disarm and recovery bring them back', async () => {
    expect(await waitFor(allServing, 90_000, 250)).toBe(true);
    // Let the charts fill a little (they keep accumulating seconds), so the screenshot shows a before and an after.
    expect(await waitFor(async () => (await fewestPoints()) >= 12, 60_000, 250)).toBe(true);
    await page.click('.rowhead[data-model="tabular"] button[data-action="fault"][data-kind="crash"]');
    const clickedAt = Date.now();
    const red: Record<string, Set<string>> = { monolith: new Set(), microservices: new Set() };
    // A first screenshot as soon as the monolith is all red, a better one once the error bins have landed (if it still is).
    let shot = false;
    let lateShot = false;
    const watch = async (until: () => boolean, timeoutMs: number): Promise<boolean> =>
      waitFor(async () => {
        for (const [topology, models] of Object.entries(await tiles())) for (const [model, health] of Object.entries(models)) if (health === 'red') red[topology]!.add(model);
        const now = await tiles();
        const monolithDown = Object.values(now.monolith!).every((h) => h === 'red');
        if (monolithDown && (!shot || (!lateShot && Date.now() - clickedAt > 2500))) {
          mkdirSync(join(ROOT, 'test-results'), { recursive: true });
          await page.screenshot({ path: SCREENSHOT, fullPage: true });
          lateShot = shot;
          shot = true;
        }
        return until();
      }, timeoutMs, 150);
    const allDown = (): boolean => TEST_MODELS.every((m) => red.monolith!.has(m)) && red.microservices!.has('tabular');
    expect(await watch(allDown, 30_000)).toBe(true);
    await watch(() => false, 4000);
    for (const model of TEST_MODELS.filter((m) => m !== 'tabular')) expect(red.microservices!.has(model), `${model} in microservices went red`).toBe(false);
    expect(shot).toBe(true);
    expect(await page.locator('.affected[data-topology="monolith"]').textContent()).toMatch(/models affected/);
    await page.click('#disarm');
    expect(await waitFor(allServing, 90_000, 250)).toBe(true);
  }, 180_000);

  it('a reloaded page shows the session so far: charts and the event log', async () => {
    const before = await fewestPoints();
    await page.reload({ waitUntil: 'load' });
    expect(await waitFor(async () => (await fewestPoints()) >= before, 10_000, 100)).toBe(true);
    const log = await page.locator('#log').textContent();
    expect(log).toContain('crash in tabular');
    expect(log).toContain('faults disarmed');
    for (const url of requests) expect(new URL(url).hostname).toBe('127.0.0.1');
  }, 60_000);

  it('the Save button writes the run folder', async () => {
    await page.click('#save');
    expect(await waitFor(() => existsSync(join(live.runDir, 'results.json')) && existsSync(join(live.runDir, 'report.html')), 30_000, 200)).toBe(true);
    if (process.env.SPLITBENCH_UPDATE_SCREENSHOT) copyFileSync(SCREENSHOT, join(ROOT, 'docs', 'live-crash.png'));
  }, 60_000);
});
