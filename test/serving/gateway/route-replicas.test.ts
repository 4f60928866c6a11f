import { describe, expect, it } from 'vitest';
import { renderNginxConf, type NginxConfOptions } from '../../../serving/gateway/nginx-conf.js';
import { ROUTE_BODY_EXPECTED, RouteTable, routesFromFlags, upstreamsOfBody } from '../../../serving/gateway/route-table.js';

// A model with several replicas: repeated --route flags, round-robin picking that skips a replica
// marked down, admin bodies with one URL or several, and nginx upstreams with one server per replica.
const A = 'http://127.0.0.1:9001';
const B = 'http://127.0.0.1:9002';

describe('route table with replicas', () => {
  it('groups repeated --route flags by model and keeps the first replica as the primary', () => {
    const routes = new RouteTable(routesFromFlags([`tab=${A}`, `vad=${A}`, `tab=${B}/`]));
    expect(routes.replicas()).toEqual({ tab: [A, B], vad: [A] });
    expect(routes.all()).toEqual({ tab: A, vad: A });
    expect(routes.urlOf('tab')).toBe(A);
    expect(() => routesFromFlags(['tab'])).toThrow(/expected model=url; got "tab"/);
    expect(() => new RouteTable({ tab: [A, A] })).toThrow(/expected each replica URL once, received http:\/\/127\.0\.0\.1:9001 more than once/);
    expect(() => new RouteTable({ tab: [] })).toThrow(/expected at least one upstream URL, received none/);
  });

  it('takes the replicas in turn, skips one marked down while another is up, and honours exclusions', () => {
    const routes = new RouteTable({ tab: [A, B] });
    expect([1, 2, 3, 4].map(() => routes.pick('tab'))).toEqual([A, B, A, B]);
    routes.markDown(B);
    expect([1, 2, 3].map(() => routes.pick('tab'))).toEqual([A, A, A]);
    routes.markDown(A);
    expect(new Set([1, 2].map(() => routes.pick('tab')))).toEqual(new Set([A, B]));
    expect(routes.pick('tab', new Set([A]))).toBe(B);
    expect(routes.pick('tab', new Set([A, B]))).toBeUndefined();
    expect(routes.pick('nope')).toBeUndefined();
  });

  it('replaces every replica on set and returns the previous primary', () => {
    const routes = new RouteTable({ tab: [A, B] });
    expect(routes.set('tab', B)).toBe(A);
    expect(routes.urlsOf('tab')).toEqual([B]);
    expect(routes.set('tab', [A, B])).toBe(B);
    expect(routes.urlsOf('tab')).toEqual([A, B]);
  });

  it('reads admin bodies with one URL or a list, and nothing else', () => {
    expect(upstreamsOfBody({ url: A })).toBe(A);
    expect(upstreamsOfBody({ urls: [A, B] })).toEqual([A, B]);
    for (const bad of [{}, { urls: [] }, { url: A, urls: [B] }, { urls: [1] }, null]) expect(upstreamsOfBody(bad)).toBeNull();
    expect(ROUTE_BODY_EXPECTED).toMatch(/"urls"/);
  });
});

describe('nginx config with replicas', () => {
  const base: NginxConfOptions = { dir: '/tmp/x', host: '127.0.0.1', port: 8080, routes: { vad: A }, adminOrigin: 'http://127.0.0.1:9100', bodyLimitBytes: 1024, upstreamTimeoutMs: 1000, generation: 1 };

  it('renders one server per replica, skipped for a second after a failure, and retries refused requests on the next', () => {
    const conf = renderNginxConf({ ...base, routes: { vad: A, tab: [A, B] } });
    expect(conf).toMatch(/upstream model_0 \{\n\s+server 127\.0\.0\.1:9001 max_fails=0;\n\s+keepalive 64;/);
    expect(conf).toMatch(/upstream model_1 \{\n\s+server 127\.0\.0\.1:9001 max_fails=1 fail_timeout=1s;\n\s+server 127\.0\.0\.1:9002 max_fails=1 fail_timeout=1s;\n\s+keepalive 64;/);
    expect(conf).toMatch(/proxy_next_upstream error timeout;/);
  });

  it('renders a config without replicas exactly as before (no retry on another upstream)', () => {
    expect(renderNginxConf({ ...base, routes: { vad: [A] } })).toBe(renderNginxConf(base));
    expect(renderNginxConf(base)).toMatch(/proxy_next_upstream off;/);
  });
});
