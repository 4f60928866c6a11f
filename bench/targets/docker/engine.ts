/** Connection to Docker Engine: DOCKER_HOST or the default socket, with a clear error when it is missing. */
import Docker from 'dockerode';

/** Label every container of a run carries (value: the run id); the reaper and cleanup remove by it. */
export const RUN_LABEL = 'splitbench.run';
/** Label naming the planned process a container runs. */
export const PROCESS_LABEL = 'splitbench.process';

/** No engine answered; `hint` says how to get one. */
export class EngineUnavailableError extends Error {
  readonly hint: string;

  constructor(readonly endpoint: string, cause: string) {
    super(`no Docker Engine answered at ${endpoint} (${cause})`);
    this.name = 'EngineUnavailableError';
    this.hint =
      'start dockerd (e.g. `dockerd --iptables=false --bridge=none --host unix:///tmp/dockerd/docker.sock ...`) and set DOCKER_HOST=unix:///tmp/dockerd/docker.sock, or use --target local';
  }
}

/** Where the client connects: DOCKER_HOST or the default unix socket. */
export function describeEngineEndpoint(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/** A dockerode client for DOCKER_HOST or the default socket. */
export function createDockerClient(): Docker {
  return new Docker();
}

/** Connects and pings the engine; throws EngineUnavailableError with the fix when nothing answers. */
export async function connectEngine(timeoutMs = 5000): Promise<Docker> {
  const endpoint = describeEngineEndpoint();
  let docker: Docker;
  try {
    docker = createDockerClient();
  } catch (error) {
    throw new EngineUnavailableError(endpoint, (error as Error).message);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new EngineUnavailableError(endpoint, (error as Error).message);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

/** Removes every container (running or not) that carries the run label; returns how many. */
export async function removeRunContainers(docker: Docker, runId: string): Promise<number> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  return containers.length;
}
