import { describe, expect, it } from 'vitest';
import type { GatewaySelection } from '../../../bench/config/gateway-choice.js';
import { DIRECT_INSTEAD_OF_GATEWAY, resolveRunConfig } from '../../../bench/config/run-config.js';
import { describeGatewayLine, runUsesGateway } from '../../../bench/experiments/gateway-line.js';

const FALLBACK: GatewaySelection = { requested: 'auto', implementation: 'node', nginxVersion: null, label: 'Node gateway (zero-dependency fallback; nginx not installed)' };
const NGINX: GatewaySelection = { requested: 'auto', implementation: 'nginx', nginxVersion: 'nginx/1.22.1', label: 'nginx/1.22.1 (keep-alive upstreams, one worker)' };

/** A resolved config of the given experiments and topologies, with the given gateway selection. */
function configOf(experiments: string, topologies: string, gateway: GatewaySelection, profile = 'quick') {
  return { ...resolveRunConfig({ experiments, topologies, profile }), gateway };
}

// A run names its gateway when it starts, and only when it starts one.
describe('the gateway line a run prints at its start', () => {
  it('names nginx with its version when the run has the microservices gateway variant', () => {
    expect(describeGatewayLine(configOf('latency', 'monolith:workers,microservices:gateway', NGINX))).toBe('gateway: nginx/1.22.1 (keep-alive upstreams, one worker)');
  });

  it('names the Node fallback and says how to get the reference gateway', () => {
    expect(describeGatewayLine(configOf('fault', 'monolith:workers,microservices:gateway', FALLBACK))).toBe('gateway: Node gateway (zero-dependency fallback; nginx not installed) — install nginx for the reference gateway');
  });

  it('an explicit --gateway node is named plainly, without a fallback hint', () => {
    const explicit: GatewaySelection = { requested: 'node', implementation: 'node', nginxVersion: null, label: 'Node gateway' };
    expect(describeGatewayLine(configOf('latency', 'monolith,microservices:gateway', explicit))).toBe('gateway: Node gateway');
  });

  it('prints nothing when no gateway starts: direct microservices, or only the library matrices', () => {
    expect(describeGatewayLine(configOf('latency,fault', 'monolith:single,microservices:direct', FALLBACK))).toBeNull();
    expect(describeGatewayLine(configOf('library', 'monolith:workers,microservices:gateway', FALLBACK))).toBeNull();
  });

  it('counts the gateway a rolling redeploy puts in front of the monolith', () => {
    expect(runUsesGateway(configOf('redeploy', 'monolith:workers,microservices:direct', NGINX, 'standard'))).toBe(true);
    expect(runUsesGateway(configOf('redeploy', 'monolith:workers,microservices:direct', NGINX, 'quick'))).toBe(false);
  });

  it('says the split side runs direct, and why, when the default topologies dropped the gateway for want of nginx', () => {
    const config = { ...configOf('latency,fault,redeploy', 'monolith:workers,microservices:direct', FALLBACK), directInsteadOfGateway: DIRECT_INSTEAD_OF_GATEWAY };
    expect(describeGatewayLine(config)).toBe(`split side: direct, no gateway — ${DIRECT_INSTEAD_OF_GATEWAY}`);
    const standard = { ...configOf('redeploy', 'monolith,microservices:direct', FALLBACK, 'standard'), directInsteadOfGateway: DIRECT_INSTEAD_OF_GATEWAY };
    expect(describeGatewayLine(standard)).toBe(`gateway: ${FALLBACK.label} (only in front of the monolith's rolling deploys)\nsplit side: direct, no gateway — ${DIRECT_INSTEAD_OF_GATEWAY}`);
  });
});
