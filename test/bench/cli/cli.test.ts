import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinModels } from '../../../models/catalog.js';
import { ROOT, ensureCompiled, isAlive, isListening, waitFor } from '../targets/local/helpers.js';

const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');

/** Runs the compiled CLI to completion. */
function runCli(args: string[]) {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout: 30_000 });
}

beforeAll(() => ensureCompiled(), 120_000);

describe('splitbench models', () => {
  it('lists every catalog model with version, size, inputs, SLO and class', async () => {
    const result = await runCli(['models']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^name\s+version\s+size\s+inputs\s+SLO ms\s+class/);
    for (const model of builtinModels()) expect(result.stdout).toContain(model.name);
    expect(result.stdout).toMatch(/vad \*\s+1\s+[\d.]+ MB\s+input FP32\[1,512\] sr INT64\[\]/);
  });

  it('prints JSON with --json', async () => {
    const result = await runCli(['models', '--json']);
    const rows = JSON.parse(result.stdout) as { name: string; sloMs: number; inputs: unknown[] }[];
    expect(rows.map((r) => r.name)).toEqual(builtinModels().map((m) => m.name));
    expect(rows[0]).toMatchObject({ name: 'vad', sloMs: 25, weightClass: 'light' });
  });
});

describe('usage errors exit 2 and say what was wrong', () => {
  it('names a typo in --variant and the allowed values', async () => {
    const result = await runCli(['serve', 'monolith', '--variant', 'gatway']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^splitbench: unknown --variant "gatway" for monolith; expected one of: single, workers/m);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('reports every unknown model and a bad variant at once', async () => {
    const result = await runCli(['serve', 'microservices', '--variant', 'single', '--models', 'vad,vda,ocr']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown --variant "single" for microservices; expected one of: direct, gateway/);
    expect(result.stderr).toMatch(/unknown models "vda", "ocr" in --models; expected one of: vad, ocr-cls/);
  });

  it('rejects an unknown topology, command and option', async () => {
    expect((await runCli(['serve', 'micro'])).stderr).toMatch(/unknown topology "micro"; expected one of: monolith, microservices/);
    expect((await runCli(['serve', 'micro'])).exitCode).toBe(2);
    expect((await runCli(['frobnicate'])).exitCode).toBe(2);
    expect((await runCli(['serve', 'monolith', '--bogus'])).stderr).toMatch(/^splitbench: unknown option '--bogus'/m);
  });

  it('exits 0 for --help', async () => {
    const result = await runCli(['serve', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/--variant/);
  });
});

describe('splitbench serve', () => {
  it('prints the endpoints, serves, and on Ctrl-C stops everything and exits 0', async () => {
    const serve = execa(process.execPath, [CLI, 'serve', 'microservices', '--variant', 'direct', '--models', 'vad,tabular', '--json'], { reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe' });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      serve.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      void serve.then(() => reject(new Error('serve exited before printing its endpoints')));
    });
    const info = JSON.parse(line) as { endpoints: Record<string, string>; processes: { pid: number; url: string }[] };
    expect(Object.keys(info.endpoints)).toEqual(['vad', 'tabular']);
    expect(info.endpoints.vad).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/models\/vad\/infer$/);
    const pids = info.processes.map((p) => p.pid);
    const ports = info.processes.map((p) => Number(new URL(p.url).port));
    expect((await fetch(`${info.processes[0]!.url}/v2/health/ready`)).status).toBe(200);
    serve.kill('SIGINT');
    const result = await serve;
    expect(result.exitCode).toBe(0);
    for (const pid of pids) expect(await waitFor(() => !isAlive(pid), 5000)).toBe(true);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  });

  it('prints a human table with the infer URL per model', async () => {
    const serve = execa(process.execPath, [CLI, 'serve', 'monolith', '--models', 'tabular', '--cpus', '1'], { reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe' });
    let text = '';
    serve.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await waitFor(() => text.includes('Ctrl-C to stop.'), 30_000)).toBe(true);
    expect(text).toMatch(/tabular\s+POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/tabular\/infer\s+monolith/);
    expect(text).toMatch(/monolith\s+pid \d+/);
    const pid = Number(/pid (\d+)/.exec(text)![1]);
    serve.kill('SIGINT');
    expect((await serve).exitCode).toBe(0);
    expect(await waitFor(() => !isAlive(pid), 5000)).toBe(true);
  });

  it('names an explicit --gateway node plainly, not as a fallback', async () => {
    const serve = execa(process.execPath, [CLI, 'serve', 'microservices', '--variant', 'gateway', '--gateway', 'node', '--models', 'tabular,vad'], { reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe', env: { SPLITBENCH_NGINX: '/nonexistent/nginx' } });
    let text = '';
    serve.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await waitFor(() => text.includes('Ctrl-C to stop.'), 30_000)).toBe(true);
    expect(text).toMatch(/^gateway: Node gateway$/m);
    expect(text).not.toMatch(/fallback/);
    serve.kill('SIGINT');
    expect((await serve).exitCode).toBe(0);
  });
});

/** Starts a run, waits until its stderr has a line matching `line`, then interrupts it; returns its stderr and exit code. */
async function startThenInterrupt(args: string[], line: RegExp, env: Record<string, string>): Promise<{ stderr: string; exitCode: number | undefined }> {
  const run = execa(process.execPath, [CLI, ...args], { reject: false, buffer: false, stdout: 'ignore', stderr: 'pipe', env, timeout: 120_000 });
  let stderr = '';
  run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => line.test(stderr), 60_000);
  run.kill('SIGINT');
  const result = await run;
  return { stderr, exitCode: result.exitCode };
}

describe('a run names its gateway when it starts', () => {
  const out = mkdtempSync(join(tmpdir(), 'splitbench-gateway-line-'));
  // nginx made missing (findNginx fails), no saved calibration: the run falls back to the Node gateway.
  const env = { SPLITBENCH_NGINX: '/nonexistent/nginx', SPLITBENCH_CALIBRATION: join(out, 'no-calibration.json') };
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('suite --profile quick (npm run bench) without nginx says the split side runs direct and why, after the plan line', async () => {
    const { stderr, exitCode } = await startThenInterrupt(['suite', '--profile', 'quick', '--out', join(out, 'suite')], /^split side: /m, env);
    expect(stderr).toMatch(/^splitbench: quick profile, about .* planned.*\nsplit side: direct, no gateway — nginx is not installed, .*Install nginx to include the gateway hop/m);
    expect(stderr).not.toMatch(/^gateway: /m);
    expect(exitCode).toBe(130);
  }, 120_000);

  it('run with an explicit --gateway node names it plainly, not as a fallback', async () => {
    const args = ['run', 'latency', '--profile', 'quick', '--models', 'tabular,vad', '--trials', '1', '--topologies', 'monolith:single,microservices:gateway', '--gateway', 'node', '--out', join(out, 'run')];
    const { stderr, exitCode } = await startThenInterrupt(args, /^gateway: /m, env);
    expect(stderr).toMatch(/^gateway: Node gateway$/m);
    expect(stderr).not.toMatch(/fallback/);
    expect(exitCode).toBe(130);
  }, 120_000);
});
