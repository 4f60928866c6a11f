import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { ServingError } from '../backend/backend.js';
import type { RouteTable } from './route-table.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'expect', 'host']);

/** Request bodies up to this size (the model servers' default body limit) are read whole and forwarded in one write; larger or unsized ones stream. */
const BUFFERED_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Answer bytes the gateway may hold for a slow client before it pauses the upstream. */
const RESPONSE_BUFFER_LIMIT_BYTES = 4 * 1024 * 1024;

/** A flat [name, value, ...] header list without hop-by-hop headers. */
function forwardableRequestHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/** undici's raw response headers as a flat string list for writeHead, hop-by-hop headers dropped. */
function forwardableResponseHeaders(raw: Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, raw[i + 1]!.toString('latin1'));
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

/** Reads a sized request body into one buffer; resolves null when the client went away first. */
function readBody(req: IncomingMessage, length: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    req.once('end', () => resolve(chunks.length === 1 && received === length ? chunks[0]! : Buffer.concat(chunks, received)));
    req.once('error', () => resolve(null));
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

/** The body to forward: the whole buffer when small and sized, else the request stream itself. */
async function bodyOf(req: IncomingMessage): Promise<Buffer | IncomingMessage | null | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const length = Number(req.headers['content-length']);
  return Number.isSafeInteger(length) && length <= BUFFERED_BODY_LIMIT_BYTES ? readBody(req, length) : req;
}

/** True when an upstream failed before it could have seen the request (it refused or never took the connection). */
export function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/**
 * Forwards a request to one of the model's replicas with undici's dispatch() and writes the answer
 * straight to the response, without parsing either body. A replica that refuses the connection is
 * marked down and the request goes to the next one (only a request it never received: bodies that
 * stream are not retried). Resolves with the upstream status; rejects with a 502/504 ServingError
 * when the upstream failed before answering (so the caller can send it).
 */
export async function proxyRequest(routes: RouteTable, model: string, req: IncomingMessage, res: ServerResponse, timeoutMs: number): Promise<number> {
  const urls = routes.urlsOf(model);
  if (!urls) throw new ServingError(404, `unknown model "${model}"; the gateway routes: ${routes.names().join(', ') || 'nothing'}`);
  const body = await bodyOf(req);
  if (body === null) return 499; // the client closed before its body arrived: nothing to forward
  if (urls.length === 1) {
    // One replica (every topology without replicas): no picking, no retry, no allocation on the hot path.
    try {
      return await dispatchTo(routes, urls[0]!, req, res, body, timeoutMs);
    } catch (error) {
      throw classifyUpstreamError(error, model, urls[0]!, timeoutMs);
    }
  }
  const replayable = body === undefined || Buffer.isBuffer(body);
  const tried = new Set<string>();
  for (;;) {
    const url = routes.pick(model, tried);
    if (url === undefined) throw new ServingError(502, `no replica left for model "${model}"`);
    tried.add(url);
    try {
      return await dispatchTo(routes, url, req, res, body, timeoutMs);
    } catch (error) {
      if (!isConnectFailure(error)) throw classifyUpstreamError(error, model, url, timeoutMs);
      routes.markDown(url);
      if (!replayable || res.headersSent || tried.size >= (routes.urlsOf(model)?.length ?? 0)) throw classifyUpstreamError(error, model, url, timeoutMs);
    }
  }
}

/** One attempt on one upstream: resolves with its status, rejects with undici's error when it failed before answering. */
function dispatchTo(routes: RouteTable, url: string, req: IncomingMessage, res: ServerResponse, body: Buffer | IncomingMessage | undefined, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let status = 0;
    let abort: ((reason?: Error) => void) | undefined;
    let resumeUpstream: (() => void) | undefined;
    const onClientClose = () => {
      if (!res.writableFinished) abort?.(new Error('client closed the connection'));
    };
    const onDrain = () => resumeUpstream?.();
    res.once('close', onClientClose);
    res.on('drain', onDrain);
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
      },
      onHeaders(statusCode, rawHeaders, resume) {
        if (statusCode < 200) return true; // informational answers are not forwarded
        status = statusCode;
        resumeUpstream = resume;
        res.writeHead(statusCode, forwardableResponseHeaders(rawHeaders as unknown as Buffer[]));
        return true;
      },
      onData(chunk) {
        res.write(chunk);
        // Pause the upstream only past a generous buffer: stopping at the socket's 16 KiB mark stalls a 400 KB answer dozens of times.
        return res.writableLength < RESPONSE_BUFFER_LIMIT_BYTES;
      },
      onComplete() {
        res.end();
        resolve(status);
      },
      onError(error) {
        res.off('close', onClientClose);
        res.off('drain', onDrain);
        if (res.destroyed && !res.writableFinished) return resolve(499); // the client left; nothing to answer
        if (status === 0 && !res.headersSent) return reject(error);
        res.destroy();
        resolve(status || 502);
      },
    };
    routes.poolFor(url).dispatch(
      { origin: url, method: (req.method ?? 'GET') as Dispatcher.HttpMethod, path: req.url ?? '/', headers: forwardableRequestHeaders(req.rawHeaders), body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
      handler,
    );
  });
}
