import type { ServerResponse } from 'node:http';
import { ServingError } from '../backend/backend.js';
import { InjectedFaultError } from '../faults/apply-fault.js';

/** Sends a JSON body with a status, without express helpers (cheaper on the hot path). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/** Status and message for any thrown value: ServingError keeps its status, anything else is a 500. */
export function describeFailure(error: unknown): { status: number; message: string } {
  if (error instanceof ServingError) return { status: error.status, message: error.message };
  if (error instanceof InjectedFaultError) return { status: 500, message: error.message };
  return { status: 500, message: `internal error: ${(error as Error)?.message ?? String(error)}` };
}

/** Answers a failure as JSON {"error"} (unless the response already started); returns the status. */
export function sendFailure(res: ServerResponse, error: unknown): number {
  const { status, message } = describeFailure(error);
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  sendJson(res, status, { error: message });
  return status;
}
