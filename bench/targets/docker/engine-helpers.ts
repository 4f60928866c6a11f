/** Small helpers of the docker target: free host ports, log tails, exit codes as signal names. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import type Docker from 'dockerode';

/** A port on 127.0.0.1 that was free a moment ago (containers bind it on the host network). */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The signal name behind a container exit code above 128 (137 → SIGKILL), or null. */
export function toSignalName(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  const number = code - 128;
  return Object.entries(osConstants.signals).find(([, value]) => value === number)?.[0] ?? null;
}

/** Last lines of a container's stdout and stderr (the engine's multiplexed log stream, demuxed). */
export async function readLogTail(docker: Docker, containerId: string, lines: number): Promise<string> {
  try {
    const raw = (await docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    return demuxLogs(raw).trim();
  } catch {
    return '';
  }
}

/** Strips the 8-byte frame headers of a non-TTY log stream. */
export function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Host PID of the server in a container: the first child of its init process (docker-init), else the init PID itself. */
export function findServerPid(initPid: number): number | null {
  if (!initPid) return null;
  try {
    const children = readFileSync(`/proc/${initPid}/task/${initPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children[0] ?? initPid;
  } catch {
    return initPid;
  }
}
