import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** One reading of a process from /proc. */
export interface ProcReading {
  pid: number;
  rssBytes: number;
  /** utime + stime since the process started, in seconds. */
  cpuSeconds: number;
}

let clockTicks: number | null = null;

/** Kernel clock ticks per second (`getconf CLK_TCK`, read once; 100 on Linux when getconf is missing). */
export function readClockTicks(): number {
  if (clockTicks !== null) return clockTicks;
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}

/** Parses utime + stime (ticks) from /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parseStatCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) " the fields start at `state` (field 3); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat line: ${stat.slice(0, 120)}`);
  return utime + stime;
}

/** Parses VmRSS (kB) from /proc/<pid>/status into bytes; 0 for a zombie, which has no VmRSS line. */
export function parseStatusRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

/** Reads RSS and CPU time of a process; null when it has vanished (or is not ours to read). */
export async function readProcess(pid: number): Promise<ProcReading | null> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    return { pid, rssBytes: parseStatusRssBytes(status), cpuSeconds: parseStatCpuTicks(stat) / readClockTicks() };
  } catch {
    return null;
  }
}
