import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeModelFile } from '../../models/store.js';
import { describeDifferences, diffConfigs } from '../config/config-diff.js';
import type { RunConfig } from '../config/run-config.js';
import { readResults, ResultsFileError } from '../results/read-results.js';
import { SCHEMA_VERSION, type RunResults } from '../results/schema.js';
import { UsageError } from './errors.js';

/**
 * Reads the run `--resume <dir>` names; a missing, unreadable or foreign results.json, or an --out
 * naming another folder, is a usage error (exit 2) saying what was expected.
 */
export function loadRunToResume(dir: string, out: string | undefined): RunResults {
  const problems: string[] = [];
  if (out !== undefined && resolve(out) !== resolve(dir)) problems.push(`--out ${out} and --resume ${dir} name different folders; a resumed run writes into the folder it resumes (leave --out out, or give the same folder)`);
  if (!existsSync(dir)) throw new UsageError([...problems, `--resume: no such run folder: ${dir}`], 'pass the folder of an interrupted run (it holds results.json), e.g. reports/runs/<timestamp>');
  let results: RunResults;
  try {
    results = readResults(dir);
  } catch (error) {
    if (error instanceof ResultsFileError) throw new UsageError([...problems, `--resume: ${error.message}`], 'pass the folder of a run written by `splitbench run` or `splitbench suite`; it holds results.json');
    throw error;
  }
  if (problems.length > 0) throw new UsageError(problems);
  return results;
}

/** Problems with the model files: each recorded model must still be in the store, byte for byte. */
function checkModelFiles(results: RunResults, storeDir: string): string[] {
  const problems: string[] = [];
  for (const model of results.models) {
    try {
      const file = describeModelFile(storeDir, model.name, model.version);
      if (file.sha256 !== model.sha256) problems.push(`model ${model.name} v${model.version} changed since the run measured it: the run has sha256 ${model.sha256.slice(0, 12)}…, the store (${storeDir}) has ${file.sha256.slice(0, 12)}…`);
    } catch {
      problems.push(`model ${model.name} v${model.version} that the run measured is not in the store ${storeDir}`);
    }
  }
  return problems;
}

/**
 * Refuses a resume that would mix unlike measurements: another schema version, a saved live
 * session, a config differing in any field but outDir and thresholds, or changed model files.
 * Every problem is listed at once (exit 2), with the command that started the run as the hint.
 */
export function checkResumable(results: RunResults, config: RunConfig, storeDir: string): void {
  const problems: string[] = [];
  if (results.schemaVersion !== SCHEMA_VERSION) problems.push(`the run was written with results schemaVersion ${results.schemaVersion}, this splitbench writes ${SCHEMA_VERSION}; resume it with the splitbench version that started it`);
  if (results.live) problems.push('the folder holds a saved `splitbench live` session, not a run; there is nothing to resume');
  const differences = diffConfigs(results.config, config);
  if (differences.length > 0) problems.push(`this command's config differs from the run's in ${differences.length} field(s):\n    ${describeDifferences(differences).join('\n    ')}`);
  problems.push(...checkModelFiles(results, storeDir));
  if (problems.length > 0) throw new UsageError(problems, `resume with the same options as the interrupted run: ${results.command}`);
}
