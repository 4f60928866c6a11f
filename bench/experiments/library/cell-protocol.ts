import type { Datatype } from '../../../models/tensor.js';

/** One model to load on one runtime inside a cell's process. */
export interface CellStep {
  model: string;
  runtime: string;
}

/** What a cell child process is asked to do (argv[2] as JSON). */
export interface CellJob {
  id: string;
  storeDir: string;
  outDir: string;
  threads: { intraOpThreads: number; interOpThreads: number };
  iterations: number;
  steps: CellStep[];
}

/** One output of a step, written raw (little-endian) to a file for the parent to compare. */
export interface CellOutputFile {
  name: string;
  datatype: Datatype;
  file: string;
}

/** Lines a cell child prints, one JSON object each. */
export type CellLine =
  | { event: 'loaded'; index: number; loadMs: number }
  | { event: 'load-failed'; index: number; error: string }
  | { event: 'ran'; index: number; outputs: CellOutputFile[]; medianMs: number; runs: number; durationsMs?: number[] }
  | { event: 'run-failed'; index: number; error: string }
  | { event: 'done' };
