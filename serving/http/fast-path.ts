import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ServerState } from './server-state.js';

const PREFIX = '/v2/models/';

/** The model name of a `POST /v2/models/{name}/infer` URL, or undefined for any other URL. */
export function matchInferUrl(url: string | undefined): string | undefined {
  if (!url || !url.startsWith(PREFIX)) return undefined;
  const end = url.indexOf('/', PREFIX.length);
  if (end <= PREFIX.length || end !== url.length - 6 || !url.endsWith('/infer')) return undefined;
  try {
    return decodeURIComponent(url.slice(PREFIX.length, end));
  } catch {
    return undefined;
  }
}

/** Handles one inference request given the raw request and the model name. */
export type InferHandler = (req: IncomingMessage, res: ServerResponse, name: string) => void;

/** Sends inference calls straight to their handler (skipping express routing, ~100 µs each here); everything else goes to the app. */
export function withInferFastPath(app: RequestListener, state: ServerState, handleInfer: InferHandler): RequestListener {
  return (req, res) => {
    const name = req.method === 'POST' ? matchInferUrl(req.url) : undefined;
    if (name === undefined) return app(req, res);
    state.inFlight++;
    res.once('close', () => state.inFlight--);
    handleInfer(req, res, name);
  };
}
