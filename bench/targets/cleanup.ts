/**
 * Cleanup registry: everything that owns processes or cgroups registers here, so that normal exit,
 * Ctrl-C, SIGTERM and crashes of the harness stop it all before the harness goes away.
 */

/** Something to tear down: `stop` is the graceful path, `stopSync` the last resort at process exit. */
export interface Cleanable {
  stop(): Promise<void>;
  /** Synchronous SIGKILL of everything still alive and removal of cgroups (used in 'exit'). */
  stopSync(): void;
}

/** Exit codes used when a signal or a crash ends the harness. */
export interface CleanupHandlerOptions {
  /** Exit code after SIGINT (default 130; `serve` uses 0). */
  interruptExitCode?: number;
  /** Upper bound for the graceful stops before everything is SIGKILLed (ms). */
  timeoutMs?: number;
  /** Called with a short message when cleanup starts because of a signal or crash. */
  onShutdown?: (reason: string) => void;
}

const registry = new Set<Cleanable>();
let exitHookInstalled = false;
let handlersInstalled = false;
let shuttingDown = false;
let handlerOptions: Required<Omit<CleanupHandlerOptions, 'onShutdown'>> & Pick<CleanupHandlerOptions, 'onShutdown'> = {
  interruptExitCode: 130,
  timeoutMs: 10_000,
};

/** Adds an item to the registry; returns the function that removes it again. */
export function registerCleanup(item: Cleanable): () => void {
  installExitHook();
  registry.add(item);
  return () => {
    registry.delete(item);
  };
}

/** Number of registered items (for tests and diagnostics). */
export function countRegistered(): number {
  return registry.size;
}

/** Stops every registered item gracefully, bounded by `timeoutMs`, then SIGKILLs what is left. */
export async function runCleanup(timeoutMs = handlerOptions.timeoutMs): Promise<void> {
  const items = [...registry];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.allSettled(items.map((item) => item.stop())), timeout]);
  clearTimeout(timer);
  runCleanupSync();
}

/** Synchronous last resort: SIGKILLs and removes everything still registered. */
export function runCleanupSync(): void {
  for (const item of registry) {
    try {
      item.stopSync();
    } catch {
      // best effort: nothing else can be done at exit
    }
  }
  registry.clear();
}

/** The 'exit' hook is always installed: it cannot wait, so it only SIGKILLs what is left. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => runCleanupSync());
}

/**
 * Installs SIGINT/SIGTERM/SIGHUP/uncaughtException/unhandledRejection handlers that stop every
 * registered topology and exit with the right code. Call it once from a CLI or harness entry point.
 */
export function installCleanupHandlers(options: CleanupHandlerOptions = {}): void {
  handlerOptions = { ...handlerOptions, ...options };
  installExitHook();
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('SIGINT', () => void shutDown('SIGINT', handlerOptions.interruptExitCode));
  process.on('SIGTERM', () => void shutDown('SIGTERM', 143));
  process.on('SIGHUP', () => void shutDown('SIGHUP', 129));
  process.on('uncaughtException', (error) => {
    console.error(`splitbench: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void shutDown('uncaughtException', 1);
  });
  process.on('unhandledRejection', (reason) => {
    console.error(`splitbench: internal error (unhandled rejection): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    void shutDown('unhandledRejection', 1);
  });
}

/** Stops everything once, then exits; a second signal while stopping forces SIGKILL and exits now. */
async function shutDown(reason: string, code: number): Promise<void> {
  if (shuttingDown) {
    if (reason === 'SIGINT' || reason === 'SIGTERM') {
      runCleanupSync();
      process.exit(code);
    }
    return;
  }
  shuttingDown = true;
  handlerOptions.onShutdown?.(reason);
  try {
    await runCleanup();
  } finally {
    process.exit(code);
  }
}
