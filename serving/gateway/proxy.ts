import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ServingError } from '../backend/backend.js';
import type { RouteTable } from './route-table.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'expect', 'host']);

/** Headers worth forwarding (hop-by-hop ones dropped). */
function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/** Maps an undici failure to the gateway's status: 504 on timeout, 502 when the connection failed. */
export function classifyUpstreamError(error: unknown, model: string, url: string, timeoutMs: number): ServingError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new ServingError(504, `upstream ${url} for model "${model}" did not answer within ${timeoutMs} ms (--upstream-timeout-ms)`);
  }
  const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection reset' : `${code || 'error'}: ${(error as Error).message}`;
  return new ServingError(502, `upstream ${url} for model "${model}" failed: ${reason}`);
}

/** Streams a request to the model's upstream and the answer back, without parsing either body. */
export async function proxyRequest(routes: RouteTable, model: string, req: IncomingMessage, res: ServerResponse, timeoutMs: number): Promise<number> {
  const url = routes.urlOf(model);
  if (!url) throw new ServingError(404, `unknown model "${model}"; the gateway routes: ${routes.names().join(', ') || 'nothing'}`);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream;
  try {
    upstream = await routes.poolFor(url).request({
      method: (req.method ?? 'GET') as 'GET',
      path: req.url ?? '/',
      headers: forwardable(req.headers),
      body: hasBody ? req : null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw classifyUpstreamError(error, model, url, timeoutMs);
  }
  res.writeHead(upstream.statusCode, forwardable(upstream.headers));
  try {
    await pipeline(upstream.body, res);
  } catch {
    res.destroy();
  }
  return upstream.statusCode;
}
