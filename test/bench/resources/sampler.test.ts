import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseStatCpuTicks, readProcess } from '../../../bench/resources/proc-reader.js';
import { computeCpuSecondsBetween, startResourceSampler } from '../../../bench/resources/sampler.js';
import { nowMs, sleep } from '../../../bench/clock.js';

// A child that idles, then on "go" allocates ~150 MB (touched) and burns 1.5 CPU-seconds (not wall
// seconds, so a busy machine cannot make it burn less), then idles.
const CHILD = `
process.stdin.once('data', () => {
  const keep = [];
  for (let i = 0; i < 150; i++) keep.push(Buffer.alloc(1 << 20, 1));
  globalThis.keep = keep;
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < 1_500_000) Math.sqrt(Math.random());
  process.stdout.write('done\\n');
});
setInterval(() => {}, 1000);
`;

describe('resource sampler', () => {
  it('sees a real child process use more memory and CPU, and survives its death', async () => {
    const child = execa(process.execPath, ['-e', CHILD], { stdin: 'pipe', stdout: 'pipe', reject: false });
    const pid = child.pid!;
    try {
      await sleep(300);
      const sampler = startResourceSampler(() => [{ label: 'child', pid }, { label: 'ghost', pid: 2 ** 22 + 12345 }], { intervalMs: 100 });
      await sleep(300);
      const before = nowMs();
      const idle = await readProcess(pid);
      child.stdin.write('go\n');
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const after = nowMs();
      await sleep(250);
      const busy = await readProcess(pid);
      expect(idle).not.toBeNull();
      expect(busy!.rssBytes - idle!.rssBytes).toBeGreaterThan(100 * 1024 * 1024);
      expect(busy!.cpuSeconds - idle!.cpuSeconds).toBeGreaterThan(1);

      child.kill('SIGKILL');
      await child;
      await sleep(250);
      const report = await sampler.stop();
      expect(report.processes.map((p) => p.label)).toEqual(['child']);
      const series = report.processes[0]!;
      expect(series.peakRssBytes).toBeGreaterThan(150 * 1024 * 1024);
      expect(series.cpuSeconds).toBeGreaterThan(1);
      expect(sampler.cpuSecondsBetween(before, after + 200)).toBeGreaterThan(1);
      expect(sampler.cpuSecondsBetween(after + 200, nowMs())).toBeLessThan(0.3);
      expect(report.totals.at(-1)?.processes).toBe(0);
      expect(report.peakTotalRssBytes).toBe(series.peakRssBytes);
      expect(report.cpuSeconds).toBeGreaterThan(1);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });

  it('returns null for a process that does not exist', async () => {
    expect(await readProcess(2 ** 22 + 54321)).toBeNull();
  });

  it('parses a stat line whose command name has spaces and parentheses', () => {
    const line = '1234 (my (weird) proc) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 1000000 200 ...';
    expect(parseStatCpuTicks(line)).toBe(300);
  });

  it('counts CPU of processes that restart (new pid) from zero inside the period', () => {
    const samples = [
      { atMs: 0, label: 'svc', pid: 1, rssBytes: 1, cpuSeconds: 10 },
      { atMs: 100, label: 'svc', pid: 1, rssBytes: 1, cpuSeconds: 11 },
      { atMs: 200, label: 'svc', pid: 2, rssBytes: 1, cpuSeconds: 0.5 },
      { atMs: 300, label: 'svc', pid: 2, rssBytes: 1, cpuSeconds: 1.5 },
    ];
    expect(computeCpuSecondsBetween(samples, 0, 300)).toBeCloseTo(1 + 1.5, 10);
    expect(computeCpuSecondsBetween(samples, 200, 300)).toBeCloseTo(1, 10);
  });
});
