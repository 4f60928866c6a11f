import type { SupervisorEvent } from '../../targets/types.js';

/** Which processes died in a window, and which of those the supervisor brought back to ready. */
export interface ProcessFates {
  died: string[];
  restarted: string[];
}

/** Reads the supervisor's log between two instants (nowMs clock). */
export function summariseProcessFates(events: readonly SupervisorEvent[], fromMs: number, toMs: number): ProcessFates {
  const inWindow = events.filter((e) => e.atMs >= fromMs && e.atMs <= toMs);
  const died = [...new Set(inWindow.filter((e) => e.type === 'exit').map((e) => e.process))];
  const restarted = died.filter((name) => {
    const lastExit = Math.max(...inWindow.filter((e) => e.process === name && e.type === 'exit').map((e) => e.atMs));
    return inWindow.some((e) => e.process === name && e.type === 'ready' && e.atMs > lastExit);
  });
  return { died, restarted };
}

/** When every process that exited since `sinceMs` had become ready again (nowMs clock): `sinceMs` if none exited, null while one is still down. */
export function findReadyAgainAt(events: readonly SupervisorEvent[], sinceMs: number): number | null {
  const recent = events.filter((e) => e.atMs >= sinceMs);
  let readyAt = sinceMs;
  for (const name of new Set(recent.filter((e) => e.type === 'exit').map((e) => e.process))) {
    const lastExit = Math.max(...recent.filter((e) => e.process === name && e.type === 'exit').map((e) => e.atMs));
    const ready = recent.find((e) => e.process === name && e.type === 'ready' && e.atMs > lastExit);
    if (ready === undefined) return null;
    readyAt = Math.max(readyAt, ready.atMs);
  }
  return readyAt;
}
