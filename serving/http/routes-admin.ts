import type { NextFunction, Request, Response, Router } from 'express';
import { ServingError } from '../backend/backend.js';
import { parseJson } from '../codec/json-codec.js';
import type { AppContext } from './app-context.js';
import { readBody } from './read-body.js';
import { unknownModelMessage } from './routes-models.js';
import { sendFailure, sendJson } from './send.js';

const ADMIN_BODY_LIMIT = 64 * 1024;
export const TOKEN_HEADER = 'x-splitbench-token';

/** Middleware: 404 when admin is off, 401 without the right token. */
export function requireToken(token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!token) return sendJson(res, 404, { error: `no route ${req.method} ${req.path}: admin endpoints are disabled (start the server with --admin-token)` });
    if (req.headers[TOKEN_HEADER] !== token) return sendJson(res, 401, { error: `missing or wrong ${TOKEN_HEADER} header; expected the server's --admin-token` });
    next();
  };
}

/** Reads a small JSON admin body ({} when empty). */
export async function readAdminJson(req: Request): Promise<unknown> {
  const body = await readBody(req, ADMIN_BODY_LIMIT);
  return body.byteLength === 0 ? {} : parseJson(body.toString('utf8'), 'admin request body');
}

/** Wraps an async admin handler so every failure becomes JSON {"error"}. */
export function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response): void => {
    fn(req, res).catch((error: unknown) => sendFailure(res, error));
  };
}

/** Reads the version of a repository load body {"parameters":{"version":N}}. */
function readVersion(body: unknown): number {
  const version = (body as { parameters?: { version?: unknown } } | undefined)?.parameters?.version;
  const number = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version;
  if (!Number.isInteger(number) || (number as number) < 1) throw new ServingError(400, `expected body {"parameters":{"version":N}} with N a positive integer; got version ${JSON.stringify(version ?? null)}`);
  return number as number;
}

/**
 * The fault-spec parser (and zod with it, ~0.1 s to load here) only in servers started with
 * --faults, loaded at start-up so arming a fault never waits for it.
 */
function loadFaultSpecParser(): Promise<typeof import('../faults/fault-spec.js')> {
  return import('../faults/fault-spec.js');
}

/** Repository load (hot reload) and fault control. */
export function addAdminRoutes(router: Router, context: AppContext): void {
  const { backend } = context;
  const faultSpec = context.faultsEnabled ? loadFaultSpecParser() : null;
  faultSpec?.catch(() => undefined);
  const guard = requireToken(context.adminToken);
  router.post('/v2/repository/models/:name/load', guard, handle(async (req, res) => {
    const name = req.params.name as string;
    if (!backend.spec(name)) throw new ServingError(404, unknownModelMessage(backend, name));
    const version = readVersion(await readAdminJson(req));
    const served = await backend.reload(name, version);
    sendJson(res, 200, { name, version: served.version, loadMs: served.loadMs, bytes: served.bytes });
  }));
  const faultGuard = (req: Request, res: Response, next: NextFunction) =>
    context.faultsEnabled ? next() : sendJson(res, 403, { error: 'fault injection is disabled; start the server with --faults (and --admin-token)' });
  router.get('/admin/faults', guard, (_req, res) => sendJson(res, 200, { faults: backend.faults() }));
  router.post('/admin/faults', guard, faultGuard, handle(async (req, res) => {
    const { parseFaultSpec } = await (faultSpec ?? loadFaultSpecParser());
    const fault = parseFaultSpec(await readAdminJson(req));
    if (typeof fault === 'string') throw new ServingError(400, fault);
    if (!backend.spec(fault.model)) throw new ServingError(404, unknownModelMessage(backend, fault.model));
    await backend.armFault(fault);
    sendJson(res, 200, { armed: fault });
  }));
  router.delete('/admin/faults', guard, handle(async (_req, res) => {
    await backend.disarmFaults();
    sendJson(res, 200, { faults: [] });
  }));
}
