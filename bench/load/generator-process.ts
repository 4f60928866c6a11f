// Entry point of the load-generator child process: runs the jobs it receives over IPC one at a
// time and reports each result. One process serves a whole run, so its start-up (loading undici,
// autocannon and the histograms, ~0.5 s here) is paid once, not once per measurement.
import { runClosedLoopSweep } from './closed-loop.js';
import { executeOpenLoop } from './open-loop-runner.js';
import { decodeWirePlan, type FromGenerator, type ToGenerator } from './protocol.js';

type Job = Exclude<ToGenerator, { type: 'abort' }>;

let running: { jobId: number; abort: AbortController } | null = null;

/** Sends a message to the parent, resolving once it is handed to the channel. */
function reply(message: FromGenerator): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Runs the job a message describes and reports its result (or why it failed). */
async function runJob(job: Job, signal: AbortSignal): Promise<void> {
  try {
    if (job.type === 'open-loop') {
      const result = await executeOpenLoop(decodeWirePlan(job.plan), {
        cpus: job.cpus,
        signal,
        onStarted: (startedAtMs) => void reply({ type: 'started', jobId: job.jobId, startedAtMs }),
        onHealth: (snapshot) => void reply({ type: 'health', jobId: job.jobId, snapshot }),
      });
      await reply({ type: 'open-loop-result', jobId: job.jobId, result });
    } else {
      const result = await runClosedLoopSweep(job.plan, { signal });
      await reply({ type: 'closed-loop-result', jobId: job.jobId, result });
    }
  } catch (error) {
    await reply({ type: 'failed', jobId: job.jobId, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

if (process.send === undefined) {
  console.error('generator-process: must be started with an IPC channel (see LoadGenerator)');
  process.exit(2);
}
process.on('message', (message: ToGenerator) => {
  if (message.type === 'abort') {
    if (running?.jobId === message.jobId) running.abort.abort();
    return;
  }
  // Two jobs at once would share this process's CPU and skew each other's send times.
  if (running !== null) return void reply({ type: 'failed', jobId: message.jobId, message: `generator-process: job ${running.jobId} is still running; jobs run one at a time` });
  // A full collection now, so the garbage of earlier jobs is not collected in the middle of this one's schedule.
  (globalThis as { gc?: () => void }).gc?.();
  const current = { jobId: message.jobId, abort: new AbortController() };
  running = current;
  void runJob(message, current.abort.signal).finally(() => {
    if (running === current) running = null;
  });
});
// The parent is gone (or done with us): nothing left to report to.
process.on('disconnect', () => process.exit(0));
