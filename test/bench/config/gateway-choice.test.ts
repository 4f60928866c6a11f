import { describe, expect, it } from 'vitest';
import { resolveGateway } from '../../../bench/config/gateway-choice.js';
import { ConfigError, resolveRunConfig } from '../../../bench/config/run-config.js';
import { findNginx } from '../../../serving/gateway/find-nginx.js';

// --gateway auto|nginx|node: auto takes nginx when installed and names the Node gateway a fallback otherwise.
describe('gateway choice', () => {
  it('auto picks nginx when installed, else the Node gateway named as the zero-dependency fallback', () => {
    const chosen = resolveGateway(undefined);
    if (typeof chosen === 'string') throw new Error(chosen);
    if (findNginx()) {
      expect(chosen).toMatchObject({ requested: 'auto', implementation: 'nginx', label: expect.stringMatching(/^nginx\/[\d.]+ \(keep-alive upstreams, one worker\)$/) });
    } else {
      expect(chosen).toMatchObject({ requested: 'auto', implementation: 'node', nginxVersion: null, label: 'Node gateway (zero-dependency fallback; nginx not installed)' });
    }
  });

  it('node is always available and says it was requested', () => {
    expect(resolveGateway('node')).toMatchObject({ implementation: 'node', label: 'Node gateway (requested with --gateway node)' });
  });

  it('nginx without nginx installed, or an unknown name, is a usage problem naming the choices', () => {
    const previous = process.env.SPLITBENCH_NGINX;
    process.env.SPLITBENCH_NGINX = '/nonexistent/nginx';
    try {
      expect(resolveGateway('nginx')).toMatch(/nginx is not installed.*--gateway node/);
    } finally {
      if (previous === undefined) delete process.env.SPLITBENCH_NGINX;
      else process.env.SPLITBENCH_NGINX = previous;
    }
    expect(resolveGateway('haproxy')).toBe('--gateway: "haproxy" is not a gateway; expected one of auto, nginx, node');
    expect(() => resolveRunConfig({ experiments: 'latency', gateway: 'haproxy' })).toThrow(ConfigError);
  });

  it('the resolved run config carries the gateway', () => {
    expect(resolveRunConfig({ experiments: 'latency', gateway: 'node' }).gateway).toMatchObject({ requested: 'node', implementation: 'node' });
  });
});
