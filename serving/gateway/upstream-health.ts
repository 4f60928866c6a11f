import type { RouteTable } from './route-table.js';

const HEALTH_TIMEOUT_MS = 2000;

/** Asks the upstream of each model whether that model is ready; returns the models that are not, with why. */
export async function findUnreadyModels(routes: RouteTable): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  await Promise.all(routes.names().map(async (name) => {
    const url = routes.urlOf(name)!;
    try {
      const answer = await routes.poolFor(url).request({ method: 'GET', path: `/v2/models/${encodeURIComponent(name)}/ready`, headersTimeout: HEALTH_TIMEOUT_MS, bodyTimeout: HEALTH_TIMEOUT_MS });
      await answer.body.dump();
      if (answer.statusCode !== 200) problems[name] = `${url} answered ${answer.statusCode}`;
    } catch (error) {
      problems[name] = `${url}: ${(error as { code?: string }).code ?? (error as Error).message}`;
    }
  }));
  return problems;
}
