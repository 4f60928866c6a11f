import { performance } from 'node:perf_hooks';
import type * as Ort from 'onnxruntime-node';
import type { ModelSpec } from './catalog.js';
import { importRuntime, resolveRuntime, type OrtModule, type RuntimeInfo } from './runtimes.js';
import { describeModelFile, ModelFileError, type ModelFileInfo } from './store.js';
import type { Datatype, Tensor } from './tensor.js';

/** onnxruntime threads a session may use; the same budget is applied to both topologies. */
export interface ThreadBudget {
  intraOpThreads: number;
  interOpThreads: number;
}

export const DEFAULT_THREADS: ThreadBudget = { intraOpThreads: 1, interOpThreads: 1 };

/** A model loaded into an onnxruntime session and warmed up: the one code path both topologies run. */
export interface LoadedModel {
  spec: ModelSpec;
  file: ModelFileInfo;
  /** The onnxruntime the session runs on. */
  runtime: RuntimeInfo;
  loadMs: number;
  warmupMs: number;
  run(inputs: readonly Tensor[]): Promise<Tensor[]>;
  release(): Promise<void>;
}

const ORT_TYPES: Record<Datatype, 'float32' | 'int64'> = { FP32: 'float32', INT64: 'int64' };

/** Converts a protocol tensor to an onnxruntime tensor without copying its data. */
function toOrtTensor(ort: OrtModule, tensor: Tensor): Ort.Tensor {
  return new ort.Tensor(ORT_TYPES[tensor.datatype], tensor.data, tensor.shape);
}

/** Converts an onnxruntime output back to a protocol tensor. */
function fromOrtTensor(name: string, value: Ort.Tensor): Tensor {
  const shape = value.dims.map(Number);
  if (value.type === 'float32') return { name, datatype: 'FP32', shape, data: value.data as Float32Array };
  if (value.type === 'int64') return { name, datatype: 'INT64', shape, data: value.data as BigInt64Array };
  throw new Error(`output "${name}" has datatype ${value.type}, which splitbench does not serve`);
}

/** Raised when a model file is fine but the chosen runtime cannot load it (too new an opset or IR version, say). */
export class RuntimeLoadError extends ModelFileError {}

/** Loads one version of a model from the store on a runtime (default: the main one) with an explicit thread budget, then warms it up. */
export async function loadModel(spec: ModelSpec, storeDir: string, version: number, threads: ThreadBudget = DEFAULT_THREADS, warmupRuns = 5, runtime: RuntimeInfo = resolveRuntime()): Promise<LoadedModel> {
  let file: ModelFileInfo;
  try {
    file = describeModelFile(storeDir, spec.name, version);
  } catch {
    throw new ModelFileError(`model "${spec.name}" version ${version} is not in the store ${storeDir}`, 'run `npm run build` to prepare the store, or publish that version first');
  }
  let ort: OrtModule;
  try {
    ort = importRuntime(runtime);
  } catch (error) {
    throw new RuntimeLoadError(`model "${spec.name}" version ${version} failed to load on runtime ${runtime.name}: its binding could not be loaded into this process: ${(error as Error).message}`, 'runtimes that ship the same libonnxruntime.so.1 cannot share a process; `splitbench run library` shows which pairs co-host');
  }
  const loadStarted = performance.now();
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file.path, {
      intraOpNumThreads: threads.intraOpThreads,
      interOpNumThreads: threads.interOpThreads,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    const message = `model "${spec.name}" version ${version} (${file.path}) failed to load on runtime ${runtime.name}: ${(error as Error).message}`;
    if (isRuntimeMismatch((error as Error).message)) throw new RuntimeLoadError(message, `runtime ${runtime.name} cannot run this model; serve it on a newer runtime (--runtime)`);
    throw new ModelFileError(message, 'the file is not a valid ONNX model; publish a good version');
  }
  const loadMs = performance.now() - loadStarted;
  const run = async (inputs: readonly Tensor[]): Promise<Tensor[]> => {
    const feeds: Record<string, Ort.Tensor> = {};
    for (const input of inputs) feeds[input.name] = toOrtTensor(ort, input);
    const results = await session.run(feeds);
    return spec.outputs.map((output) => fromOrtTensor(output.name, results[output.name]!));
  };
  const warmupStarted = performance.now();
  const sample = spec.sampleInputs(1);
  for (let i = 0; i < warmupRuns; i++) await run(sample);
  const warmupMs = performance.now() - warmupStarted;
  return { spec, file, runtime, loadMs, warmupMs, run, release: () => session.release() };
}

/** Whether a load error says the runtime is too old for the model (IR version, opset or operator it does not know). */
export function isRuntimeMismatch(message: string): boolean {
  return /Unsupported model IR version|binding could not be loaded|opset|Could not find an implementation|is not a registered function\/op|No Op registered/i.test(message);
}
