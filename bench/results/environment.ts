import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../models/paths.js';
import type { Environment } from './schema.js';

/** Version of an installed package, read from its package.json. */
function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(projectRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Current git commit of the project, or null outside a checkout. */
export function readGitSha(): string | null {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return null;
  }
}

/** The machine and software a run measured on: enough to tell whether two runs are comparable. */
export function fingerprintEnvironment(cpuSets: Environment['cpuSets'], resourceLimits: Environment['resourceLimits']): Environment {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntime: packageVersion('onnxruntime-node'),
    splitbench: readOwnVersion(),
    gitSha: readGitSha(),
    hostname: os.hostname(),
    cpuSets,
    resourceLimits,
  };
}

/** splitbench's own version from the project's package.json. */
export function readOwnVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
