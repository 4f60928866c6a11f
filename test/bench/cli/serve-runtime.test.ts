import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureCompiled, readFirstLine } from '../targets/local/helpers.js';

const CLI = join(ROOT, 'dist', 'bench', 'cli', 'main.js');

/** Runs the compiled CLI to completion (a refused start ends on its own). */
function runCli(args: string[]) {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout: 90_000 });
}

beforeAll(() => ensureCompiled(), 120_000);

describe('serve --runtime', () => {
  it('exits 2 naming the model and the runtime when the monolith\'s runtime cannot load one of its models', async () => {
    const result = await runCli(['serve', 'monolith', '--models', 'tabular,rms-norm', '--runtime', 'ort-1.17']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^splitbench: monolith refused to start: --runtime ort-1\.17: model "rms-norm" .*failed to load on runtime ort-1\.17: .*Unsupported model IR version/m);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 100_000);

  it('exits 2 naming the service whose model the runtime cannot load in microservices', async () => {
    const result = await runCli(['serve', 'microservices', '--variant', 'direct', '--models', 'rms-norm', '--runtime', 'ort-1.22']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/service:rms-norm refused to start: --runtime ort-1\.22: model "rms-norm" .*failed to load on runtime ort-1\.22/);
  }, 100_000);

  it('exits 2, not a native abort, when a worker thread of the monolith cannot load its model on 1.22', async () => {
    const result = await runCli(['serve', 'monolith', '--variant', 'workers', '--models', 'tabular,rms-norm', '--runtime', 'ort-1.22']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/monolith refused to start: --runtime ort-1\.22: model "rms-norm"/);
  }, 100_000);

  it('rejects an unknown runtime name with the list of shipped ones', async () => {
    const result = await runCli(['serve', 'monolith', '--runtime', 'ort-0.1']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--runtime: unknown runtime "ort-0\.1"; expected one of: ort-1\.17, ort-1\.22, ort-1\.30/);
  }, 30_000);
});

describe('serve --layout', () => {
  it('exits 2 listing every problem of a layout at once, and refuses a topology given beside it', async () => {
    const result = await runCli(['serve', 'monolith', '--layout', 'light=vad,tabular; cls=ocr-cls x2; rec=ocr-rec x0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--layout gives the grouping itself: leave out the topology argument and --variant/);
    expect(result.stderr).toMatch(/--layout: .*"cls" with several replicas: expected a gateway/);
    expect(result.stderr).toMatch(/--layout: group "rec": replicas expected an integer ≥ 1, received 0/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 30_000);

  it('serves a mixed layout: the shared group, both replicas and the gateway, every model answering through it', async () => {
    const child = execa(process.execPath, [CLI, 'serve', '--layout', 'light=vad,tabular; cls=ocr-cls x2 +gateway=node', '--json'], { reject: false, timeout: 90_000 });
    const described = readFirstLine(child, 'serve --layout').then((line) => JSON.parse(line) as { endpoints: Record<string, string>; processes: { name: string }[] });
    try {
      const topology = await described;
      expect(topology.processes.map((p) => p.name).sort()).toEqual(['gateway', 'service:cls', 'service:cls@2', 'service:light']);
      const body = JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 32], data: new Array(32).fill(0.1) }] });
      const response = await fetch(topology.endpoints.tabular!, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(200);
      expect(new Set(Object.values(topology.endpoints).map((url) => new URL(url).port)).size).toBe(1);
    } finally {
      child.kill('SIGINT');
      await child;
    }
    expect(child.exitCode).toBe(0);
  }, 100_000);
});
