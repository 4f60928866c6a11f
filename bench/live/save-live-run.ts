import { randomUUID } from 'node:crypto';
import { findModel } from '../../models/catalog.js';
import { describeModelFile, latestVersion } from '../../models/store.js';
import { writeRunReports } from '../../reports/render-run.js';
import { nowMs } from '../clock.js';
import { isTasksetAvailable } from '../load/generator-client.js';
import { checkCgroupV1 } from '../targets/local/cgroup-v1.js';
import { fingerprintEnvironment, readOwnVersion } from '../results/environment.js';
import { RunRecorder } from '../results/run-recorder.js';
import { SCHEMA_VERSION, type LiveSection, type RunResults, type Timeline } from '../results/schema.js';
import { HEALTH_RULES } from './live-timeline.js';
import type { LiveSession } from './live-session.js';

/** The `live` section of results.json: per-second timelines per topology (with its events as marks) and every event. */
export function buildLiveSection(session: LiveSession): LiveSection {
  const endedAtMs = nowMs();
  const { startedAtMs } = session;
  const state = session.state();
  const topologies = session.describeLive().topologies.map(({ who, cpus, pinned, cpuCores, timeline }) => {
    const bins = timeline.binsSince(0, endedAtMs + 1000);
    const marks = session.events
      .filter((e) => e.mark !== null && (e.topology === null || e.topology === who.topology))
      .map((e) => ({ tMs: Math.round(e.atMs - startedAtMs), kind: e.mark!, label: e.label, ...(e.model ? { model: e.model } : {}) }));
    const out: Timeline = {
      startedAtMs,
      binMs: 1000,
      bins: Object.fromEntries(Object.entries(bins).map(([model, list]) => [model, list.map((b) => ({ tMs: b.t * 1000, count: b.sent, ok: b.ok, errors: b.errors, p50Ms: b.p50Ms, p99Ms: b.p99Ms, maxMs: b.maxMs }))])),
      marks,
    };
    return { topology: who.topology, variant: who.variant, cpus, pinned, cpuCores, timeline: out };
  });
  return {
    startedAtMs,
    endedAtMs,
    rates: { ...session.options.rates },
    healthRules: { ...HEALTH_RULES },
    cpu: { machineCores: state.shared.machineCores, harnessCores: state.shared.harnessCores, freeCores: state.shared.freeCores, note: state.shared.note },
    topologies,
    events: session.events.map((e) => ({ tMs: Math.round(e.atMs - startedAtMs), kind: e.kind, topology: e.topology, model: e.model, label: e.label })),
  };
}

/** The results skeleton of a live run: environment, config, models, no experiments, the live section. */
function buildResults(session: LiveSession, command: string, status: RunResults['status']): RunResults {
  const { options } = session;
  const cgroup = checkCgroupV1();
  const live = buildLiveSection(session);
  const servers = live.topologies.flatMap((t) => t.cpus ?? []);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'splitbench', version: readOwnVersion() },
    runId: randomUUID(),
    status,
    startedAt: new Date(session.startedAtMs).toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    environment: fingerprintEnvironment(
      { servers: servers.length > 0 ? servers : null, generator: session.state().shared.harnessCpus, tasksetApplied: isTasksetAvailable() && live.topologies.some((t) => t.pinned) },
      cgroup.available ? { mechanism: 'cgroup-v1', detail: 'memory limits (leak fault) enforced by cgroup v1' } : { mechanism: 'watchdog', detail: `cgroup v1 unavailable (${cgroup.reason}); servers enforce memory limits with their own RSS watchdog` },
    ),
    config: { live: { models: options.models, topologies: options.topologies, rates: options.rates, seed: options.seed, timeoutMs: options.timeoutMs, memoryLimitBytes: options.memoryLimitBytes } },
    models: options.models.map((name) => {
      const spec = findModel(name)!;
      const file = describeModelFile(options.storeDir, name, latestVersion(options.storeDir, name));
      return { name, version: file.version, sha256: file.sha256, bytes: file.bytes, sloMs: spec.sloMs, weightClass: spec.weightClass };
    }),
    experiments: {},
    phases: [],
    thresholds: [],
    live,
  };
}

/** Writes (or rewrites) results.json of the session's run folder at once; returns what it wrote. */
export function writeLiveResults(session: LiveSession, dir: string, command: string, status: RunResults['status'] = 'complete'): RunResults {
  return new RunRecorder(dir, buildResults(session, command, status)).results;
}

/** Writes the whole run folder: results.json, then report.md, report.html and the CSVs rendered from it. */
export async function saveLiveRun(session: LiveSession, dir: string, command: string, status: RunResults['status'] = 'complete'): Promise<string> {
  await writeRunReports(writeLiveResults(session, dir, command, status), dir);
  return dir;
}
