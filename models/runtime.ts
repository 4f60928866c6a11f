import { performance } from 'node:perf_hooks';
import type * as Ort from 'onnxruntime-node';
import type { ModelSpec } from './catalog.js';
import { importRuntime, resolveRuntime, type OrtModule, type RuntimeInfo } from './runtimes.js';
import { describeModelFile, ModelFileError, type ModelFileInfo } from './store.js';
import { toFloat16Bits } from './float16.js';
import { DATATYPE_INFO, DATATYPES, datatypeOfOrt, type Tensor } from './tensor.js';

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

/** Converts a protocol tensor to an onnxruntime tensor without copying its data. */
function toOrtTensor(ort: OrtModule, tensor: Tensor): Ort.Tensor {
  return new ort.Tensor(DATATYPE_INFO[tensor.datatype].ort, tensor.data as Uint8Array, tensor.shape);
}

/** Converts an onnxruntime output back to a protocol tensor (FP16 as its raw bits, BOOL as 0/1 bytes). */
function fromOrtTensor(name: string, value: Ort.Tensor): Tensor {
  const shape = value.dims.map(Number);
  const datatype = datatypeOfOrt(value.type);
  if (!datatype) throw new Error(`output "${name}" has datatype ${value.type}, which splitbench does not serve (it serves ${DATATYPES.join(', ')})`);
  let data = value.data as Tensor['data'];
  // A runtime on a Node with a native Float16Array may hand FP16 out as numbers: keep the bits.
  if (datatype === 'FP16' && !(data instanceof Uint16Array)) data = toFloat16Bits(data as unknown as ArrayLike<number>);
  if (datatype === 'BOOL' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as unknown as ArrayLike<number>, (v) => (v ? 1 : 0));
  return { name, datatype, shape, data };
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
