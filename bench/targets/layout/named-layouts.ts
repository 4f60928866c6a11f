/**
 * The four topology variants as layouts built from data: monolith:single and monolith:workers (one
 * group `monolith` holding every model), microservices:direct and microservices:gateway (one group
 * per model, named after it). A TopologySpec without a layout maps to one of these, so its plan is
 * what it was before layouts existed.
 */
import type { TopologyKind, TopologySpec, Variant } from '../types.js';
import { requireLayout, type LayoutContext } from './check-layout.js';
import { MONOLITH_GROUP, type GroupResources, type Layout, type LayoutGateway } from './layout-types.js';

/** Names of the built-in layouts, `kind:variant`. */
export type NamedLayoutName = 'monolith:single' | 'monolith:workers' | 'microservices:direct' | 'microservices:gateway';

/** Every built-in layout name, in the order help texts list them. */
export const NAMED_LAYOUTS: readonly NamedLayoutName[] = ['monolith:single', 'monolith:workers', 'microservices:direct', 'microservices:gateway'];

/** What a named layout is built for. */
export interface NamedLayoutOptions {
  readonly models: readonly string[];
  /** Resources of every model-hosting process. */
  readonly resources?: GroupResources;
  /** Gateway of microservices:gateway (default node); `monolithGateway` puts one in front of the monolith too. */
  readonly gateway?: 'node' | 'nginx';
  readonly monolithGateway?: boolean;
}

/** The built-in layout of a topology variant over the given models. */
export function namedLayout(name: NamedLayoutName, options: NamedLayoutOptions): Layout {
  const resources = options.resources ?? {};
  const implementation = options.gateway ?? 'node';
  if (name === 'monolith:single' || name === 'monolith:workers') {
    const gateway: LayoutGateway = options.monolithGateway ? implementation : 'none';
    const variant = name === 'monolith:single' ? 'single' : 'workers';
    return requireLayout({ name, gateway, groups: [{ name: MONOLITH_GROUP, models: [...options.models], variant, replicas: 1, resources }] }, context(options.models));
  }
  const gateway: LayoutGateway = name === 'microservices:gateway' ? implementation : 'none';
  const groups = options.models.map((model) => ({ name: model, models: [model], variant: 'single' as const, replicas: 1, resources }));
  return requireLayout({ name, gateway, groups }, context(options.models));
}

/** Named layouts trust their model names: the spec's own check (findSpecProblems) judges those. */
function context(models: readonly string[]): LayoutContext {
  return { models, isKnownModel: () => true };
}

/** The layout name of a topology kind and variant (throws on a pair that does not exist). */
export function namedLayoutOf(kind: TopologyKind, variant: Variant): NamedLayoutName {
  const name = `${kind}:${variant}`;
  if (!(NAMED_LAYOUTS as readonly string[]).includes(name)) throw new Error(`no layout for ${name}; expected one of: ${NAMED_LAYOUTS.join(', ')}`);
  return name as NamedLayoutName;
}

/** Resources of a spec's model-hosting processes as group resources (lossless: MiB may be fractional). */
export function specResources(spec: TopologySpec): GroupResources {
  return {
    ...(spec.serverCpus !== undefined && spec.serverCpus.length > 0 ? { cpus: spec.serverCpus.join(',') } : {}),
    ...(spec.cpuQuota !== undefined ? { cpuQuota: spec.cpuQuota } : {}),
    ...(spec.memoryLimitBytes !== undefined ? { memoryMb: spec.memoryLimitBytes / (1024 * 1024) } : {}),
  };
}

/** The layout a spec deploys: its own `layout`, else the named layout of its kind and variant. */
export function layoutOfSpec(spec: TopologySpec): Layout {
  if (spec.layout) return spec.layout;
  return namedLayout(namedLayoutOf(spec.kind, spec.variant), {
    models: spec.models,
    resources: specResources(spec),
    ...(spec.gateway ? { gateway: spec.gateway } : {}),
    ...(spec.monolithGateway ? { monolithGateway: true } : {}),
  });
}
