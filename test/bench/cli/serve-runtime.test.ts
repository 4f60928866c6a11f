import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureCompiled } from '../targets/local/helpers.js';

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
