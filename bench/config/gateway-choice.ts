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

/** The label of the Node gateway, saying why it serves. */
export function describeNodeGateway(requested: GatewayChoice): string {
  return requested === 'node' ? 'Node gateway (requested with --gateway node)' : 'Node gateway (zero-dependency fallback; nginx not installed)';
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
  return { requested: selection.requested, implementation: 'node', nginxVersion: null, label: 'Node gateway (fallback: the target cannot run nginx; the docker runtime image has none)' };
}
