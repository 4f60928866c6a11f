// Entry point of the load-generator child process: receives one job over IPC, runs it, reports, exits.
import { runClosedLoopSweep } from './closed-loop.js';
import { executeOpenLoop } from './open-loop-runner.js';
import { decodeWirePlan, type FromGenerator, type ToGenerator } from './protocol.js';

const abortController = new AbortController();
let jobStarted = false;

/** Sends a message to the parent, resolving once it is handed to the channel. */
function reply(message: FromGenerator): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Runs the job a message describes and reports its result (or why it failed). */
async function runJob(message: Exclude<ToGenerator, { type: 'abort' }>): Promise<void> {
  try {
    if (message.type === 'open-loop') {
      const result = await executeOpenLoop(decodeWirePlan(message.plan), {
        cpus: message.cpus,
        signal: abortController.signal,
        onStarted: (startedAtMs) => void reply({ type: 'started', startedAtMs }),
      });
      await reply({ type: 'open-loop-result', result });
    } else {
      const result = await runClosedLoopSweep(message.plan, { signal: abortController.signal });
      await reply({ type: 'closed-loop-result', result });
    }
  } catch (error) {
    await reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  process.disconnect?.();
}

if (process.send === undefined) {
  console.error('generator-process: must be started with an IPC channel (see startOpenLoop)');
  process.exit(2);
}
process.on('message', (message: ToGenerator) => {
  if (message.type === 'abort') return abortController.abort();
  if (jobStarted) return void reply({ type: 'failed', message: 'generator-process: one job per process' });
  jobStarted = true;
  void runJob(message);
});
// The parent is gone (or done with us): nothing left to report to.
process.on('disconnect', () => process.exit(0));
