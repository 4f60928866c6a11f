import os from 'node:os';
import { join } from 'node:path';
import { builtinModels, defaultModelNames, findModel } from '../../models/catalog.js';
import { projectRoot } from '../../models/paths.js';
import type { ThreadBudget } from '../../models/runtime.js';
import { EXPERIMENT_NAMES, type ExperimentName } from '../results/schema.js';
import { PROFILE_NAMES, PROFILES, FAULT_KINDS, type FaultSettings, type ProfileDefinition, type ProfileName, type ProfileSettings } from './profiles.js';
import { parseVariants, variantKey, type TopologyVariant } from './topologies.js';
import { ManifestError, type LoadedManifest } from '../../models/manifest/read-manifest.js';
import { useManifest } from '../../models/manifest/active-manifest.js';
import { builtinManifest } from '../../models/manifest/builtin-manifest.js';
import type { ManifestTargets } from '../../models/manifest/manifest-schema.js';
import { isFallbackGateway, resolveGateway, type GatewaySelection } from './gateway-choice.js';

/** Options as the CLI hands them over: strings, unvalidated. */
export interface RunOptions {
  experiments: string;
  profile?: string;
  topologies?: string;
  models?: string;
  out?: string;
  trials?: string;
  seed?: string;
  cpus?: string;
  generatorCpus?: string;
  priceVcpuHour?: string;
  priceGibHour?: string;
  faultKinds?: string;
  faultModels?: string;
  threshold?: string[];
  /** --gateway auto|nginx|node. */
  gateway?: string;
  /** --manifest: the user's models (splitbench.yaml). */
  manifest?: string;
}

/** The manifest a run served, as recorded in results.json: where it was and each model's file and hash. */
export interface RunManifest {
  path: string;
  /** Each model's source (its file, relative to the manifest) and, when it was read, its hash and size. */
  models: { name: string; file: string; sha256: string | null; bytes: number | null; nextFile?: string; nextSha256?: string }[];
}

/** A fully resolved, validated run configuration: recorded verbatim in results.json. */
export interface RunConfig {
  profile: ProfileName;
  experiments: ExperimentName[];
  models: string[];
  variants: TopologyVariant[];
  trials: number;
  seed: number;
  threads: ThreadBudget;
  uvThreadpoolSize: number;
  cpus: { servers: number[] | null; generator: number[] | null };
  outDir: string;
  settings: ProfileSettings;
  thresholds: string[];
  /** Gateway implementation of every gateway this run starts (absent in configs older than the nginx gateway: Node). */
  gateway?: GatewaySelection;
  /** The manifest whose models the run measured; absent for the built-in models. */
  manifest?: RunManifest;
  /** Why the default split side is measured direct instead of behind a gateway (nginx not installed); absent when it is not. */
  directInsteadOfGateway?: string;
}

/** Invalid options: every problem found, each saying what was wrong and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Parses a positive integer option, recording a problem if it is not one. */
function parsePositiveInteger(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    problems.push(`${name}: expected a whole number ≥ 1, received "${value}"`);
    return fallback;
  }
  return parsed;
}

/** Parses a non-negative price option. */
function parsePrice(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    problems.push(`${name}: expected a price in USD ≥ 0, received "${value}"`);
    return fallback;
  }
  return parsed;
}

/** Parses a CPU list like `1` or `0,2-3`; null for `none`. */
export function parseCpuList(name: string, value: string, problems: string[]): number[] | null {
  if (value === 'none') return null;
  const cpus: number[] = [];
  const available = os.cpus().length;
  for (const part of value.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) {
      problems.push(`${name}: "${part}" is not a CPU number or range; expected e.g. 1 or 0,2-3 or none`);
      continue;
    }
    const low = Number(match[1]);
    const high = Number(match[2] ?? match[1]);
    for (let cpu = low; cpu <= high; cpu++) cpus.push(cpu);
  }
  const outOfRange = cpus.filter((cpu) => cpu >= available);
  if (outOfRange.length > 0) problems.push(`${name}: CPU ${outOfRange.join(', ')} does not exist; this machine has CPUs 0-${available - 1}`);
  return cpus;
}

/** The default split: load generator and harness on CPU 0, every server on the rest (none on a 1-core machine). */
export function defaultCpuSets(): RunConfig['cpus'] {
  const cores = os.cpus().length;
  if (cores < 2) return { servers: null, generator: null };
  return { generator: [0], servers: Array.from({ length: cores - 1 }, (_, i) => i + 1) };
}

