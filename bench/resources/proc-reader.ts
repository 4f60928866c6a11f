import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

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

/** Parses cutime + cstime (ticks of reaped children) from /proc/<pid>/stat. */
export function parseStatChildTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17 (after utime 14 and stime 15).
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return Number.isFinite(cutime) && Number.isFinite(cstime) ? cutime + cstime : 0;
}

/** Parses the parent pid (field 4) from /proc/<pid>/stat. */
export function parseStatParentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Every descendant pid of each root (children, grandchildren…), from one scan of /proc. */
export async function findDescendants(roots: readonly number[]): Promise<Map<number, number[]>> {
  const childrenOf = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  } catch {
    // not Linux: no descendants
  }
  await Promise.all(entries.map(async (entry) => {
    try {
      const ppid = parseStatParentPid(await readFile(`/proc/${entry}/stat`, 'utf8'));
      const list = childrenOf.get(ppid);
      if (list) list.push(Number(entry));
      else childrenOf.set(ppid, [Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }));
  const out = new Map<number, number[]>();
  for (const root of roots) {
    const found: number[] = [];
    const queue = [...(childrenOf.get(root) ?? [])];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      if (found.includes(pid) || pid === root) continue;
      found.push(pid);
      queue.push(...(childrenOf.get(pid) ?? []));
    }
    out.set(root, found);
  }
  return out;
}

/**
 * RSS and CPU of a process together with its descendants (e.g. the nginx gateway launcher with nginx's
 * master and worker): RSS summed over the live ones; CPU = utime + stime + cutime + cstime of each live
 * one, so a descendant that exited and was reaped inside the tree (an nginx worker replaced by a reload)
 * keeps counting through its parent. Null when the root has vanished.
 */
export async function readProcessTree(pid: number, descendants: readonly number[]): Promise<ProcReading | null> {
  const readOne = async (member: number) => {
    try {
      const [stat, status] = await Promise.all([readFile(`/proc/${member}/stat`, 'utf8'), readFile(`/proc/${member}/status`, 'utf8')]);
      return { rssBytes: parseStatusRssBytes(status), ticks: parseStatCpuTicks(stat) + parseStatChildTicks(stat) };
    } catch {
      return null;
    }
  };
  const [root, ...rest] = await Promise.all([pid, ...descendants].map(readOne));
  if (!root) return null;
  const live = [root, ...rest.filter((r): r is NonNullable<typeof r> => r !== null)];
  return { pid, rssBytes: live.reduce((sum, r) => sum + r.rssBytes, 0), cpuSeconds: live.reduce((sum, r) => sum + r.ticks, 0) / readClockTicks() };
}
