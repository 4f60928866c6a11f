/**
 * Detached reaper of a docker run: polls the harness PID and, once the harness is gone (even
 * SIGKILLed), removes every container labelled with the run. Started by DockerTarget; a SIGTERM from
 * the harness (normal end) also removes what is left and exits.
 * Usage: node reaper.js <harness-pid> <run-id>   (DOCKER_HOST from the environment)
 */
import { readFileSync } from 'node:fs';
import { createDockerClient, removeRunContainers } from './engine.js';

/** True while a process with this PID exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Removes the run's containers (retrying a few times while the engine is busy) and exits. */
async function reap(runId: string): Promise<never> {
  const docker = createDockerClient();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await removeRunContainers(docker, runId);
      const left = await docker.listContainers({ all: true, filters: { label: [`splitbench.run=${runId}`] } });
      if (left.length === 0) break;
    } catch {
      // engine busy or restarting: try again
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  process.exit(0);
}

const [pidText, runId] = process.argv.slice(2);
const harnessPid = Number(pidText);
if (!Number.isInteger(harnessPid) || harnessPid < 1 || !runId) {
  process.stderr.write('usage: reaper.js <harness-pid> <run-id>\n');
  process.exit(2);
}
process.on('SIGTERM', () => void reap(runId));
const timer = setInterval(() => {
  if (!isAlive(harnessPid)) {
    clearInterval(timer);
    void reap(runId);
  }
}, 250);
