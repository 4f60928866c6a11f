import { accessSync, constants, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import type { PinningReport } from '../types.js';

/** Absolute path of the taskset binary, or null when it is not installed. */
export function findTaskset(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, 'taskset');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Parses a kernel CPU list such as "0-3,6" into numbers. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',').filter(Boolean)) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    const end = to !== undefined && Number.isInteger(to) ? to : from;
    for (let cpu = from; cpu <= end; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** CPUs this process may run on (from /proc/self/status; falls back to 0..n-1). */
export function allowedCpus(): number[] {
  try {
    const match = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1]) return parseCpuList(match[1]);
  } catch {
    // not Linux
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

/** Chooses `count` CPUs for the servers, leaving the first one to the load generator when there is room. */
export function pickServerCpus(count: number): number[] {
  const allowed = allowedCpus();
  if (count >= allowed.length) return allowed;
  return allowed.slice(allowed.length - count);
}

/** Decides whether pinning to `cpus` can be applied here, and why not. */
export function planPinning(cpus: number[] | undefined): PinningReport & { taskset: string | null } {
  if (!cpus || cpus.length === 0) return { cpus: null, applied: false, reason: 'no CPU set requested', taskset: null };
  const allowed = new Set(allowedCpus());
  const invalid = cpus.filter((cpu) => !Number.isInteger(cpu) || !allowed.has(cpu));
  if (invalid.length > 0) {
    return { cpus, applied: false, reason: `CPU(s) ${invalid.join(',')} not available (allowed: ${[...allowed].join(',')})`, taskset: null };
  }
  const taskset = findTaskset();
  if (!taskset) return { cpus, applied: false, reason: 'taskset is not installed (util-linux)', taskset: null };
  return { cpus, applied: true, taskset };
}