/** Why a run without nginx measures the split side direct; printed when it starts and recorded in its results. */
export const DIRECT_INSTEAD_OF_GATEWAY =
  'nginx is not installed, so the split side is measured direct (each client connects to its model\'s service, as with per-service DNS): ' +
  'the Node fallback gateway costs several times nginx\'s CPU per request on the servers\' shared core (README, "Gateways") and would turn the verdict against the split. ' +
  'Install nginx to include the gateway hop, or add --topologies monolith:workers,microservices:gateway --gateway node to measure the Node gateway anyway';

/** A profile's default topology list with the gateway variant swapped for the direct one. */
export function replaceGatewayWithDirect(spec: string): string {
  const variants = parseVariants(spec).variants.filter((v) => !(v.topology === 'microservices' && v.variant === 'gateway'));
  if (!variants.some((v) => v.topology === 'microservices')) variants.push({ topology: 'microservices', variant: 'direct' });
  return variants.map(variantKey).join(',');
}

/** A comma-separated option as trimmed, non-empty parts. */
function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * A profile's settings for this run's models: each model's rate from its manifest entry, and the
 * models the experiments single out from the manifest's experiment_targets (those in the run; else
 * the run's first light model).
 */
function settingsForModels(definition: ProfileDefinition, models: readonly string[], targets: ManifestTargets): ProfileSettings {
  const firstLight = models.find((m) => findModel(m)?.weightClass === 'light') ?? models[0]!;
  const inRun = (name: string | undefined) => (name !== undefined && models.includes(name) ? name : undefined);
  const { fault: { targets: faultTargetKind, ...fault }, ...rest } = structuredClone(definition);
  const faultTargets = faultTargetKind === 'every-model' ? [...models] : (targets.fault ?? []).filter((m) => models.includes(m));
  const targetModels = faultTargets.length > 0 ? faultTargets : [firstLight];
  return {
    ...rest,
    // Only known models reach here (the caller filters), each with its manifest rate.
    latency: { ...rest.latency, rates: Object.fromEntries(models.map((m) => [m, findModel(m)!.rateRps])) },
    redeploy: { ...rest.redeploy, targetModel: inRun(targets.redeploy) ?? firstLight },
    fault: { ...fault, targetModels, kindTarget: (targets.fault ?? []).find((m) => targetModels.includes(m)) ?? targetModels[0]! },
    diagnose: { ...rest.diagnose, targetModel: inRun(targets.diagnose) ?? firstLight },
  };
}

