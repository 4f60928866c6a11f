import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentName, RunResults } from './schema.js';

/** Name of the results file inside a run folder. */
export const RESULTS_FILE = 'results.json';

/**
 * Holds a run's results in memory and rewrites results.json atomically after every change,
 * so an interrupted run keeps every finished trial on disk.
 */
export class RunRecorder {
  constructor(readonly dir: string, readonly results: RunResults) {
    mkdirSync(dir, { recursive: true });
    this.flush();
  }

  /** Path of results.json. */
  get file(): string {
    return join(this.dir, RESULTS_FILE);
  }

  /** Applies a change to one experiment's section and persists it. */
  updateSection<K extends ExperimentName>(name: K, update: (section: NonNullable<RunResults['experiments'][K]>) => void): void {
    const section = this.results.experiments[name];
    if (!section) throw new Error(`experiment section "${name}" was not started`);
    update(section as NonNullable<RunResults['experiments'][K]>);
    this.flush();
  }

  /** Starts an experiment's section with the given initial content and persists it. */
  startSection<K extends ExperimentName>(name: K, section: NonNullable<RunResults['experiments'][K]>): void {
    this.results.experiments[name] = section;
    this.flush();
  }

  /** Marks the run finished with a status and persists it. */
  finish(status: RunResults['status']): void {
    this.results.status = status;
    this.results.finishedAt = new Date().toISOString();
    this.flush();
  }

  /**
   * Writes results.json via a temporary file and rename, so a reader never sees half a file.
   * Compact: a standard run's file grows past 10 MB and is rewritten after every window, on the
   * CPU the load generator shares with the harness (`splitbench report --out` writes it indented).
   */
  flush(): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.results)}\n`);
    renameSync(temporary, this.file);
  }
}
