import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStoreDir } from '../../../../models/paths.js';
import { findSpecProblems, LocalTarget } from '../../../../bench/targets/local/local-target.js';
import type { RunningTopology } from '../../../../bench/targets/types.js';
import { findDescendants, readProcess, readProcessTree } from '../../../../bench/resources/proc-reader.js';
import { findNginx } from '../../../../serving/gateway/find-nginx.js';
import { FIXTURE_HARNESS, ROOT, isAlive, makeSpec, waitFor } from './helpers.js';

// The local target starts the nginx gateway like any server process: supervised, its nginx counted in
// its resources, stopped with it, and gone when the harness is SIGKILLed.
const NGINX = findNginx();
if (!NGINX) process.stdout.write('nginx gateway target tests skipped: nginx is not installed (apt-get install nginx)\n');

const running: RunningTopology[] = [];
const spec = () => makeSpec({ storeDir: defaultStoreDir(), models: ['vad', 'tabular'], serverGraceMs: 1000, gateway: 'nginx', adminToken: 'test-token' });

afterEach(async () => {
  await Promise.all(running.splice(0).map((topology) => topology.stop()));
});

/** One JSON inference of the tabular model; returns the HTTP status. */
async function inferTabular(url: string): Promise<number> {
  const response = await fetch(`${url}/v2/models/tabular/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 32], data: Array.from({ length: 32 }, () => 0.1) }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('gateway implementation in the spec', () => {
  it('rejects an unknown gateway implementation', () => {
    expect(findSpecProblems(makeSpec({ gateway: 'haproxy' as 'nginx' }))).toContainEqual(expect.stringMatching(/gateway "haproxy".*expected node or nginx/));
  });
});

describe.skipIf(!NGINX)('nginx gateway on the local target', () => {
  it('serves through nginx, records it, counts nginx in the gateway resources, switches routes and leaves nothing behind', async () => {
    const topology = await new LocalTarget({ stopGraceMs: 3000 }).start(spec(), { readyTimeoutMs: 60_000 });
    running.push(topology);
    expect(topology.fairness.gateway).toBe('nginx');
    const gateway = topology.processes().find((p) => p.name === 'gateway')!;
    const url = topology.endpoints().tabular!;
    expect(url).toBe(gateway.url);
    expect(await inferTabular(url)).toBe(200);

    const descendants = (await findDescendants([gateway.pid!])).get(gateway.pid!)!;
    expect(descendants.length).toBeGreaterThanOrEqual(2); // nginx master and its worker
    const alone = (await readProcess(gateway.pid!))!;
    const tree = (await readProcessTree(gateway.pid!, descendants))!;
    expect(tree.rssBytes).toBeGreaterThan(alone.rssBytes);

    // The rolling-deploy path: the gateway's admin route switch, through nginx.
    const service = topology.processes().find((p) => p.name === 'service:tabular')!;
    await topology.setRoute('tabular', service.url!);
    expect(await inferTabular(url)).toBe(200);

    await topology.stop();
    for (const pid of [gateway.pid!, ...descendants]) expect(await waitFor(() => !isAlive(pid), 5000), `pid ${pid} still alive`).toBe(true);
  }, 90_000);

  it('a SIGKILLed harness leaves no nginx process alive', async () => {
    const harness = execa(process.execPath, [FIXTURE_HARNESS, join(ROOT, 'dist/bench/targets/local/index.js'), JSON.stringify(spec()), '-'], { reject: false, buffer: false, stdout: 'pipe', stderr: 'inherit' });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      harness.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]!);
      });
      void harness.then(() => reject(new Error('harness exited before printing its pids')));
    });
    const { pids } = JSON.parse(line) as { pids: number[] };
    const all = [...pids, ...[...(await findDescendants(pids)).values()].flat()];
    expect(all.length).toBeGreaterThanOrEqual(pids.length + 2);
    harness.kill('SIGKILL');
    await harness;
    for (const pid of all) expect(await waitFor(() => !isAlive(pid), 8000), `pid ${pid} still alive`).toBe(true);
  }, 90_000);
});
