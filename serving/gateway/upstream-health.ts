import type { Request, Response } from 'express';
import { sendFailure, sendJson } from '../http/send.js';
import type { ServerState } from '../http/server-state.js';
import type { RouteTable } from './route-table.js';

const HEALTH_TIMEOUT_MS = 2000;

/** Asks one upstream whether a model is ready; null when it is, else why not. */
async function whyUnready(routes: RouteTable, name: string, url: string): Promise<string | null> {
  try {
    const answer = await routes.poolFor(url).request({ method: 'GET', path: `/v2/models/${encodeURIComponent(name)}/ready`, headersTimeout: HEALTH_TIMEOUT_MS, bodyTimeout: HEALTH_TIMEOUT_MS });
    await answer.body.dump();
    return answer.statusCode === 200 ? null : `${url} answered ${answer.statusCode}`;
  } catch (error) {
    return `${url}: ${(error as { code?: string }).code ?? (error as Error).message}`;
  }
}

/** Asks the replicas of each model whether that model is ready; returns the models none of whose replicas is, with why. */
export async function findUnreadyModels(routes: RouteTable): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  await Promise.all(routes.names().map(async (name) => {
    const reasons = await Promise.all((routes.urlsOf(name) ?? []).map((url) => whyUnready(routes, name, url)));
    if (reasons.length > 0 && reasons.every((reason) => reason !== null)) problems[name] = reasons.join('; ');
  }));
  return problems;
}

/** GET /v2/health/ready of a gateway (Node or nginx): ready when every upstream has its model ready, 503 naming the ones that do not. */
export function createGatewayReadyHandler(context: { state: ServerState; routes: RouteTable }): (req: Request, res: Response) => void {
  return (_req, res) => {
    if (context.state.draining) return void sendJson(res, 503, { ready: false, error: 'gateway is shutting down' });
    findUnreadyModels(context.routes).then((problems) => {
      const names = Object.keys(problems);
      if (names.length === 0) sendJson(res, 200, { ready: true });
      else sendJson(res, 503, { ready: false, error: `upstreams not ready for: ${names.map((n) => `${n} (${problems[n]})`).join(', ')}` });
    }, (error: unknown) => sendFailure(res, error));
  };
}
