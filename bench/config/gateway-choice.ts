import { spawnSync } from 'node:child_process';
import { findNginx } from '../../serving/gateway/find-nginx.js';
import type { GatewayImplementation } from '../targets/types.js';

/** What --gateway accepts: auto picks nginx when installed, else the Node gateway. */
export const GATEWAY_CHOICES = ['auto', 'nginx', 'node'] as const;
export type GatewayChoice = (typeof GATEWAY_CHOICES)[number];

/** The gateway a run uses, how it was chosen, and the label reports print beside gateway numbers. */
export interface GatewaySelection {
  requested: GatewayChoice;
  implementation: GatewayImplementation;
  /** nginx version string (e.g. "nginx/1.22.1") when nginx serves, else null. */
  nginxVersion: string | null;
  /** Human label, e.g. "nginx/1.22.1 (keep-alive upstreams, one worker)" or "Node gateway (zero-dependency fallback; nginx not installed)". */
  label: string;
}

/** `nginx -v` of a binary (it prints to stderr), or null when it cannot run. */
export function readNginxVersion(binary: string): string | null {
  const result = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return /nginx\/[\w.]+/.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`)?.[0] ?? null;
}

/** Label of the Node gateway chosen explicitly (--gateway node): a choice, not a fallback. */
export const NODE_GATEWAY_LABEL = 'Node gateway';
/** Label of the Node gateway serving because nginx is not installed. */
export const NODE_FALLBACK_LABEL = 'Node gateway (zero-dependency fallback; nginx not installed)';
/** Label of the Node gateway serving because the target cannot run nginx. */
export const TARGET_FALLBACK_LABEL = 'Node gateway (fallback: the target cannot run nginx; the docker runtime image has none)';

/** The label of the Node gateway: plain when chosen explicitly, the fallback's reason when chosen automatically. */
export function describeNodeGateway(requested: GatewayChoice): string {
  return requested === 'node' ? NODE_GATEWAY_LABEL : NODE_FALLBACK_LABEL;
}

/** The label of the nginx gateway with its version. */
export function describeNginxGateway(version: string | null): string {
  return `${version ?? 'nginx'} (keep-alive upstreams, one worker)`;
}

/**
 * Resolves --gateway (default auto): nginx when requested or installed, else the Node gateway.
 * Returns a problem string instead when nginx is requested and not installed.
 */
export function resolveGateway(value: string | undefined, flag = '--gateway'): GatewaySelection | string {
  const requested = (value ?? 'auto') as GatewayChoice;
  if (!GATEWAY_CHOICES.includes(requested)) return `${flag}: "${value}" is not a gateway; expected one of ${GATEWAY_CHOICES.join(', ')}`;
  const nginx = requested === 'node' ? null : findNginx();
  if (requested === 'nginx' && nginx === null) return `${flag}: nginx is not installed (no nginx on PATH or in /usr/sbin); install it (apt-get install nginx), set SPLITBENCH_NGINX=/path/to/nginx, or use --gateway node`;
  if (nginx === null) return { requested, implementation: 'node', nginxVersion: null, label: describeNodeGateway(requested) };
  const version = readNginxVersion(nginx);
  return { requested, implementation: 'nginx', nginxVersion: version, label: describeNginxGateway(version) };
}

/**
 * The selection a target really serves: when the target cannot run nginx (a docker image without it),
 * the Node gateway serves and the record says why.
 */
export async function fitGatewayToTarget(selection: GatewaySelection, target: { servingGateway?(requested: GatewayImplementation): Promise<GatewayImplementation> }): Promise<GatewaySelection> {
  if (selection.implementation !== 'nginx' || !target.servingGateway || (await target.servingGateway('nginx')) === 'nginx') return selection;
  return { requested: selection.requested, implementation: 'node', nginxVersion: null, label: TARGET_FALLBACK_LABEL };
}

/** The label of the gateway a topology really served with, given the selection (a target without nginx serves the Node gateway). */
export function labelServedGateway(selection: GatewaySelection, served: GatewayImplementation): string {
  if (served === selection.implementation) return selection.label;
  return served === 'node' ? TARGET_FALLBACK_LABEL : describeNginxGateway(null);
}

/** True when the Node gateway serves because nginx could not (not installed, or not in the target), not because --gateway node asked for it. */
export function isFallbackGateway(selection: Pick<GatewaySelection, 'requested' | 'implementation'>): boolean {
  return selection.implementation === 'node' && selection.requested !== 'node';
}
