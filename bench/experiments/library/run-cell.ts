import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { compiledEntry } from '../../../models/paths.js';
import { DATATYPE_INFO, type Datatype, type TensorData } from '../../../models/tensor.js';
import type { CellJob, CellLine, CellStep } from './cell-protocol.js';

/** Outputs of one step, read back from the child's files. */
export interface StepOutputs {
  name: string;
  datatype: Datatype;
  values: TensorData;
}

/** What happened to one step of a cell. */
export interface StepOutcome {
  step: CellStep;
  loaded: boolean;
  loadMs: number | null;
  /** The loader's (or the run's) error, first line. */
  error: string | null;
  outputs: StepOutputs[] | null;
  medianMs: number | null;
  /** Bare calls timed (the median's sample size), or null when the step did not run. */
  runs: number | null;
  /** Duration of every timed bare call, ms (empty when the step did not run). */
  durationsMs: number[];
}

/** What one cell child process did: its steps, and how the process ended. */
export interface CellOutcome {
  steps: StepOutcome[];
  exitCode: number | null;
  signal: string | null;
  /** True when the process printed `done` and exited 0. */
  completed: boolean;
  stderrTail: string[];
}

/** How a cell child is started: store, scratch folder for outputs, threads, iterations, CPU pinning. */
export interface CellOptions {
  storeDir: string;
  outDir: string;
  threads: { intraOpThreads: number; interOpThreads: number };
  iterations: number;
  /** `taskset -c` CPU list, or null to run unpinned. */
  cpus: number[] | null;
  timeoutMs?: number;
}

/** Reads a raw little-endian output file back into a typed array. */
function readOutput(file: string, datatype: Datatype): TensorData {
  const bytes = readFileSync(file);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return DATATYPE_INFO[datatype].view(copy, 0, copy.byteLength / DATATYPE_INFO[datatype].bytes);
}

/** Folds the child's protocol lines into per-step outcomes. */
export function foldCellLines(steps: readonly CellStep[], lines: readonly CellLine[]): StepOutcome[] {
  const outcomes: StepOutcome[] = steps.map((step) => ({ step, loaded: false, loadMs: null, error: null, outputs: null, medianMs: null, runs: null, durationsMs: [] }));
  for (const line of lines) {
    if (line.event === 'done') continue;
    const outcome = outcomes[line.index];
    if (!outcome) continue;
    if (line.event === 'loaded') Object.assign(outcome, { loaded: true, loadMs: line.loadMs });
    else if (line.event === 'load-failed' || line.event === 'run-failed') outcome.error = line.error;
    else outcome.outputs = line.outputs.map((o) => ({ name: o.name, datatype: o.datatype, values: readOutput(o.file, o.datatype) }));
    if (line.event === 'ran') Object.assign(outcome, { medianMs: line.medianMs, runs: line.runs, durationsMs: line.durationsMs ?? [] });
  }
  return outcomes;
}

/** Parses stdout into protocol lines, ignoring anything that is not one. */
function parseLines(stdout: string): CellLine[] {
  return stdout.split('\n').flatMap((text) => {
    try {
      const value = JSON.parse(text) as CellLine;
      return value && typeof value === 'object' && 'event' in value ? [value] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Runs the steps in ONE fresh child process (each step's runtime and model loaded in order, all kept
 * loaded), which may crash: the outcome says how far it got and how it ended.
 */
export async function runCell(steps: readonly CellStep[], options: CellOptions): Promise<CellOutcome> {
  const job: CellJob = { id: randomUUID().slice(0, 8), storeDir: options.storeDir, outDir: options.outDir, threads: options.threads, iterations: options.iterations, steps: [...steps] };
  const args = [compiledEntry('bench/experiments/library/runtime-cell'), JSON.stringify(job)];
  const [file, fileArgs] = options.cpus ? ['taskset', ['-c', options.cpus.join(','), process.execPath, ...args]] : [process.execPath, args];
  const result = await execa(file, fileArgs, { reject: false, timeout: options.timeoutMs ?? 180_000, env: { UV_THREADPOOL_SIZE: '4' } });
  const lines = parseLines(String(result.stdout ?? ''));
  const stderrTail = String(result.stderr ?? '').split('\n').filter(Boolean).slice(-8);
  return {
    steps: foldCellLines(steps, lines),
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    completed: result.exitCode === 0 && lines.some((l) => l.event === 'done'),
    stderrTail,
  };
}
