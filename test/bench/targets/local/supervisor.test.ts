import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessStartError, Supervisor, withPort, type ProcessPlan } from '../../../../bench/targets/local/supervisor.js';
import { FIXTURE_SERVER, isAlive, isListening, portOf, waitFor } from './helpers.js';

const supervisors: Supervisor[] = [];

/** A supervisor that the test tears down afterwards. */
function makeSupervisor(options: Partial<ConstructorParameters<typeof Supervisor>[0]> = {}): Supervisor {
  const supervisor = new Supervisor({ restartPolicy: 'always', readyTimeoutMs: 5000, stopGraceMs: 1000, ...options });
  supervisors.push(supervisor);
  return supervisor;
}

/** A plan that runs the fixture as one service. */
function fixturePlan(model = 'vad', env: Record<string, string> = {}): ProcessPlan {
  return { name: `service:${model}`, entry: FIXTURE_SERVER, buildArgs: () => ['--host', '127.0.0.1', '--model', model], port: 0, models: [model], env };
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stopAll(500)));
});

describe('withPort', () => {
  it('replaces an existing --port and appends otherwise', () => {
    expect(withPort(['--a', '1', '--port', '5'], 7)).toEqual(['--a', '1', '--port', '7']);
    expect(withPort(['--a'], 0)).toEqual(['--a', '--port', '0']);
  });
});

describe('Supervisor', () => {
  it('starts a process, waits for its ready line, and stops it leaving no pid or port', async () => {
    const supervisor = makeSupervisor();
    const proc = await supervisor.start(fixturePlan());
    const pid = proc.pid!;
    const port = portOf(proc.url!);
    expect(isAlive(pid)).toBe(true);
    expect(await isListening(port)).toBe(true);
    const env = (await (await fetch(`${proc.url}/argv`)).json()) as { env: { SPLITBENCH_PARENT_PID: string } };
    expect(env.env.SPLITBENCH_PARENT_PID).toBe(String(process.pid));
    await supervisor.stop('service:vad');
    expect(await waitFor(() => !isAlive(pid), 3000)).toBe(true);
    expect(await isListening(port)).toBe(false);
    expect(supervisor.events.map((e) => e.type)).toEqual(['spawn', 'ready', 'stop']);
    expect(supervisor.events[2]).toMatchObject({ pid, code: 0 });
  });

  it('restarts a SIGKILLed process on the same port and logs exit, restart, spawn, ready', async () => {
    const supervisor = makeSupervisor();
    const proc = await supervisor.start(fixturePlan());
    const firstPid = proc.pid!;
    const url = proc.url;
    process.kill(firstPid, 'SIGKILL');
    expect(await waitFor(() => proc.state === 'ready' && proc.pid !== firstPid, 5000)).toBe(true);
    expect(proc.url).toBe(url);
    expect(proc.restarts).toBe(1);
    const types = supervisor.events.map((e) => e.type);
    expect(types).toEqual(['spawn', 'ready', 'exit', 'restart', 'spawn', 'ready']);
    const exit = supervisor.events[2]!;
    expect(exit).toMatchObject({ process: 'service:vad', pid: firstPid, signal: 'SIGKILL', code: null });
    const times = supervisor.events.map((e) => e.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('falls back to a new port when the old one is taken, and reports the new URL to onRestarted', async () => {
    const moved: { from: string | null; to: string | null }[] = [];
    const supervisor = makeSupervisor({ backoff: { initialMs: 300 }, onRestarted: (p, from) => void moved.push({ from, to: p.url }) });
    const proc = await supervisor.start(fixturePlan());
    const oldPort = portOf(proc.url!);
    const oldPid = proc.pid!;
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => !isAlive(oldPid), 2000, 5);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(oldPort, '127.0.0.1', resolve));
    try {
      expect(await waitFor(() => proc.state === 'ready' && proc.pid !== oldPid, 8000)).toBe(true);
      expect(portOf(proc.url!)).not.toBe(oldPort);
      expect(moved).toEqual([{ from: `http://127.0.0.1:${oldPort}`, to: proc.url }]);
      expect(supervisor.events.filter((e) => e.type === 'restart').length).toBeGreaterThanOrEqual(2);
    } finally {
      squatter.close();
    }
  });

  it('does not restart under policy never', async () => {
    const supervisor = makeSupervisor({ restartPolicy: 'never' });
    const proc = await supervisor.start(fixturePlan());
    process.kill(proc.pid!, 'SIGKILL');
    await waitFor(() => proc.state === 'exited', 3000);
    expect(proc.state).toBe('exited');
    expect(supervisor.events.map((e) => e.type)).toEqual(['spawn', 'ready', 'exit']);
  });

  it('kills a process that never prints its ready line and records ready-timeout', async () => {
    const supervisor = makeSupervisor({ readyTimeoutMs: 800 });
    const error = await supervisor.start(fixturePlan('vad', { FIXTURE_NEVER_READY: '1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect(String((error as Error).message)).toMatch(/no ready line within 800 ms/);
    const spawn = supervisor.events.find((e) => e.type === 'spawn')!;
    expect(supervisor.events.some((e) => e.type === 'ready-timeout')).toBe(true);
    expect(await waitFor(() => !isAlive(spawn.pid!), 3000)).toBe(true);
  });

  it('reports the stderr of a process that exits before ready', async () => {
    const supervisor = makeSupervisor();
    const error = await supervisor.start(fixturePlan('vad', { FIXTURE_FAIL: '1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as Error).message).toMatch(/exited before ready \(code 3/);
    expect((error as Error).message).toMatch(/failing on purpose/);
  });

  it('keeps every stderr line with its time and process in the log ring, also of a process that died', async () => {
    const supervisor = makeSupervisor();
    const before = Date.now();
    await supervisor.start(fixturePlan('vad', { FIXTURE_FAIL: '1' })).catch(() => undefined);
    const line = supervisor.stderrLog.find((l) => /failing on purpose/.test(l.line));
    expect(line).toMatchObject({ process: 'service:vad' });
    expect(line!.pid).toBeGreaterThan(0);
    expect(line!.atMs).toBeGreaterThanOrEqual(before - 1000);
  });

  it('SIGKILLs a process that ignores SIGTERM after the grace', async () => {
    const supervisor = makeSupervisor();
    const proc = await supervisor.start(fixturePlan('vad', { FIXTURE_IGNORE_SIGTERM: '1' }));
    const pid = proc.pid!;
    const started = Date.now();
    await supervisor.stop('service:vad', 400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.events.at(-1)).toMatchObject({ type: 'stop', signal: 'SIGKILL' });
  });

  it('restarts a process on request with its current plan on the same port', async () => {
    const supervisor = makeSupervisor();
    const proc = await supervisor.start(fixturePlan());
    const { pid, url } = proc;
    await supervisor.restart('service:vad');
    expect(proc.pid).not.toBe(pid);
    expect(proc.url).toBe(url);
    expect(isAlive(pid!)).toBe(false);
    expect(supervisor.events.map((e) => e.type)).toEqual(['spawn', 'ready', 'stop', 'restart', 'spawn', 'ready']);
  });
});
