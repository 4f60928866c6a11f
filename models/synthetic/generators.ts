import type { SyntheticRecipe } from '../catalog.js';
import { createRandom, fillUniform } from '../random.js';
import { writeOnnxModel, type GraphNode, type Initializer } from './onnx-writer.js';

/** Dense weights scaled like Xavier initialisation, so activations stay in a sane range. */
function denseWeights(name: string, rows: number, cols: number, seed: number): Initializer {
  const scale = Math.sqrt(6 / (rows + cols));
  return { name, dims: [rows, cols], values: fillUniform(new Float32Array(rows * cols), createRandom(seed), -scale, scale) };
}

function bias(name: string, size: number, seed: number): Initializer {
  return { name, dims: [size], values: fillUniform(new Float32Array(size), createRandom(seed), -0.1, 0.1) };
}

/** Parameters of the tabular scoring model: features → hidden (ReLU) → sigmoid score. */
export interface TabularOptions {
  features: number;
  hidden: number;
  seed: number;
}

/** Builds a small tabular scoring MLP: the kind of model a fraud or ranking service runs. */
export function generateTabularModel({ features, hidden, seed }: TabularOptions): Uint8Array {
  return writeOnnxModel({
    name: 'tabular',
    inputs: [{ name: 'features', shape: [-1, features] }],
    outputs: [{ name: 'score', shape: [-1, 1] }],
    initializers: [
      denseWeights('w1', features, hidden, seed),
      bias('b1', hidden, seed + 1),
      denseWeights('w2', hidden, 1, seed + 2),
      bias('b2', 1, seed + 3),
    ],
    nodes: [
      { op: 'Gemm', inputs: ['features', 'w1', 'b1'], outputs: ['h1'] },
      { op: 'Relu', inputs: ['h1'], outputs: ['a1'] },
      { op: 'Gemm', inputs: ['a1', 'w2', 'b2'], outputs: ['logit'] },
      { op: 'Sigmoid', inputs: ['logit'], outputs: ['score'] },
    ],
    metadata: { 'splitbench.generator': 'tabular', 'splitbench.seed': String(seed) },
  });
}

/** Parameters of the parametric model: cost per call grows with layers × width². */
export interface ParametricOptions {
  width: number;
  layers: number;
  seed: number;
}

/** Builds a chain of `layers` dense tanh layers of `width`: a model whose cost is a knob. */
export function generateParametricModel({ width, layers, seed }: ParametricOptions): Uint8Array {
  const initializers: Initializer[] = [];
  const nodes: GraphNode[] = [];
  let current = 'x';
  for (let layer = 0; layer < layers; layer++) {
    const weights = `w${layer}`;
    initializers.push(denseWeights(weights, width, width, seed * 1000 + layer));
    const product = `m${layer}`;
    const next = layer === layers - 1 ? 'y' : `t${layer}`;
    nodes.push({ op: 'MatMul', inputs: [current, weights], outputs: [product] });
    nodes.push({ op: 'Tanh', inputs: [product], outputs: [next] });
    current = next;
  }
  return writeOnnxModel({
    name: 'parametric',
    inputs: [{ name: 'x', shape: [-1, width] }],
    outputs: [{ name: 'y', shape: [-1, width] }],
    initializers,
    nodes,
    metadata: { 'splitbench.generator': 'parametric', 'splitbench.seed': String(seed), 'splitbench.layers': String(layers), 'splitbench.width': String(width) },
  });
}

/** Opset and IR version of the first ONNX release with RMSNormalization (onnxruntime 1.23+ runs it). */
export const RMS_NORM_OPSET = 23;
export const RMS_NORM_IR_VERSION = 11;

/** Parameters of the RMS-norm model: dense layer then RMSNormalization, which only opset 23 has. */
export interface RmsNormOptions {
  width: number;
  seed: number;
}

/** Builds a dense layer followed by RMSNormalization (opset 23): a model older runtimes cannot load. */
export function generateRmsNormModel({ width, seed }: RmsNormOptions): Uint8Array {
  const scale: Initializer = { name: 'scale', dims: [width], values: fillUniform(new Float32Array(width), createRandom(seed + 1), 0.5, 1.5) };
  return writeOnnxModel({
    name: 'rms-norm',
    inputs: [{ name: 'x', shape: [-1, width] }],
    outputs: [{ name: 'y', shape: [-1, width] }],
    initializers: [denseWeights('w', width, width, seed), scale],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'RMSNormalization', inputs: ['h', 'scale'], outputs: ['y'], attributes: { axis: -1 } },
    ],
    metadata: { 'splitbench.generator': 'rms-norm', 'splitbench.seed': String(seed) },
    opset: RMS_NORM_OPSET,
    irVersion: RMS_NORM_IR_VERSION,
  });
}

/** Writes version `version` of a catalog recipe. */
export function generateFromRecipe(recipe: SyntheticRecipe, version: number): Uint8Array {
  const seed = recipe.seed + version * recipe.seedPerVersion;
  if (recipe.generator === 'tabular') return generateTabularModel({ features: recipe.features, hidden: recipe.hidden, seed });
  if (recipe.generator === 'rms-norm') return generateRmsNormModel({ width: recipe.width, seed });
  return generateParametricModel({ width: recipe.width, layers: recipe.layers, seed });
}
