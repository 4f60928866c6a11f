import { Pool } from 'undici';

const POOL_OPTIONS = { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 } as const;

/** Model name → upstream base URL, with one keep-alive pool per upstream (several models may share one). */
export class RouteTable {
  private readonly routes = new Map<string, string>();
  private readonly pools = new Map<string, Pool>();

  constructor(initial: Record<string, string>) {
    for (const [name, url] of Object.entries(initial)) this.routes.set(name, normalizeUpstream(url));
  }

  /** Upstream URL of a model, if routed. */
  urlOf(name: string): string | undefined {
    return this.routes.get(name);
  }

  /** Every route. */
  all(): Record<string, string> {
    return Object.fromEntries(this.routes);
  }

  /** Model names routed. */
  names(): string[] {
    return [...this.routes.keys()];
  }

  /** The pool for an upstream URL (created on first use). */
  poolFor(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) this.pools.set(url, (pool = new Pool(url, POOL_OPTIONS)));
    return pool;
  }

  /** Points a model at another upstream; the old pool closes once its in-flight requests finish. */
  set(name: string, url: string): string | undefined {
    const previous = this.routes.get(name);
    this.routes.set(name, normalizeUpstream(url));
    if (previous && ![...this.routes.values()].includes(previous)) {
      const pool = this.pools.get(previous);
      this.pools.delete(previous);
      void pool?.close().catch(() => undefined);
    }
    return previous;
  }

  /** Removes a model's route (used to undo a route that could not be applied). */
  delete(name: string): void {
    this.routes.delete(name);
  }

  /** Closes every pool. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy().catch(() => undefined)));
  }
}

/** Checks an upstream URL is http(s) with no path, and returns its origin. */
export function normalizeUpstream(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`upstream ${JSON.stringify(url)} is not a URL; expected http://HOST:PORT`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`upstream ${url} must be http:// or https://`);
  return parsed.origin;
}
