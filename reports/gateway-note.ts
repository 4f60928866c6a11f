import type { RunResults } from '../bench/results/schema.js';

/** True when the run started a gateway: the microservices gateway variant, or the redeploy experiment (rolling deploys go through one). */
function runUsedGateway(results: RunResults): boolean {
  const variants = (results.config as { variants?: { topology?: string; variant?: string }[] }).variants ?? [];
  return variants.some((v) => v.topology === 'microservices' && v.variant === 'gateway') || results.experiments.redeploy !== undefined;
}

/** Which proxy served the run's gateway numbers, or null when the run had no gateway. */
export function describeRunGateway(results: RunResults): string | null {
  if (!runUsedGateway(results) && !results.environment.gateway) return null;
  return results.environment.gateway?.label ?? 'Node gateway (this results file predates the gateway record; the Node gateway was the only implementation)';
}

/** The report sentence naming the gateway behind every gateway number. */
export function gatewayNote(results: RunResults): string | null {
  const label = describeRunGateway(results);
  return label === null ? null : `Gateway — every microservices/gateway figure (and every rolling deploy's route switch) went through: ${label}.`;
}
