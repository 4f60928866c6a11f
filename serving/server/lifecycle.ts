const PARENT_POLL_MS = 250;
const MEMORY_POLL_MS = 100;

/** True while a process with that pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Exits at once (SIGKILL on itself, after `beforeExit` kills what it started) when SPLITBENCH_PARENT_PID is gone, so a killed harness leaves nothing behind. */
export function watchParent(beforeExit?: () => void): void {
  const pid = Number(process.env.SPLITBENCH_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const timer = setInterval(() => {
    if (isAlive(pid)) return;
    try {
      beforeExit?.();
    } finally {
      process.kill(process.pid, 'SIGKILL');
    }
  }, PARENT_POLL_MS);
  timer.unref();
}

/** SIGKILLs the process when its RSS goes over the limit, as an OOM killer would. */
export function watchMemory(limitBytes: number | undefined): void {
  if (!limitBytes) return;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > limitBytes) {
      process.stderr.write(`splitbench: rss ${rss} bytes is over --memory-limit-bytes ${limitBytes}; killing this process\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  }, MEMORY_POLL_MS);
  timer.unref();
}

let terminate: (() => void) | undefined;

/** Routes SIGTERM/SIGINT to the current shutdown handler (exit 0 at once before the server listens). */
export function handleTermination(): void {
  const onSignal = () => (terminate ? terminate() : process.exit(0));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Sets what SIGTERM/SIGINT do from now on. */
export function setTerminationHandler(handler: () => void): void {
  terminate = handler;
}
