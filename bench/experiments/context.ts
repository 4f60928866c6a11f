import type { RunConfig } from '../config/run-config.js';
import type { LoadGenerator } from '../load/generator-client.js';
import type { Target } from '../targets/types.js';
import type { RunRecorder } from '../results/run-recorder.js';
import type { CompletedUnits } from '../results/unit-keys.js';
import type { Progress } from './progress.js';

/** What every experiment gets: the resolved config, where to record, how to start topologies. */
export interface ExperimentContext {
  config: RunConfig;
  recorder: RunRecorder;
  target: Target;
  progress: Progress;
  storeDir: string;
  /** The run's load generator: one pinned process that every experiment's load runs in, one job at a time. */
  generator: LoadGenerator;
  /** Aborted on Ctrl-C: experiments stop between steps and keep what they recorded. */
  signal: AbortSignal;
  /** On `--resume`: the units the run already has (unit keys); experiments skip them. Absent on a fresh run. */
  resume?: CompletedUnits;
}

/** Thrown between steps once the run was interrupted. */
export class RunInterruptedError extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunInterruptedError';
  }
}

/** Stops an experiment between steps when the user pressed Ctrl-C. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new RunInterruptedError();
}

/** Adds notes a section does not hold yet: method notes that a resumed run would otherwise repeat. */
export function pushNotesOnce(notes: string[], ...added: string[]): void {
  for (const note of added) if (!notes.includes(note)) notes.push(note);
}
