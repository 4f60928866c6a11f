import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPidAlive } from './pid.js';

/**
 * Minimal cgroup v1 support (cpu quota + memory limit), the kind these machines allow as root.
 * Groups are nested under the harness's own cgroup, in `splitbench-<harness pid>/<name>`, so they
 * inherit whatever limits already apply to the harness.
 */

const ROOT = '/sys/fs/cgroup';
const CONTROLLERS = ['cpu', 'memory'] as const;
type Controller = (typeof CONTROLLERS)[number];

/** Limits for one group: CPUs (1.5 = 150 ms per 100 ms period) and bytes of memory. */
export interface CgroupLimits {
  cpuQuota?: number;
  memoryLimitBytes?: number;
}

/** Whether cgroup v1 can be used here, and why not. */
export type CgroupAvailability = { available: true } | { available: false; reason: string };

/** A created group; `addPid` moves a process in, `remove` deletes the group. */
export interface CgroupHandle {
  name: string;
  paths: string[];
  addPid(pid: number): void;
  /** OOM kills counted by the memory controller of this group (0 when unknown). */
  readOomKills(): number;
  remove(): void;
}

let cachedAvailability: CgroupAvailability | undefined;

/** Path of the harness's own cgroup in a v1 controller hierarchy ("/" when at the root). */
function ownCgroupPath(controller: Controller): string {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, path] = line.split(':');
      if (controllers !== undefined && path !== undefined && controllers.split(',').includes(controller)) return path;
    }
  } catch {
    // fall through to the root
  }
  return '/';
}

/** Folder that holds this harness's groups for one controller. */
function harnessDir(controller: Controller): string {
  return join(ROOT, controller, ownCgroupPath(controller), `splitbench-${process.pid}`);
}

/** True when a mount point is a cgroup v1 hierarchy (not cgroup2, not a plain folder). */
function isV1Mount(mountPoint: string): boolean {
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .some((line) => {
        const [, target, type] = line.split(' ');
        return target === mountPoint && type === 'cgroup';
      });
  } catch {
    return false;
  }
}

/** Checks (once) that the cpu and memory v1 hierarchies exist and that we can create groups. */
export function checkCgroupV1(): CgroupAvailability {
  if (cachedAvailability) return cachedAvailability;
  cachedAvailability = probeCgroupV1();
  return cachedAvailability;
}

/** The actual probe behind checkCgroupV1. */
function probeCgroupV1(): CgroupAvailability {
  if (process.platform !== 'linux') return { available: false, reason: `cgroups need Linux (this is ${process.platform})` };
  for (const controller of CONTROLLERS) {
    const mount = join(ROOT, controller);
    if (!isV1Mount(mount)) return { available: false, reason: `${mount} is not a cgroup v1 hierarchy (cgroup v2-only hosts are not supported)` };
    const control = controller === 'cpu' ? 'cpu.cfs_quota_us' : 'memory.limit_in_bytes';
    if (!existsSync(join(mount, control))) return { available: false, reason: `${mount} has no ${control}` };
    const probe = join(harnessDir(controller), `probe-${Date.now()}`);
    try {
      mkdirSync(probe, { recursive: true });
      rmdirSync(probe);
      removeHarnessDirs();
    } catch (error) {
      return { available: false, reason: `cannot create a cgroup under ${dirnameOf(probe)}: ${(error as Error).message} (run as root on a cgroup v1 host)` };
    }
  }
  return { available: true };
}

/** Parent folder of a path (tiny helper to avoid importing dirname twice). */
function dirnameOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** Creates a group with the given limits in every needed controller; throws when it cannot. */
export function createCgroup(name: string, limits: CgroupLimits): CgroupHandle {
  const safeName = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const paths: string[] = [];
  const memoryPath = limits.memoryLimitBytes !== undefined ? join(harnessDir('memory'), safeName) : null;
  const cpuPath = limits.cpuQuota !== undefined ? join(harnessDir('cpu'), safeName) : null;
  try {
    if (cpuPath && limits.cpuQuota !== undefined) {
      mkdirSync(cpuPath, { recursive: true });
      paths.push(cpuPath);
      const period = Number(readFileSync(join(cpuPath, 'cpu.cfs_period_us'), 'utf8').trim()) || 100_000;
      writeFileSync(join(cpuPath, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(period * limits.cpuQuota))));
    }
    if (memoryPath && limits.memoryLimitBytes !== undefined) {
      mkdirSync(memoryPath, { recursive: true });
      paths.push(memoryPath);
      writeFileSync(join(memoryPath, 'memory.limit_in_bytes'), String(limits.memoryLimitBytes));
      // Without a memsw limit the kernel would swap instead of OOM-killing; set it where it exists.
      const memsw = join(memoryPath, 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) {
        try {
          writeFileSync(memsw, String(limits.memoryLimitBytes));
        } catch {
          // swap accounting disabled: memory.limit_in_bytes alone applies
        }
      }
    }
  } catch (error) {
    removePaths(paths);
    throw new Error(`cannot set up cgroup ${safeName}: ${(error as Error).message}`);
  }
  return {
    name: safeName,
    paths,
    addPid(pid) {
      for (const path of paths) writeFileSync(join(path, 'cgroup.procs'), String(pid));
    },
    readOomKills() {
      if (!memoryPath) return 0;
      try {
        const match = /oom_kill (\d+)/.exec(readFileSync(join(memoryPath, 'memory.oom_control'), 'utf8'));
        return match?.[1] ? Number(match[1]) : 0;
      } catch {
        return 0;
      }
    },
    remove() {
      removePaths(paths);
      removeHarnessDirs();
    },
  };
}

/** Sleeps synchronously (cgroup removal runs in 'exit' handlers too, where nothing can be awaited). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes group folders; the kernel refuses while a dying process is still in them, so retry briefly. */
function removePaths(paths: string[]): void {
  for (const path of paths) {
    for (let attempt = 0; attempt < 20 && existsSync(path); attempt++) {
      try {
        rmdirSync(path);
      } catch {
        sleepSync(25);
      }
    }
  }
}

/** Removes this harness's `splitbench-<pid>` folders once they are empty. */
function removeHarnessDirs(): void {
  for (const controller of CONTROLLERS) {
    const dir = harnessDir(controller);
    try {
      if (existsSync(dir) && readdirSync(dir, { withFileTypes: true }).every((entry) => !entry.isDirectory())) rmdirSync(dir);
    } catch {
      // still in use by another group of this harness
    }
  }
}

/** Removes groups left by harnesses that died (SIGKILL) once their processes are gone. */
export function sweepStaleCgroups(): void {
  for (const controller of CONTROLLERS) {
    const parent = dirnameOf(harnessDir(controller));
    let entries: string[];
    try {
      entries = readdirSync(parent).filter((entry) => /^splitbench-\d+$/.test(entry));
    } catch {
      continue;
    }
    for (const entry of entries) {
      const pid = Number(entry.slice('splitbench-'.length));
      if (pid === process.pid || isPidAlive(pid)) continue;
      const dir = join(parent, entry);
      try {
        const groups = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
        for (const group of groups) {
          if (readFileSync(join(group, 'cgroup.procs'), 'utf8').trim() === '') rmdirSync(group);
        }
        rmdirSync(dir);
      } catch {
        // a process of the dead harness is still inside; a later sweep removes it
      }
    }
  }
}
