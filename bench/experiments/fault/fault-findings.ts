import type { RunConfig } from '../../config/run-config.js';
import type { FaultKind, FaultResult } from '../../results/schema.js';

/** What each fault does to the thread or process running the model: the mechanism behind an outcome. */
const MECHANISM: Record<Exclude<FaultKind, 'none'>, string> = {
  crash: 'aborts the whole process',
  exception: 'throws an uncaught error that takes down the thread running the model',
  cpu: 'busy-loops the thread running the model on every request',
  leak: 'retains memory on every request until the memory limit kills the process',
  hang: 'never answers, but leaves the thread free',
  error: 'answers 500 at once',
  slow: 'delays each answer without holding the thread',
};

/** `monolith/single crash in tabular` */
function describe(r: FaultResult): string {
  return `${r.topology}/${r.variant} ${r.faultKind} in ${r.targetModel}${r.trial > 0 ? ` (trial ${r.trial + 1})` : ''}`;
}

/** Worst p99 of the impacted neighbours against their baseline, e.g. "vad p99 240 ms (baseline 3 ms)". */
function describeNeighbours(r: FaultResult): string {
  return r.perModel
    .filter((m) => r.impactedModels.includes(m.model))
    .map((m) => `${m.model} p99 ${m.p99Ms === null ? 'n/a' : `${Math.round(m.p99Ms)} ms`} (baseline ${m.baselineP99Ms === null ? 'n/a' : `${Math.round(m.baselineP99Ms)} ms`}), ${m.failedRequests} failed`)
    .join('; ');
}

/** Why neighbours in separate processes were hurt, from the facts of the run. */
function explainMicroserviceImpact(r: FaultResult, config: RunConfig): string {
  const died = r.processesDied.filter((p) => p !== `service:${r.targetModel}`);
  if (died.length > 0) return `processes other than the target's died too (${died.join(', ')})`;
  const reasons: string[] = [];
  const cpus = config.cpus.servers;
  reasons.push(cpus === null ? 'no neighbour process died: every service shares the machine\'s cores with the faulty one' : `no neighbour process died: every service is pinned to the same CPU set [${cpus.join(',')}], so the faulty service competes with its neighbours for ${cpus.length === 1 ? 'one core' : `${cpus.length} cores`}`);
  if (r.variant === 'gateway') reasons.push('and all traffic passes through the one gateway process');
  if (r.processesDied.length > 0) reasons.push(`the restarted ${r.processesDied.join(', ')} loads and warms its model on that same CPU`);
  return reasons.join('; ');
}

/** Bins in a window's baseline. */
function baselineBinCount(r: FaultResult, config: RunConfig): number {
  return Math.max(1, Math.floor(config.settings.fault.baselineMs / r.timeline.binMs));
}

/** One note per result that says something a reader would not assume: false positives, shared-CPU harm, faults a monolith survived. */
export function describeFindings(results: readonly FaultResult[], config: RunConfig): string[] {
  const notes: string[] = [];
  const baselines = results.filter((r) => r.faultKind === 'none' && r.valid);
  const falsePositives = baselines.filter((r) => (r.blastRadius ?? 0) > 0);
  if (baselines.length > 0) {
    notes.push(`false-positive rate of the impact test: ${falsePositives.length} of ${baselines.length} baseline windows (no fault) flagged a model as impacted${falsePositives.length > 0 ? ` — ${falsePositives.map((r) => `${r.topology}/${r.variant}: ${r.impactedModels.join(', ')}`).join('; ')}` : ''}`);
  }
  for (const r of results.filter((x) => x.faultKind !== 'none')) {
    const kind = r.faultKind as Exclude<FaultKind, 'none'>;
    if (!r.valid) notes.push(`${describe(r)}: invalid (${r.invalidReasons.join('; ')})`);
    if (r.topology === 'microservices' && (r.blastRadius ?? 0) > 0) {
      notes.push(`finding — ${describe(r)} hurt models in other processes: ${describeNeighbours(r)}. The fault ${MECHANISM[kind]}; ${explainMicroserviceImpact(r, config)}.`);
    }
    if (r.topology === 'monolith' && r.blastRadius === 0) {
      notes.push(`finding — ${describe(r)} left every other model within SLO: the fault ${MECHANISM[kind]}${r.processesDied.length === 0 ? ' and the process did not die' : ''}, so sharing the process did not spread it${r.variant === 'workers' ? ' (the model runs on its own worker thread)' : ''}.`);
    }
    const noisy = r.perModel.filter((m) => !m.isTarget && m.baselineViolatingBins * 2 > baselineBinCount(r, config));
    if (noisy.length > 0) notes.push(`${describe(r)}: ${noisy.map((m) => m.model).join(', ')} already breached the SLO in most baseline bins (a busy machine, or co-hosting), so violations during the fault are allowed up to that rate and the impact test cannot tell fault damage from noise for them.`);
    const target = r.perModel.find((m) => m.isTarget);
    if (target && !target.impacted) notes.push(`${describe(r)}: the fault did not measurably hurt its own model (${target.violatingBins} violating bins, baseline ${target.baselineViolatingBins})${kind === 'leak' && r.processesDied.length === 0 ? '; the leak did not reach the memory limit within the window' : ''}.`);
    if (r.recoveryMs === null) notes.push(`${describe(r)}: not every model was back within SLO by the end of the observation window (${config.settings.fault.observeAfterReadyMs === null ? `${config.settings.fault.recoveryLimitMs} ms after disarming` : `${config.settings.fault.observeAfterReadyMs} ms after the topology was ready again, at most ${config.settings.fault.recoveryLimitMs} ms after disarming`}).`);
    const lost = r.processesDied.filter((p) => !r.processesRestarted.includes(p));
    if (lost.length > 0) notes.push(`${describe(r)}: ${lost.join(', ')} died and did not come back ready within the window.`);
  }
  return notes;
}
