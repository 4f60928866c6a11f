import { builtinModels, defaultModelNames, findModel } from '../../models/catalog.js';
import { VARIANTS_BY_KIND, type TopologyKind, type Variant } from '../targets/types.js';

/** Collects option problems so a command can report all of them at once. */
export class ProblemList {
  readonly items: string[] = [];

  /** Adds a problem. */
  add(problem: string): void {
    this.items.push(problem);
  }
}

/** Parses the topology kind argument. */
export function parseKind(value: string, problems: ProblemList): TopologyKind | undefined {
  if (value === 'monolith' || value === 'microservices') return value;
  problems.add(`unknown topology "${value}"; expected one of: monolith, microservices`);
  return undefined;
}

/** Parses --variant for a topology (default: single for monolith, gateway for microservices). */
export function parseVariant(value: string | undefined, kind: TopologyKind | undefined, problems: ProblemList): Variant | undefined {
  if (!kind) return undefined;
  const allowed = VARIANTS_BY_KIND[kind];
  if (value === undefined) return kind === 'monolith' ? 'single' : 'gateway';
  if ((allowed as readonly string[]).includes(value)) return value as Variant;
  problems.add(`unknown --variant "${value}" for ${kind}; expected one of: ${allowed.join(', ')}`);
  return undefined;
}

/** Parses --models a,b (default: the default set), reporting every unknown name at once. */
export function parseModels(value: string | undefined, problems: ProblemList): string[] {
  if (value === undefined) return defaultModelNames();
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) {
    problems.add('--models is empty; give a comma-separated list such as vad,tabular');
    return [];
  }
  const unknown = names.filter((n) => !findModel(n));
  if (unknown.length > 0) {
    problems.add(`unknown model${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} in --models; expected one of: ${builtinModels().map((m) => m.name).join(', ')}`);
  }
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) problems.add(`--models lists ${[...new Set(duplicates)].join(', ')} more than once`);
  return names;
}

/** Parses an integer option within bounds. */
export function parseInteger(flag: string, value: string | undefined, problems: ProblemList, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
    problems.add(`${flag} must be an integer between ${min} and ${max} (got "${value}")`);
    return undefined;
  }
  return number;
}

/** Parses a positive decimal option (e.g. a CPU quota). */
export function parsePositiveNumber(flag: string, value: string | undefined, problems: ProblemList): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    problems.add(`${flag} must be a number > 0 (got "${value}")`);
    return undefined;
  }
  return number;
}
