#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerModelsCommand } from './commands/models.js';
import { registerServeCommand } from './commands/serve.js';
import { registerRunCommand, registerSuiteCommand } from './commands/run.js';
import { registerCompareCommand, registerReportCommand } from './commands/report.js';
import { registerCalibrateCommand } from './commands/calibrate.js';
import { registerLiveCommand } from './commands/live.js';
import { registerImageCommand } from './commands/image.js';
import { registerManifestsCommand } from './commands/manifests.js';
import { EXIT, printError } from './errors.js';

/** Commands register themselves here: one file per command in commands/. */
const COMMANDS: ((program: Command) => void)[] = [registerModelsCommand, registerServeCommand, registerRunCommand, registerSuiteCommand, registerReportCommand, registerCompareCommand, registerCalibrateCommand, registerLiveCommand, registerImageCommand, registerManifestsCommand];

/** Builds the commander program with every command. */
export function buildProgram(): Command {
  const program = new Command('splitbench')
    .description('Measure all-in-one vs one-server-per-model ONNX inference: latency, throughput, cost, redeploy time and fault blast radius.')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ outputError: () => undefined });
  }
  return program;
}

/** Runs the CLI and returns the exit code (printing errors in one place). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // Actions that end in a non-zero code (threshold failed, interrupted) set process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError && ['commander.helpDisplayed', 'commander.version'].includes(error.code)) return EXIT.ok;
    if (error instanceof CommanderError && error.code === 'commander.help') return EXIT.usage;
    return printError(error);
  }
}

/** True when this file is the program being run (also through the npm bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