/** Turns CLI options into a RunConfig, reporting every problem at once. */
export function resolveRunConfig(options: RunOptions): RunConfig {
  const problems: string[] = [];
  const profile = (options.profile ?? 'quick') as ProfileName;
  if (!PROFILE_NAMES.includes(profile)) problems.push(`--profile: "${options.profile}" is not a profile; expected one of ${PROFILE_NAMES.join(', ')}`);
  const definition = PROFILES[PROFILE_NAMES.includes(profile) ? profile : 'quick'];

  const requested = options.experiments === 'all' ? [...EXPERIMENT_NAMES] : options.experiments.split(',').map((s) => s.trim()).filter(Boolean);
  const experiments = requested.filter((name): name is ExperimentName => (EXPERIMENT_NAMES as readonly string[]).includes(name));
  const unknownExperiments = requested.filter((name) => !(EXPERIMENT_NAMES as readonly string[]).includes(name));
  if (unknownExperiments.length > 0) problems.push(`experiment ${unknownExperiments.map((e) => `"${e}"`).join(', ')} unknown; expected a comma-separated list of ${EXPERIMENT_NAMES.join(', ')} (or all)`);
  if (requested.length === 0) problems.push(`no experiment named; expected a comma-separated list of ${EXPERIMENT_NAMES.join(', ')} (or all)`);

  // The user's manifest, or the built-in one: both read at full depth (every file hashed against its pin).
  let manifest: LoadedManifest | null = null;
  let manifestTargets: ManifestTargets = {};
  try {
    if (options.manifest !== undefined) {
      manifest = useManifest(options.manifest);
      manifestTargets = manifest.targets;
    } else manifestTargets = builtinManifest('files').targets;
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    problems.push(...error.problems.map((p) => `${options.manifest !== undefined ? '--manifest' : 'the built-in manifest (models/builtin.yaml)'}: ${p}`));
  }
  const manifestNames = manifest?.models.filter((m) => m.entry.run_by_default).map((m) => m.entry.name);
  const models = options.models ? options.models.split(',').map((s) => s.trim()).filter(Boolean) : manifestNames ? [...manifestNames] : defaultModelNames();
  const unknownModels = models.filter((name) => !findModel(name));
  if (unknownModels.length > 0) problems.push(`--models: ${unknownModels.map((m) => `"${m}"`).join(', ')} not in the ${manifest ? 'manifest or the ' : ''}catalog; expected names from: ${[...(manifest?.models.map((m) => m.entry.name) ?? []), ...builtinModels().map((m) => m.name)].join(', ')}`);
  if (models.length < 2) problems.push('--models: name at least two models; one model cannot show what co-hosting does');
  const settings = settingsForModels(definition, models.filter((m) => findModel(m)), manifestTargets);

  const gateway = resolveGateway(options.gateway);
  if (typeof gateway === 'string') problems.push(gateway);
  // Without nginx the default split side goes direct: the Node fallback is no fair stand-in for a production proxy.
  const withoutGateway = options.topologies === undefined && typeof gateway !== 'string' && isFallbackGateway(gateway);
  const { variants, problems: variantProblems } = parseVariants(withoutGateway ? replaceGatewayWithDirect(settings.topologies) : (options.topologies ?? settings.topologies));
  problems.push(...variantProblems);
  if (variants.length > 0 && !(variants.some((v) => v.topology === 'monolith') && variants.some((v) => v.topology === 'microservices'))) {
    problems.push('--topologies: include at least one monolith and one microservices variant, or there is nothing to compare');
  }

  const trials = parsePositiveInteger('--trials', options.trials, settings.trials, problems);
  const seed = parsePositiveInteger('--seed', options.seed, 42, problems);
  settings.footprint.price.usdPerVcpuHour = parsePrice('--price-vcpu-hour', options.priceVcpuHour, settings.footprint.price.usdPerVcpuHour, problems);
  settings.footprint.price.usdPerGibHour = parsePrice('--price-gib-hour', options.priceGibHour, settings.footprint.price.usdPerGibHour, problems);
  if (options.priceVcpuHour !== undefined || options.priceGibHour !== undefined) settings.footprint.price.source = 'user-supplied (--price-vcpu-hour / --price-gib-hour)';

  const defaults = defaultCpuSets();
  const cpus = {
    servers: options.cpus !== undefined ? parseCpuList('--cpus', options.cpus, problems) : defaults.servers,
    generator: options.generatorCpus !== undefined ? parseCpuList('--generator-cpus', options.generatorCpus, problems) : defaults.generator,
  };

  if (options.faultKinds !== undefined) {
    const kinds = splitList(options.faultKinds);
    const unknown = kinds.filter((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
    if (unknown.length > 0 || kinds.length === 0) problems.push(`--fault-kinds: expected a comma-separated list of ${FAULT_KINDS.join(', ')}, received "${options.faultKinds}"`);
    else {
      settings.fault.kinds = kinds as FaultSettings['kinds'];
      settings.diagnose.kinds = kinds as FaultSettings['kinds'];
    }
  }
  if (options.faultModels !== undefined) {
    const targets = splitList(options.faultModels);
    const outside = targets.filter((m) => !models.includes(m));
    if (outside.length > 0 || targets.length === 0) problems.push(`--fault-models: expected models of this run (${models.join(', ')}), received "${options.faultModels}"`);
    else {
      settings.fault.targetModels = targets;
      settings.fault.isolationKinds = 'all';
    }
  }
  if (!settings.fault.targetModels.includes(settings.fault.kindTarget)) settings.fault.kindTarget = settings.fault.targetModels[0]!;

  if (problems.length > 0 || typeof gateway === 'string') throw new ConfigError(problems);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return {
    profile,
    experiments,
    models,
    variants,
    trials,
    seed,
    threads: { intraOpThreads: 1, interOpThreads: 1 },
    uvThreadpoolSize: 4,
    cpus,
    outDir: options.out ?? join(projectRoot(), 'reports', 'runs', stamp),
    settings,
    thresholds: options.threshold ?? [],
    gateway,
    ...(withoutGateway ? { directInsteadOfGateway: DIRECT_INSTEAD_OF_GATEWAY } : {}),
    ...(manifest ? { manifest: { path: manifest.path, models: manifest.models.map((m) => ({ name: m.entry.name, file: m.source, sha256: m.sha256, bytes: m.bytes, ...(m.next ? { nextFile: m.entry.next_file!, nextSha256: m.next.sha256 } : {}) })) } } : {}),
  };
}
