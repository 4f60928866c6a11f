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

/**
 * Whether `promise` settles within `ms`; the timer is cleared either way, so a wait that ended
 * early does not keep the process alive for the rest of `ms` (a plain race with sleep() does).
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
