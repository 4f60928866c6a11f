import { performance } from 'node:perf_hooks';

/**
 * Epoch milliseconds from the monotonic clock: never jumps with NTP inside a process, and is
 * comparable across the harness, the load generator and the servers to about a millisecond.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
