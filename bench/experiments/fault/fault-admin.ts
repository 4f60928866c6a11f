import { nowMs, sleep } from '../../clock.js';
import type { RunningTopology } from '../../targets/types.js';
import type { FaultKind } from '../../results/schema.js';
import { HARNESS_ADMIN_TOKEN } from '../topology-spec.js';

/** A fault as the servers' admin API takes it. */
export interface FaultRequest {
  model: string;
  kind: Exclude<FaultKind, 'none'>;
  ms?: number;
  bytesPerRequest?: number;
}

/** How long an admin call may take before it counts as failed (a hung or dying process). */
const ADMIN_TIMEOUT_MS = 3000;

/** The knobs of each fault kind: cpu 50 ms busy per request, slow 200 ms, leak 16 MiB per request. */
export function buildFaultRequest(model: string, kind: Exclude<FaultKind, 'none'>): FaultRequest {
  if (kind === 'cpu') return { model, kind, ms: 50 };
  if (kind === 'slow') return { model, kind, ms: 200 };
  if (kind === 'leak') return { model, kind, bytesPerRequest: 16 * 1024 * 1024 };
  return { model, kind };
}

/** Arms a fault on the process hosting the model; throws with the server's answer when refused. */
export async function armFault(adminUrl: string, fault: FaultRequest): Promise<void> {
  const response = await fetch(`${adminUrl}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-splitbench-token': HARNESS_ADMIN_TOKEN },
    body: JSON.stringify(fault),
    signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`arming ${fault.kind} on ${fault.model} at ${adminUrl} answered ${response.status}: ${await response.text()}`);
}

/**
 * Disarms every fault of a process. Returns null when it answered, else why not: a process that
 * died (and maybe restarted, forgetting its faults) cannot be disarmed, which is not an error here.
 */
export async function disarmFaults(adminUrl: string | undefined): Promise<string | null> {
  if (adminUrl === undefined) return 'no process hosts the model';
  try {
    const response = await fetch(`${adminUrl}/admin/faults`, { method: 'DELETE', headers: { 'x-splitbench-token': HARNESS_ADMIN_TOKEN }, signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok ? null : `DELETE /admin/faults answered ${response.status}`;
  } catch (error) {
    return `DELETE /admin/faults failed: ${(error as Error).message}`;
  }
}

/** PID of the process serving a model (not the gateway in front of it), null while it is down. */
export function hostPid(topology: RunningTopology, model: string): number | null {
  return topology.processes().find((p) => p.name !== 'gateway' && p.models.includes(model))?.pid ?? null;
}

/** How a disarm ended: acknowledged, or moot because the process that held the fault is gone. */
export interface DisarmOutcome {
  atMs: number;
  acknowledged: boolean;
  attempts: number;
  detail: string | null;
}

/**
 * Disarms until the process acknowledges. A process busy with a `cpu` backlog may answer late, so
 * this retries until `deadlineMs`; it stops early when the process that was armed (`armedPid`) has
 * died, since a restarted process starts without the fault.
 */
export async function disarmUntilAcknowledged(topology: RunningTopology, model: string, armedPid: number | null, deadlineMs: number): Promise<DisarmOutcome> {
  let attempts = 0;
  let detail: string | null = null;
  for (;;) {
    attempts++;
    detail = await disarmFaults(topology.adminUrls()[model]);
    if (detail === null) return { atMs: nowMs(), acknowledged: true, attempts, detail };
    if (hostPid(topology, model) !== armedPid) return { atMs: nowMs(), acknowledged: false, attempts, detail: `${detail}; the armed process (pid ${armedPid}) is gone, so the fault went with it` };
    if (nowMs() > deadlineMs) return { atMs: nowMs(), acknowledged: false, attempts, detail: `${detail}; gave up after ${attempts} attempts` };
    await sleep(100);
  }
}
