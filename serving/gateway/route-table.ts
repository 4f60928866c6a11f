import { Pool } from 'undici';

const POOL_OPTIONS = { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 } as const;

/** How long an upstream that refused a connection is skipped while its model has other replicas. */
export const DOWN_FOR_MS = 1000;

/** A model's upstreams as given: one base URL, or every replica's (the first is the primary). */
export type UpstreamList = string | readonly string[];

/**
 * Model name → upstream base URLs (one per replica), with one keep-alive pool per upstream (several
 * models may share one). A model's requests go round-robin over its replicas, skipping for
 * DOWN_FOR_MS a replica that refused a connection (the proxy retries such a request on another).
 */
export class RouteTable {
  private readonly routes = new Map<string, string[]>();
  private readonly pools = new Map<string, Pool>();
  private readonly turns = new Map<string, number>();
  private readonly downUntil = new Map<string, number>();

  constructor(initial: Record<string, UpstreamList>) {
    for (const [name, urls] of Object.entries(initial)) this.routes.set(name, normalizeList(urls));
  }

  /** Primary upstream URL of a model (its first replica), if routed. */
  urlOf(name: string): string | undefined {
    return this.routes.get(name)?.[0];
  }

  /** Every replica URL of a model, if routed. */
  urlsOf(name: string): readonly string[] | undefined {
    return this.routes.get(name);
  }

  /** Every route as model → primary URL. */
  all(): Record<string, string> {
    return Object.fromEntries([...this.routes].map(([name, urls]) => [name, urls[0]!]));
  }

  /** Every route as model → every replica URL. */
  replicas(): Record<string, string[]> {
    return Object.fromEntries([...this.routes].map(([name, urls]) => [name, [...urls]]));
  }

  /** Model names routed. */
  names(): string[] {
    return [...this.routes.keys()];
  }

  /** The next replica of a model in turn, not in `exclude`, preferring ones not marked down; undefined when none is left. */
  pick(name: string, exclude: ReadonlySet<string> = new Set()): string | undefined {
    const urls = this.routes.get(name);
    if (!urls) return undefined;
    if (urls.length === 1) return exclude.has(urls[0]!) ? undefined : urls[0];
    const candidates = urls.filter((url) => !exclude.has(url));
    if (candidates.length === 0) return undefined;
    const now = Date.now();
    const up = candidates.filter((url) => (this.downUntil.get(url) ?? 0) <= now);
    const from = up.length > 0 ? up : candidates;
    const turn = this.turns.get(name) ?? 0;
    this.turns.set(name, turn + 1);
    return from[turn % from.length];
  }

  /** Skips an upstream for DOWN_FOR_MS (it refused a connection). */
  markDown(url: string): void {
    this.downUntil.set(url, Date.now() + DOWN_FOR_MS);
  }

  /** The pool for an upstream URL (created on first use). */
  poolFor(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) this.pools.set(url, (pool = new Pool(url, POOL_OPTIONS)));
    return pool;
  }

  /** Points a model at other upstreams; returns the previous primary. Pools no route uses any more close once their in-flight requests finish. */
  set(name: string, urls: UpstreamList): string | undefined {
    const previous = this.routes.get(name);
    this.routes.set(name, normalizeList(urls));
    const used = new Set([...this.routes.values()].flat());
    for (const url of previous ?? []) {
      if (used.has(url)) continue;
      const pool = this.pools.get(url);
      this.pools.delete(url);
      this.downUntil.delete(url);
      void pool?.close().catch(() => undefined);
    }
    return previous?.[0];
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

/** The upstreams of an admin route body: {"url": "..."} or {"urls": ["...", ...]}; null when it is neither (see ROUTE_BODY_EXPECTED). */
export function upstreamsOfBody(body: unknown): UpstreamList | null {
  const { url, urls } = (body ?? {}) as { url?: unknown; urls?: unknown };
  if (typeof url === 'string' && urls === undefined) return url;
  if (url === undefined && Array.isArray(urls) && urls.length > 0 && urls.every((u) => typeof u === 'string')) return urls as string[];
  return null;
}

/** What an admin route body must be. */
export const ROUTE_BODY_EXPECTED = 'expected body {"url":"http://127.0.0.1:PORT"} or {"urls":["http://127.0.0.1:PORT", ...]}';

/** Groups repeated `model=url` route flags by model: a model given twice has two replicas. */
export function routesFromFlags(items: readonly string[]): Record<string, string[]> {
  const routes: Record<string, string[]> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0 || at === item.length - 1) throw new Error(`expected model=url; got ${JSON.stringify(item)}`);
    const name = item.slice(0, at);
    (routes[name] ??= []).push(item.slice(at + 1));
  }
  return routes;
}

/** Checks a model's upstream list is non-empty, each http(s) with no path, without repeats; returns their origins. */
function normalizeList(urls: UpstreamList): string[] {
  const list = (typeof urls === 'string' ? [urls] : [...urls]).map(normalizeUpstream);
  if (list.length === 0) throw new Error('expected at least one upstream URL, received none');
  const twice = list.filter((url, i) => list.indexOf(url) !== i);
  if (twice.length > 0) throw new Error(`expected each replica URL once, received ${twice.join(', ')} more than once`);
  return list;
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
