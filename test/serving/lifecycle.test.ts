import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { admin, infer, TOKEN } from './support/requests.js';
import { entry, isAlive, startServer, waitFor, type RunningServer } from './support/servers.js';

// Graceful SIGTERM, the parent-death watch and command-line errors, on real processes.
const started: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

describe('server lifecycle', () => {
  it('SIGTERM finishes in-flight requests, refuses new ones and exits 0', async () => {
    const server = await startServer('microservices/service', ['--model', 'tabular', '--admin-token', TOKEN, '--faults']);
    started.push(server);
    await admin(`${server.url}/admin/faults`, 'POST', { model: 'tabular', kind: 'slow', ms: 600 });
    const inFlight = infer(server.url, 'tabular');
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(server.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(infer(server.url, 'tabular', 'json', 1, 2000)).rejects.toThrow();
    expect((await inFlight).status).toBe(200);
    const result = await server.process;
    expect(result.exitCode).toBe(0);
  });

  it('SIGTERM with a hung request exits 0 after the grace period', async () => {
    const server = await startServer('microservices/service', ['--model', 'tabular', '--admin-token', TOKEN, '--faults', '--grace-ms', '300']);
    started.push(server);
    await admin(`${server.url}/admin/faults`, 'POST', { model: 'tabular', kind: 'hang' });
    const hung = infer(server.url, 'tabular', 'json', 1, 5000).catch(() => 'failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopAt = performance.now();
    process.kill(server.pid, 'SIGTERM');
    expect((await server.process).exitCode).toBe(0);
    expect(performance.now() - stopAt).toBeLessThan(2000);
    expect(await hung).toBe('failed');
  });

  it('exits within about a second when its SPLITBENCH_PARENT_PID process dies', async () => {
    const parent = execa('sleep', ['60'], { reject: false });
    const servers = await Promise.all([
      startServer('microservices/service', ['--model', 'tabular'], { SPLITBENCH_PARENT_PID: String(parent.pid) }),
      startServer('monolith/main', ['--models', 'tabular', '--variant', 'workers'], { SPLITBENCH_PARENT_PID: String(parent.pid) }),
      startServer('microservices/gateway', [], { SPLITBENCH_PARENT_PID: String(parent.pid) }),
    ]);
    started.push(...servers);
    parent.kill('SIGKILL');
    await parent;
    const killedAt = performance.now();
    expect(await waitFor(() => servers.every((server) => !isAlive(server.pid)), 3000, 20)).toBe(true);
    expect(performance.now() - killedAt).toBeLessThan(1200);
  });

  it.each([
    [['--port', 'abc'], /--port expects an integer from 0 to 65535; got "abc"/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--variant', 'triple'], /--variant expects single or workers/],
    [['--models', 'vad,nope'], /--models: unknown model "nope"/],
    [['--faults'], /--faults needs --admin-token/],
    [['--version', 'vad'], /--version expects name=value/],
  ])('bad flags %j exit 2 with a message and no stack trace', async (args, message) => {
    const result = await execa('node', [entry('monolith/main'), ...args], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('service and gateway reject bad flags too', async () => {
    const service = await execa('node', [entry('microservices/service')], { reject: false });
    expect(service.exitCode).toBe(2);
    expect(service.stderr).toMatch(/--model is required/);
    const gateway = await execa('node', [entry('microservices/gateway'), '--route', 'vad=ftp://x'], { reject: false });
    expect(gateway.exitCode).toBe(2);
    expect(gateway.stderr).toMatch(/--route: upstream ftp:\/\/x must be http/);
  });
});
