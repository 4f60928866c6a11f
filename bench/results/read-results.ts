import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_FILE } from './run-recorder.js';
import { RunResultsSchema, SCHEMA_VERSION, type RunResults } from './schema.js';

/** A results file that is missing, unreadable or not a splitbench results file. */
export class ResultsFileError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

/** Accepts a run folder or a results.json path and returns the results.json path. */
export function resolveResultsPath(path: string): string {
  if (!existsSync(path)) throw new ResultsFileError(`no such run folder or file: ${path}`, 'pass a run folder written by `splitbench run` (it holds results.json) or the results.json itself');
  return statSync(path).isDirectory() ? join(path, RESULTS_FILE) : path;
}

/** Reads and validates results.json; older schema versions load with their missing parts left out. */
export function readResults(path: string): RunResults {
  const file = resolveResultsPath(path);
  if (!existsSync(file)) throw new ResultsFileError(`${file} does not exist`, 'the folder is not a finished splitbench run; run `splitbench run ...` to produce one');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ResultsFileError(`${file} is not valid JSON: ${(error as Error).message}`, 'the file may have been cut short; re-run the experiment');
  }
  const version = (raw as { schemaVersion?: unknown })?.schemaVersion;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new ResultsFileError(`${file} has schemaVersion ${version}, newer than this splitbench understands (${SCHEMA_VERSION})`, 'update splitbench to render it');
  }
  const parsed = RunResultsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 8).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ResultsFileError(`${file} does not match the results schema:\n  ${problems.join('\n  ')}`, 'was it written by splitbench? Re-run to produce a fresh results.json');
  }
  return parsed.data;
}
