import { CommanderError } from 'commander';
import { UnknownModelError } from '../../models/catalog.js';
import { TopologySpecError } from '../targets/local/local-target.js';
import { EngineUnavailableError } from '../targets/docker/engine.js';

/** Exit codes of DESIGN.md section 8. */
export const EXIT = { ok: 0, runtime: 1, usage: 2, threshold: 3 } as const;

/** An error the CLI reports as `splitbench: <message>` plus an optional hint, without a stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number, readonly hint?: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad usage or configuration (exit 2); `problems` lists every problem found at once. */
export class UsageError extends CliError {
  constructor(readonly problems: string[], hint = 'see `splitbench <command> --help`') {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`, EXIT.usage, hint);
    this.name = 'UsageError';
  }
}

/** Something failed while running (exit 1). */
export class RuntimeFailure extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.runtime, hint);
    this.name = 'RuntimeFailure';
  }
}

/** A result crossed a user threshold (exit 3). */
export class ThresholdFailure extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.threshold, hint);
    this.name = 'ThresholdFailure';
  }
}

/** Maps any thrown value to a CliError (known library errors become usage errors). */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof UnknownModelError) return new UsageError([error.message], 'run `splitbench models` to list the catalog');
  if (error instanceof TopologySpecError) return new UsageError(error.problems);
  if (error instanceof EngineUnavailableError) return new UsageError([error.message], error.hint);
  if (error instanceof CommanderError) {
    return new UsageError([error.message.replace(/^error: /, '')], 'see `splitbench --help`');
  }
  if (error instanceof Error && 'hint' in error && typeof error.hint === 'string') {
    return new RuntimeFailure(error.message.split('\n  hint:')[0]!, error.hint);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RuntimeFailure(message);
}

/** The one place that prints an error: `splitbench: <message>` and `hint: ...`; returns the exit code. */
export function printError(error: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  const cliError = toCliError(error);
  write(`splitbench: ${cliError.message}\n`);
  if (cliError.hint) write(`hint: ${cliError.hint}\n`);
  if (process.env.SPLITBENCH_DEBUG && error instanceof Error && error.stack) write(`${error.stack}\n`);
  return cliError.exitCode;
}
