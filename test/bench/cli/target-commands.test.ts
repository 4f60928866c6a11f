import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../../bench/targets/docker/engine.js';
import { ensureCompiled, ROOT } from '../targets/local/helpers.js';

const CLI = join(ROOT, 'dist/bench/cli/main.js');
const engine = await connectEngine(2000).catch(() => null);

/** Runs the CLI and returns exit code and output. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return execa('node', [CLI, ...args], { cwd: ROOT, reject: false, env }).then((r) => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }));
}

beforeAll(() => ensureCompiled(), 120_000);

describe('--target, image and manifests on the command line', () => {
  it('exits 2 with the fix when no engine answers', async () => {
    const missing = { DOCKER_HOST: 'unix:///tmp/splitbench-no-such-engine.sock' };
    for (const args of [['image', 'build'], ['serve', 'monolith', '--target', 'docker', '--models', 'tabular'], ['run', 'fault', '--target', 'docker', '--models', 'tabular,vad']]) {
      const result = await runCli(args, missing);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/no Docker Engine answered at unix:\/\/\/tmp\/splitbench-no-such-engine\.sock/);
      expect(result.stderr).toMatch(/hint: start dockerd .* DOCKER_HOST=/);
    }
  }, 60_000);

  it('refuses an unknown target with exit 2, naming the allowed ones', async () => {
    const result = await runCli(['serve', 'monolith', '--target', 'swarm']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown --target "swarm"; expected one of: local, docker/);
  });

  it('writes validated Kubernetes manifests per topology variant', async () => {
    const out = mkdtempSync(join(tmpdir(), 'splitbench-manifests-'));
    try {
      const result = await runCli(['manifests', '--target', 'kubernetes', '--out', out, '--run-id', 'ci', '--topologies', 'monolith:single,microservices:gateway', '--models', 'tabular,vad', '--cpus', '1']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['microservices-gateway', 'monolith-single']);
      expect(readdirSync(join(out, 'microservices-gateway'))).toHaveLength(7);
      expect(readFileSync(join(out, 'monolith-single', '10-monolith-deployment.yaml'), 'utf8')).toMatch(/namespace: splitbench-ci-monolith-single/);
      const bad = await runCli(['manifests', '--target', 'docker', '--out', out, '--rollout', 'blue-green']);
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toMatch(/--target: expected kubernetes/);
      expect(bad.stderr).toMatch(/--rollout: expected recreate or rolling, received "blue-green"/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it.skipIf(!engine)('runs a crash fault on docker: the monolith loses every model, a service only its own, and restarts come from the engine', async () => {
    const out = mkdtempSync(join(tmpdir(), 'splitbench-docker-fault-'));
    try {
      const result = await runCli(['run', 'fault', '--target', 'docker', '--models', 'tabular,vad', '--fault-kinds', 'crash', '--fault-models', 'tabular', '--topologies', 'monolith:single,microservices:direct', '--out', out, '--json'], { DOCKER_HOST: process.env.DOCKER_HOST ?? '' });
      expect(result.exitCode, result.stderr).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
        environment: { target?: { name: string } };
        experiments: { fault: { results: { topology: string; faultKind: string; processesDied: string[]; processesRestarted: string[]; timeline: { marks: { kind: string; label: string }[] } }[] } };
      };
      expect(results.environment.target?.name).toBe('docker');
      const crash = (topology: string) => results.experiments.fault.results.find((r) => r.topology === topology && r.faultKind === 'crash')!;
      expect(crash('monolith').processesDied).toEqual(['monolith']);
      expect(crash('monolith').processesRestarted).toEqual(['monolith']);
      expect(crash('microservices').processesDied).toEqual(['service:tabular']);
      expect(crash('microservices').processesRestarted).toEqual(['service:tabular']);
      expect(crash('microservices').timeline.marks.some((m) => m.kind === 'exit' && /SIGABRT/.test(m.label))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 400_000);
});
