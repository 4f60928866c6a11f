import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { importRuntime, resolveRuntime } from '../runtimes.js';
import { sha256 } from '../store.js';
import { DATATYPE_INFO, elementCount } from '../tensor.js';
import type { InputValues } from './manifest-schema.js';
import { defaultValues, makeInputData } from './manifest-specs.js';
import { readGraphSignature } from './onnx-graph.js';
import { ManifestError } from './read-manifest.js';

/** What `models init` found and guessed for one file. */
export interface InitModel {
  name: string;
  file: string;
  medianMs: number;
  weightClass: 'light' | 'heavy';
  sloMs: number;
  rateRps: number;
}

// Guesses, each marked in the manifest for review: heavy from 10 ms of bare cost, an SLO of five
// times the bare cost (at least 10 ms), and a rate that keeps each model near a tenth of one core.
const HEAVY_FROM_MS = 10;
const SLO_TIMES_COST = 5;
const CORE_SHARE = 0.1;

/** A manifest-safe model name from a file name. */
function nameOf(file: string): string {
  return basename(file, '.onnx').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'model';
}

/** YAML flow form of a value generator. */
function showValues(values: InputValues): string {
  if ('random' in values) return `{ random: { low: ${values.random.low}, high: ${values.random.high} } }`;
  if ('constant' in values) return `{ constant: ${values.constant} }`;
  return '{ zeros: true }';
}

/** Measures each .onnx file in `dir` once on the default runtime and writes a starter manifest (YAML text) with every guess marked. */
export async function initManifest(dir: string, manifestDir = dir, timedRuns = 10): Promise<{ text: string; models: InitModel[] }> {
  const root = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(root).filter((f) => f.endsWith('.onnx')).sort();
  } catch {
    throw new ManifestError([`${dir} is not a readable folder; give the folder that holds your .onnx files`]);
  }
  if (files.length === 0) throw new ManifestError([`${dir} has no .onnx files; put your models there (external-data files stay beside their .onnx)`]);
  const ort = importRuntime(resolveRuntime());
  const problems: string[] = [];
  const blocks: string[] = [];
  const models: InitModel[] = [];
  for (const file of files) {
    const path = join(root, file);
    let signature;
    const bytes = readFileSync(path);
    try {
      signature = readGraphSignature(bytes);
    } catch (error) {
      problems.push(`${file}: not a readable ONNX model (${(error as Error).message})`);
      continue;
    }
    const unserved = [...signature.inputs, ...signature.outputs].filter((t) => t.datatype === null);
    if (unserved.length > 0) {
      problems.push(`${file}: ${unserved.map((t) => `"${t.name}" has ONNX element type ${t.elemType}`).join(', ')}, which splitbench does not serve (it serves ${Object.keys(DATATYPE_INFO).join(', ')})`);
      continue;
    }
    const inputs = signature.inputs.map((t) => ({ name: t.name, datatype: t.datatype!, shape: t.dims.map((d) => d ?? 1), dynamic: t.dims.some((d) => d === null), values: defaultValues(t.datatype!) }));
    let session;
    try {
      session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    } catch (error) {
      problems.push(`${file}: failed to load on ${resolveRuntime().name}: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    try {
      const feeds = Object.fromEntries(inputs.map((t, i) => [t.name, new ort.Tensor(DATATYPE_INFO[t.datatype].ort, makeInputData(t.datatype, elementCount(t.shape), t.values, 1 + i) as Uint8Array, t.shape)]));
      let outputs = await session.run(feeds);
      for (let i = 0; i < 2; i++) outputs = await session.run(feeds);
      const times: number[] = [];
      for (let i = 0; i < timedRuns; i++) {
        const started = performance.now();
        await session.run(feeds);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const medianMs = times[Math.floor(times.length / 2)]!;
      const model: InitModel = {
        name: nameOf(file), file: relative(resolve(manifestDir), path), medianMs,
        weightClass: medianMs >= HEAVY_FROM_MS ? 'heavy' : 'light',
        sloMs: Math.max(10, Math.ceil(SLO_TIMES_COST * medianMs)),
        rateRps: Math.max(1, Math.min(100, Math.floor((CORE_SHARE * 1000) / Math.max(medianMs, 0.1)))),
      };
      models.push(model);
      const guess = `# guess from one measurement (bare cost ${medianMs.toFixed(2)} ms on ${resolveRuntime().name}): review`;
      blocks.push([
        `  - name: ${model.name}`,
        `    file: ${JSON.stringify(model.file)}`,
        `    sha256: "${sha256(bytes)}"   # checked on every run: update it when the model changes`,
        `    weight_class: ${model.weightClass}   ${guess}`,
        `    slo_ms: ${model.sloMs}   ${guess}`,
        `    rate_rps: ${model.rateRps}   ${guess}`,
        '    encoding: binary',
        '    inputs:',
        ...inputs.map((t) => `      - { name: ${JSON.stringify(t.name)}, datatype: ${t.datatype}, shape: [${t.shape.join(', ')}], values: ${showValues(t.values)} }${t.dynamic ? '   # dynamic dims set to 1: give the size your requests send' : '   # values: a guess, review'}`),
        '    outputs:',
        ...signature.outputs.map((t) => `      - { name: ${JSON.stringify(t.name)}, datatype: ${t.datatype}, shape: [${(outputs[t.name]?.dims ?? t.dims.map((d) => d ?? 1)).map(Number).join(', ')}] }`),
      ].join('\n'));
    } finally {
      await session.release();
    }
  }
  if (problems.length > 0) throw new ManifestError(problems);
  const text = ['# splitbench model manifest, written by `splitbench models init`. Review every line marked "guess".', 'version: 1', 'models:', ...blocks, ''].join('\n');
  return { text, models };
}
