import { readProcess } from '../resources/proc-reader.js';

/** Per-second CPU meter of a group of processes (PIDs change across restarts: each is followed by PID). */
export class ProcessGroupCpu {
  private last = new Map<number, number>();
  private lastAtMs: number | null = null;

  /** Cores the listed processes used since the previous call (null on the first call). */
  async sample(pids: readonly number[], atMs: number): Promise<number | null> {
    const readings = await Promise.all(pids.map((pid) => readProcess(pid)));
    const now = new Map<number, number>();
    let used = 0;
    for (const reading of readings) {
      if (!reading) continue;
      now.set(reading.pid, reading.cpuSeconds);
      const before = this.last.get(reading.pid);
      // A process first seen now (a restart) counts from the next sample on.
      if (before !== undefined) used += reading.cpuSeconds - before;
    }
    const previousAtMs = this.lastAtMs;
    this.last = now;
    this.lastAtMs = atMs;
    if (previousAtMs === null || atMs <= previousAtMs) return null;
    return used / ((atMs - previousAtMs) / 1000);
  }
}

/** Per-second CPU meter of this (the harness) process. */
export class SelfCpu {
  private last = process.cpuUsage();
  private lastAtMs: number | null = null;

  /** Cores this process used since the previous call (null on the first call). */
  sample(atMs: number): number | null {
    const usage = process.cpuUsage(this.last);
    this.last = process.cpuUsage();
    const previousAtMs = this.lastAtMs;
    this.lastAtMs = atMs;
    if (previousAtMs === null || atMs <= previousAtMs) return null;
    return (usage.user + usage.system) / 1000 / (atMs - previousAtMs);
  }
}

/** Exponential moving average, so the page's CPU figures do not jump every second. */
export function smooth(previous: number | null, value: number | null, weight = 0.3): number | null {
  if (value === null) return previous;
  return previous === null ? value : previous + weight * (value - previous);
}
