import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// A child process (ESM, so its eval'd workers are ESM too) loads a runtime's binding in worker A, lets A exit, then loads it in worker B;
// with `pin` its main thread loads the binding first, as WorkerBackend does.
const script = `
import { Worker } from 'node:worker_threads';
import { pinRuntimeBindings, resolveRuntime } from './dist/models/runtimes.js';
const [runtimeName, pin] = process.argv.slice(1);
const packageName = resolveRuntime(runtimeName).packageName;
if (pin === 'pin') pinRuntimeBindings([runtimeName]);
const body = "import { parentPort, workerData } from 'node:worker_threads'; import { createRequire } from 'node:module';" +
  "const req = createRequire(workerData.base);" +
  "try { req(workerData.packageName); parentPort.postMessage('ok'); } catch (e) { parentPort.postMessage(e.message.split('\\\\n')[0]); }";
const load = () => new Promise((resolve, reject) => {
  const worker = new Worker(body, { eval: true, workerData: { packageName, base: process.cwd() + '/package.json' } });
  worker.once('message', (message) => worker.terminate().then(() => resolve(message)));
  worker.once('error', reject);
});
const first = await load();
const second = await load();
console.log(JSON.stringify([first, second]));
process.exit(0);
`;

/** Runs the exit-then-load sequence in a fresh process and returns what each worker reported. */
async function loadTwiceInWorkers(runtimeName: string, pin: 'pin' | 'no-pin'): Promise<[string, string]> {
  const result = await execa('node', ['--input-type=module', '-e', script, runtimeName, pin], { cwd: root });
  return JSON.parse(result.stdout) as [string, string];
}

describe('runtime bindings in worker threads', () => {
  it('ort-1.22 cannot load in a second worker thread once the first that loaded it has exited (10 runs agree)', async () => {
    for (let run = 0; run < 10; run++) {
      const [first, second] = await loadTwiceInWorkers('ort-1.22', 'no-pin');
      expect(first).toBe('ok');
      expect(second).toMatch(/Module did not self-register/);
    }
  }, 120_000);

  it('ort-1.22 loads in every worker thread when the main thread pinned it first (10 runs agree)', async () => {
    for (let run = 0; run < 10; run++) expect(await loadTwiceInWorkers('ort-1.22', 'pin')).toEqual(['ok', 'ok']);
  }, 120_000);

  it('ort-1.30, which registers through napi_register_module_v1, reloads in a later worker without pinning', async () => {
    expect(await loadTwiceInWorkers('ort-1.30', 'no-pin')).toEqual(['ok', 'ok']);
  }, 60_000);
});
