import type { Topology, VariantName } from '../results/schema.js';

/** A topology and the variant of it that is measured, e.g. monolith/workers. */
export interface TopologyVariant {
  topology: Topology;
  variant: VariantName;
}

/** Every topology variant splitbench can measure, in display order. */
export const ALL_VARIANTS: readonly TopologyVariant[] = [
  { topology: 'monolith', variant: 'single' },
  { topology: 'monolith', variant: 'workers' },
  { topology: 'microservices', variant: 'direct' },
  { topology: 'microservices', variant: 'gateway' },
];

/** `monolith:single` style key of a topology variant (used in config and CLI). */
export function variantKey({ topology, variant }: TopologyVariant): string {
  return `${topology}:${variant}`;
}

/** Parses `monolith`, `microservices`, `monolith:workers`, ...; a bare topology means all its variants. */
export function parseVariants(spec: string): { variants: TopologyVariant[]; problems: string[] } {
  const variants: TopologyVariant[] = [];
  const problems: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const matches = ALL_VARIANTS.filter((v) => variantKey(v) === part || v.topology === part);
    if (matches.length === 0) {
      problems.push(`--topologies: "${part}" is not a topology; expected monolith, microservices or one of ${ALL_VARIANTS.map(variantKey).join(', ')}`);
    }
    for (const match of matches) if (!variants.includes(match)) variants.push(match);
  }
  if (variants.length === 0 && problems.length === 0) problems.push('--topologies: empty list; name at least one topology');
  return { variants, problems };
}
