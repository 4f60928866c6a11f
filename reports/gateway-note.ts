import type { RunResults } from '../bench/results/schema.js';

/** True when the run started a gateway: the microservices gateway variant, or the redeploy experiment (rolling deploys go through one). */
function runUsedGateway(results: RunResults): boolean {
  const variants = (results.config as { variants?: { topology?: string; variant?: string }[] }).variants ?? [];
  const rolling = results.experiments.redeploy !== undefined && (directReason(results) === null || results.experiments.redeploy.results.some((r) => r.strategy === 'rolling'));
  return variants.some((v) => v.topology === 'microservices' && v.variant === 'gateway') || rolling;
}

/** Why the run measured the split side direct by default (nginx not installed), if it did. */
function directReason(results: RunResults): string | null {
  return (results.config as { directInsteadOfGateway?: unknown }).directInsteadOfGateway as string | undefined ?? null;
}

/** Which proxy served the run's gateway numbers, or null when the run had no gateway. */
export function describeRunGateway(results: RunResults): string | null {
  const direct = directReason(results);
  if (direct && !runUsedGateway(results)) return `none: ${direct}`;
  if (!runUsedGateway(results) && !results.environment.gateway) return null;
  return results.environment.gateway?.label ?? 'Node gateway (this results file predates the gateway record; the Node gateway was the only implementation)';
}

/** The report sentence naming the gateway behind every gateway number. */
export function gatewayNote(results: RunResults): string | null {
  const direct = directReason(results);
  if (direct && !runUsedGateway(results)) return `Gateway — none: ${direct}.`;
  const label = describeRunGateway(results);
  return label === null ? null : `Gateway — every microservices/gateway figure (and every rolling deploy's route switch) went through: ${label}.`;
}
