import { isFallbackGateway, NODE_FALLBACK_LABEL, type GatewaySelection } from '../config/gateway-choice.js';
import type { RunConfig } from '../config/run-config.js';
import { planRedeploy } from './redeploy/plan.js';

/**
 * True when the run starts a gateway: an experiment that starts topologies (every one but `library`)
 * on microservices/gateway, or a redeploy that puts one in front of the monolith for its rolling deploys.
 */
export function runUsesGateway(config: Pick<RunConfig, 'experiments' | 'variants' | 'settings'>): boolean {
  const gatewayVariant = config.variants.some((v) => v.topology === 'microservices' && v.variant === 'gateway');
  if (gatewayVariant && config.experiments.some((name) => name !== 'library')) return true;
  return config.experiments.includes('redeploy') && planRedeploy(config.variants, config.settings.redeploy).sessions.some((s) => s.monolithGateway);
}

/** What to do for the reference gateway when the Node gateway serves as a fallback. */
function suggestNginx(selection: GatewaySelection): string {
  if (!isFallbackGateway(selection)) return '';
  return selection.label === NODE_FALLBACK_LABEL ? ' — install nginx for the reference gateway' : ' — install nginx and rebuild the image (`splitbench image build --force`) for the reference gateway';
}

/**
 * The line a run prints when it starts, naming the gateway its gateway numbers go through, or why the
 * split side runs without one; null when it starts none and nobody asked for one.
 */
export function describeGatewayLine(config: Pick<RunConfig, 'experiments' | 'variants' | 'settings' | 'gateway' | 'directInsteadOfGateway'>): string | null {
  const direct = config.directInsteadOfGateway ? `split side: direct, no gateway — ${config.directInsteadOfGateway}` : null;
  if (!config.gateway || !runUsesGateway(config)) return direct;
  const line = `gateway: ${config.gateway.label}${direct ? '' : suggestNginx(config.gateway)}`;
  return direct ? `${line} (only in front of the monolith's rolling deploys)\n${direct}` : line;
}
