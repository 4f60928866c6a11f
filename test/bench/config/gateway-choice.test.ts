import { describe, expect, it } from 'vitest';
import { isFallbackGateway, labelServedGateway, resolveGateway, type GatewaySelection } from '../../../bench/config/gateway-choice.js';
import { ConfigError, resolveRunConfig } from '../../../bench/config/run-config.js';
import { findNginx } from '../../../serving/gateway/find-nginx.js';

/** Runs `check` as if nginx were not installed (SPLITBENCH_NGINX names a binary that does not exist). */
function withoutNginx(check: () => void): void {
  const previous = process.env.SPLITBENCH_NGINX;
  process.env.SPLITBENCH_NGINX = '/nonexistent/nginx';
  try {
    check();
  } finally {
    if (previous === undefined) delete process.env.SPLITBENCH_NGINX;
    else process.env.SPLITBENCH_NGINX = previous;
  }
}

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

  it('node is always available, and an explicit choice is plain "Node gateway", never a fallback', () => {
    expect(resolveGateway('node')).toMatchObject({ requested: 'node', implementation: 'node', label: 'Node gateway' });
    withoutNginx(() => expect(resolveGateway('node')).toMatchObject({ requested: 'node', label: 'Node gateway' }));
    expect(isFallbackGateway({ requested: 'node', implementation: 'node' })).toBe(false);
  });

  it('auto without nginx is the zero-dependency fallback, and says so', () => {
    withoutNginx(() => {
      const chosen = resolveGateway('auto');
      expect(chosen).toMatchObject({ requested: 'auto', implementation: 'node', label: 'Node gateway (zero-dependency fallback; nginx not installed)' });
      expect(isFallbackGateway(chosen as GatewaySelection)).toBe(true);
    });
  });

  it('a topology that served another gateway than selected is labelled by what served', () => {
    const nginx: GatewaySelection = { requested: 'auto', implementation: 'nginx', nginxVersion: 'nginx/1.22.1', label: 'nginx/1.22.1 (keep-alive upstreams, one worker)' };
    expect(labelServedGateway(nginx, 'nginx')).toBe(nginx.label);
    expect(labelServedGateway(nginx, 'node')).toMatch(/^Node gateway \(fallback: the target cannot run nginx/);
    expect(labelServedGateway({ requested: 'node', implementation: 'node', nginxVersion: null, label: 'Node gateway' }, 'node')).toBe('Node gateway');
  });

  it('nginx without nginx installed, or an unknown name, is a usage problem naming the choices', () => {
    withoutNginx(() => expect(resolveGateway('nginx')).toMatch(/nginx is not installed.*--gateway node/));
    expect(resolveGateway('haproxy')).toBe('--gateway: "haproxy" is not a gateway; expected one of auto, nginx, node');
    expect(() => resolveRunConfig({ experiments: 'latency', gateway: 'haproxy' })).toThrow(ConfigError);
  });

  it('the resolved run config carries the gateway', () => {
    expect(resolveRunConfig({ experiments: 'latency', gateway: 'node' }).gateway).toMatchObject({ requested: 'node', implementation: 'node' });
  });

  it('without nginx the default topologies measure the split side direct, saying why; an explicit choice is kept', () => {
    withoutNginx(() => {
      const quick = resolveRunConfig({ experiments: 'latency' });
      expect(quick.variants.map((v) => `${v.topology}:${v.variant}`)).toEqual(['monolith:workers', 'microservices:direct']);
      expect(quick.directInsteadOfGateway).toMatch(/^nginx is not installed, so the split side is measured direct .*--gateway node/);
      const standard = resolveRunConfig({ experiments: 'latency', profile: 'standard' });
      expect(standard.variants.map((v) => `${v.topology}:${v.variant}`)).toEqual(['monolith:single', 'monolith:workers', 'microservices:direct']);
      for (const kept of [resolveRunConfig({ experiments: 'latency', gateway: 'node' }), resolveRunConfig({ experiments: 'latency', topologies: 'monolith:workers,microservices:gateway' })]) {
        expect(kept.variants.map((v) => `${v.topology}:${v.variant}`)).toEqual(['monolith:workers', 'microservices:gateway']);
        expect(kept.directInsteadOfGateway).toBeUndefined();
      }
    });
  });

  it('with nginx installed the default topologies keep the gateway', () => {
    if (findNginx() === null) return;
    const quick = resolveRunConfig({ experiments: 'latency' });
    expect(quick.variants.map((v) => `${v.topology}:${v.variant}`)).toEqual(['monolith:workers', 'microservices:gateway']);
    expect(quick.directInsteadOfGateway).toBeUndefined();
  });
});
