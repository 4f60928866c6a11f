import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunResultsSchema } from '../../../bench/results/schema.js';
import { HARNESS_ADMIN_TOKEN } from '../../../bench/experiments/topology-spec.js';
import { ensureCompiled, isAlive, waitFor } from '../targets/local/helpers.js';
import { CLI, collectRed, healthOf, readState, startLiveCli, TEST_MODELS, waitUntilServing, type LiveCli } from './live-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'splitbench-live-api-'));
const runDir = join(tmp, 'run');
let live: LiveCli;
const serverPids = new Set<number>();

/** POSTs/DELETEs JSON to the live API. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${live.url}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Health per topology and model, remembering every server PID seen (to check nothing is left at the end). */
async function health(): Promise<Record<string, Record<string, string>>> {
  const state = await readState(live.url);
  for (const t of state.topologies) for (const p of t.processes) if (p.pid !== null) serverPids.add(p.pid);
  return healthOf(state);
}

beforeAll(async () => {
  await ensureCompiled();
  live = await startLiveCli(runDir);
}, 180_000);

afterAll(async () => {
  if (live && isAlive(live.pid)) live.child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('splitbench live usage errors', () => {
  it('exits 2 naming the bad option, before starting anything', async () => {
    const models = await execa(process.execPath, [CLI, 'live', '--models', 'tabular,nope'], { reject: false, timeout: 30_000 });
    expect(models.exitCode).toBe(2);
    expect(models.stderr).toContain('"nope"');
    const twoMonoliths = await execa(process.execPath, [CLI, 'live', '--topologies', 'monolith:single,monolith:workers', '--rate-scale', '0'], { reject: false, timeout: 30_000 });
    expect(twoMonoliths.exitCode).toBe(2);
    expect(twoMonoliths.stderr).toContain('one of each');
    expect(twoMonoliths.stderr).toContain('--rate-scale');
  });
});

describe('splitbench live over HTTP (no page)', () => {
  it('binds 127.0.0.1 and reports both topologies, every model, CPUs and what they share — never an admin token', async () => {
    expect(live.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await waitUntilServing(health)).toBe(true);
    const text = await (await fetch(`${live.url}api/state`)).text();
    expect(text).not.toContain(HARNESS_ADMIN_TOKEN);
    const state = await readState(live.url);
    expect(state.topologies.map((t) => `${t.topology}/${t.variant}`)).toEqual(['monolith/workers', 'microservices/gateway']);
    for (const t of state.topologies) {
      expect(t.models.map((m) => m.model)).toEqual(TEST_MODELS);
      for (const m of t.models) expect(m.rateRps).toBeGreaterThan(0);
    }
    expect(state.shared.harnessPid).toBe(live.pid);
    expect(state.shared.machineCores).toBeGreaterThan(0);
  }, 120_000);

  it('refuses bad bodies with a 4xx JSON error naming the field, and control requests from a foreign origin', async () => {
    const badKind = await call('POST', 'api/faults', { topology: 'monolith', model: 'tabular', kind: 'meteor' });
    expect(badKind.status).toBe(400);
    expect(badKind.json.field).toBe('kind');
    expect(String(badKind.json.error)).toMatch(/kind.*crash/);
    const missing = await call('POST', 'api/redeploy', { topology: 'monolith', model: 'tabular' });
    expect(missing.status).toBe(400);
    expect(missing.json.field).toBe('strategy');
    const badTopology = await call('POST', 'api/faults', { topology: 'mainframe', model: 'tabular', kind: 'crash' });
    expect(badTopology.json.field).toBe('topology');
    const extra = await call('POST', 'api/faults', { topology: 'monolith', model: 'tabular', kind: 'crash', token: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.json.field).toBe('token');
    expect((await call('POST', 'api/faults', '{not json')).status).toBe(400);
    const unknownModel = await call('POST', 'api/faults', { topology: 'monolith', model: 'ocr-rec', kind: 'crash' });
    expect(unknownModel.status).toBe(404);
    expect(String(unknownModel.json.error)).toContain('tabular');
    const foreign = await call('POST', 'api/faults', { topology: 'monolith', model: 'tabular', kind: 'crash' }, { origin: 'http://workshop.example' });
    expect(foreign.status).toBe(403);
    expect(String(foreign.json.error)).toContain('workshop.example');
    expect((await call('DELETE', 'api/faults', undefined, { origin: 'http://workshop.example' })).status).toBe(403);
    expect((await call('GET', 'api/nothing')).status).toBe(404);
  });

  it('a crash in one model takes every monolith model down but only that microservice; disarm and recovery bring them back', async () => {
    expect(await waitUntilServing(health)).toBe(true);
    const armed = await call('POST', 'api/faults', { topology: 'both', model: 'tabular', kind: 'crash' });
    expect(armed.status).toBe(201);
    const allDown = (red: Record<string, Set<string>>) => TEST_MODELS.every((m) => red.monolith!.has(m)) && red.microservices!.has('tabular');
    const red = await collectRed(health, allDown, 30_000);
    expect(allDown(red)).toBe(true);
    // Keep watching while the crashed processes restart: the other microservices must stay up.
    const later = await collectRed(health, () => false, 4000);
    for (const model of TEST_MODELS.filter((m) => m !== 'tabular')) {
      expect(red.microservices!.has(model) || later.microservices!.has(model), `${model} in microservices went red`).toBe(false);
    }
    expect((await call('DELETE', 'api/faults')).status).toBe(200);
    expect(await waitUntilServing(health)).toBe(true);
    const state = await readState(live.url);
    for (const t of state.topologies) expect(t.modelsAffected === 0 || t.models.every((m) => m.health !== 'red')).toBe(true);
  }, 150_000);

  it('redeploys one model (rolling in microservices, recreate in the monolith) and records the start and end', async () => {
    const versionOf = async (topology: string): Promise<number> => (await readState(live.url)).topologies.find((t) => t.topology === topology)!.models.find((m) => m.model === 'vad')!.version;
    const idle = async (): Promise<boolean> => (await readState(live.url)).topologies.every((t) => t.busy === null);
    const rolling = await call('POST', 'api/redeploy', { topology: 'microservices', model: 'vad', strategy: 'rolling' });
    expect(rolling.status).toBe(202);
    expect((await call('POST', 'api/redeploy', { topology: 'microservices', model: 'vad', strategy: 'rolling' })).status).toBe(409);
    expect(await waitFor(async () => (await versionOf('microservices')) === 2 && (await idle()), 90_000, 250)).toBe(true);
    expect((await call('POST', 'api/redeploy', { topology: 'monolith', model: 'vad', strategy: 'recreate' })).status).toBe(202);
    expect(await waitFor(async () => (await versionOf('monolith')) === 3 && (await idle()), 90_000, 250)).toBe(true);
    expect(await waitUntilServing(health)).toBe(true);
    expect((await call('POST', 'api/reset')).status).toBe(200);
  }, 240_000);

  it('Ctrl-C saves the session as a run folder that `splitbench report` renders, and leaves no process', async () => {
    await health();
    live.child.kill('SIGINT');
    const result = await live.child;
    expect(result.exitCode).toBe(0);
    for (const pid of serverPids) expect(await waitFor(() => !isAlive(pid), 10_000), `server ${pid} still alive`).toBe(true);
    const results = RunResultsSchema.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    expect(results.live?.topologies.map((t) => t.topology)).toEqual(['monolith', 'microservices']);
    expect(results.live!.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['fault', 'disarm', 'redeploy-start', 'redeploy-end', 'reset']));
    const mono = results.live!.topologies[0]!.timeline;
    expect(mono.bins.tabular!.length).toBeGreaterThan(5);
    expect(mono.marks.some((m) => m.kind === 'inject')).toBe(true);
    const ends = results.live!.events.filter((e) => e.kind === 'redeploy-end');
    expect(ends.map((e) => e.topology)).toEqual(['microservices', 'monolith']);
    for (const end of ends) expect(end.label).not.toContain('failed');
    rmSync(join(runDir, 'report.html'));
    const report = await execa(process.execPath, [CLI, 'report', runDir], { reject: false });
    expect(report.exitCode).toBe(0);
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('Live session');
    expect(html).toMatch(/id="chart-live-monolith-workers"/);
    expect(existsSync(join(runDir, 'report.md'))).toBe(true);
  }, 60_000);
});
