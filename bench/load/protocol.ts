import type { ClosedLoopPlan, ClosedLoopResult } from './closed-loop.js';
import type { HealthSnapshot, LoadStream, OpenLoopPlan, OpenLoopResult } from './types.js';

/** A request body as it crosses the IPC channel (JSON serialisation cannot carry bytes). */
export type WireBody = { text: string } | { base64: string } | null;

/** A stream whose body (and recorded variants' bodies) are wire-encoded. */
export type WireStream = Omit<LoadStream, 'body' | 'variants'> & { body: WireBody; variants?: { headers: Record<string, string>; body: WireBody }[] };

/** Open-loop plan as sent to the generator process. */
export type WireOpenLoopPlan = Omit<OpenLoopPlan, 'streams'> & { streams: WireStream[] };

/** Messages from the parent to the generator process: jobs run one at a time, each with its own id. */
export type ToGenerator =
  | { type: 'open-loop'; jobId: number; plan: WireOpenLoopPlan; cpus: number[] | null }
  | { type: 'closed-loop'; jobId: number; plan: ClosedLoopPlan }
  | { type: 'abort'; jobId: number };

/** Messages from the generator process to the parent, naming the job they belong to. */
export type FromGenerator =
  | { type: 'started'; jobId: number; startedAtMs: number }
  | { type: 'health'; jobId: number; snapshot: HealthSnapshot }
  | { type: 'open-loop-result'; jobId: number; result: OpenLoopResult }
  | { type: 'closed-loop-result'; jobId: number; result: ClosedLoopResult }
  | { type: 'failed'; jobId: number; message: string };

/** Encodes a body for the IPC channel. */
export function encodeWireBody(body: LoadStream['body']): WireBody {
  if (body === undefined) return null;
  return typeof body === 'string' ? { text: body } : { base64: Buffer.from(body).toString('base64') };
}

/** Decodes a body received over the IPC channel. */
export function decodeWireBody(body: WireBody): LoadStream['body'] {
  if (body === null) return undefined;
  return 'text' in body ? body.text : Buffer.from(body.base64, 'base64');
}

/** Plan with bodies wire-encoded. */
export function encodeWirePlan(plan: OpenLoopPlan): WireOpenLoopPlan {
  return {
    ...plan,
    streams: plan.streams.map(({ variants, ...s }) => ({ ...s, body: encodeWireBody(s.body), ...(variants ? { variants: variants.map((v) => ({ headers: v.headers, body: encodeWireBody(v.body) })) } : {}) })),
  };
}

/** Plan with bodies decoded back to strings/bytes. */
export function decodeWirePlan(plan: WireOpenLoopPlan): OpenLoopPlan {
  return {
    ...plan,
    streams: plan.streams.map(({ variants, ...s }) => ({ ...s, body: decodeWireBody(s.body), ...(variants ? { variants: variants.map((v) => ({ headers: v.headers, body: decodeWireBody(v.body)! })) } : {}) })),
  };
}
