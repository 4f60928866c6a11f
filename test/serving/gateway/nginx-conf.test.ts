import { describe, expect, it } from 'vitest';
import { parseStubStatus } from '../../../serving/gateway/nginx-admin.js';
import { renderNginxConf, type NginxConfOptions } from '../../../serving/gateway/nginx-conf.js';

// The generated nginx.conf: one keep-alive upstream per model, routing by name, limits and timeouts from the flags.
const base: NginxConfOptions = {
  dir: '/tmp/x',
  host: '127.0.0.1',
  port: 8080,
  routes: { vad: 'http://127.0.0.1:9001', 'ocr-det': 'http://127.0.0.1:9002' },
  adminOrigin: 'http://127.0.0.1:9100',
  bodyLimitBytes: 16 * 1024 * 1024,
  upstreamTimeoutMs: 30_000,
  generation: 3,
};

describe('nginx config', () => {
  it('has one keep-alive upstream per model, a name map, the body limit, the timeouts and one worker', () => {
    const conf = renderNginxConf(base);
    expect(conf).toMatch(/worker_processes 1;/);
    expect(conf).toMatch(/upstream model_0 \{\n\s+server 127\.0\.0\.1:9001 max_fails=0;\n\s+keepalive 64;/);
    expect(conf).toMatch(/upstream model_1 \{\n\s+server 127\.0\.0\.1:9002/);
    expect(conf).toMatch(/'vad' model_0;/);
    expect(conf).toMatch(/'ocr-det' model_1;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/proxy_set_header Connection '';/);
    expect(conf).toMatch(/client_max_body_size 16777216;/);
    expect(conf).toMatch(/client_body_buffer_size 16777216;/);
    expect(conf).toMatch(/proxy_max_temp_file_size 0;/);
    expect(conf).toMatch(/proxy_read_timeout 30000ms;/);
    expect(conf).toMatch(/access_log off;/);
    expect(conf).toMatch(/listen 127\.0\.0\.1:8080 /);
    expect(conf).toMatch(/return 200 '3';/);
    expect(conf).toMatch(/the gateway routes: vad, ocr-det/);
  });

  it('writes JSON error bodies nginx unescapes into valid JSON', () => {
    const conf = renderNginxConf(base);
    const line = /return 404 '(\{"error":"unknown model [^\n]*)';/.exec(conf)![1]!;
    const unescaped = line.replace(/\\(.)/g, '$1').replace('$route_model', 'nope');
    expect(JSON.parse(unescaped)).toEqual({ error: 'unknown model "nope"; the gateway routes: vad, ocr-det' });
  });

  it('refuses model names nginx cannot route and non-http upstreams', () => {
    expect(() => renderNginxConf({ ...base, routes: { 'a b': 'http://127.0.0.1:1' } })).toThrow(/cannot be routed by nginx/);
    expect(() => renderNginxConf({ ...base, routes: { vad: 'https://127.0.0.1:1' } })).toThrow(/must be http/);
  });

  it('reads nginx stub_status counters', () => {
    const text = 'Active connections: 3 \nserver accepts handled requests\n 10 10 42 \nReading: 0 Writing: 1 Waiting: 2 \n';
    expect(parseStubStatus(text)).toEqual({ active: 3, accepted: 10, handled: 10, requests: 42 });
    expect(parseStubStatus('nope')).toBeNull();
  });
});
