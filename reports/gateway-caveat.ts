import type { Comparison, ExperimentName, RunResults } from '../bench/results/schema.js';

/** True when the run's gateway was the Node gateway serving as a fallback (nginx missing here or in the target), not chosen with --gateway node. */
export function isFallbackGatewayRun(results: RunResults): boolean {
  const gateway = results.environment.gateway;
  return gateway !== undefined && gateway.implementation === 'node' && gateway.requested !== 'node';
}

/** Whether a comparison's numbers went through the gateway: the microservices/gateway side, or a rolling deploy (both sides switch through one). */
export function wentThroughGateway(comparison: Comparison, experiment: ExperimentName): boolean {
  if (experiment === 'library') return false;
  return comparison.microservices.variant === 'gateway' || (experiment === 'redeploy' && /\brolling\b/.test(comparison.label));
}

/** "+330 µs" / "−12 µs": a measured difference with its sign. */
function formatSignedUs(us: number): string {
  return `${us < 0 ? '−' : '+'}${Math.round(Math.abs(us)).toLocaleString('en-US')} µs`;
}

/** Node minus nginx gateway CPU per request from the calibration the run recorded, with its date; null when either was not measured. */
export function readGatewayCostGap(results: RunResults): { us: number; measuredOn: string } | null {
  const calibration = results.calibration?.gateways;
  const cpu = (implementation: 'node' | 'nginx') => calibration?.gateways.find((g) => g.implementation === implementation)?.gatewayCpuUsPerRequest ?? null;
  const node = cpu('node');
  const nginx = cpu('nginx');
  if (!calibration || node === null || nginx === null) return null;
  return { us: node - nginx, measuredOn: calibration.measuredAt.slice(0, 10) };
}

/** The caveat every gateway number of a fallback run carries: the measured per-request cost against nginx, or that it was not measured. Null for other runs. */
export function describeGatewayCaveat(results: RunResults): string | null {
  if (!isFallbackGatewayRun(results)) return null;
  const gap = readGatewayCostGap(results);
  if (gap === null) return 'via the Node fallback gateway: per-request cost vs nginx not measured on this machine; run `splitbench calibrate` (with nginx installed)';
  return `via the Node fallback gateway: ${formatSignedUs(gap.us)} CPU per request vs nginx (calibrate, ${gap.measuredOn})`;
}

/** Every caveat of one comparison: the one the run recorded with it, then the fallback gateway's when its numbers went through it. */
export function listCaveats(results: RunResults, comparison: Comparison, experiment: ExperimentName): string[] {
  const gateway = wentThroughGateway(comparison, experiment) ? describeGatewayCaveat(results) : null;
  return [...(comparison.caveat ? [comparison.caveat] : []), ...(gateway ? [gateway] : [])];
}
