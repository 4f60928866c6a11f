import type { RunConfig } from '../../config/run-config.js';
import type { TopologyVariant } from '../../config/topologies.js';
import type { RunningTopology } from '../../targets/types.js';
import type { FaultKind } from '../../results/schema.js';
import { diagnoseKey } from '../../results/unit-keys.js';
import { choosePairs } from '../compare-topologies.js';
import { pushNotesOnce, throwIfInterrupted, type ExperimentContext } from '../context.js';
import { describeFaultTargets, diagnoseRidesOnFault, faultSpecExtras } from '../fault.js';
import { runFaultWindow } from '../fault/fault-window.js';
import { buildTopologySpec } from '../topology-spec.js';
import { compareDiagnoses, describeDiagnoseFindings } from './diagnose-metrics.js';

// Expected wall time of a topology start, and of the disarm/health wait after a window (progress weights only).
const START_MS = 3000;
const SETTLE_MS = 1500;

/** Variants the experiment runs on: all selected, or only the headline pair. */
export function chooseDiagnoseVariants(config: RunConfig): TopologyVariant[] {
  if (config.settings.diagnose.variantsOn === 'all') return [...config.variants];
  const pair = choosePairs(config.variants)[0];
  if (!pair) return [...config.variants];
  return config.variants.filter((v) => v.variant === pair.monolith || v.variant === pair.microservices);
}

/** Expected wall time of the experiment (progress units): none when it rides on the fault windows. */
export function estimateDiagnoseMs(config: RunConfig): number {
  if (diagnoseRidesOnFault(config)) return 0;
  const d = config.settings.diagnose;
  const starts = d.trials * chooseDiagnoseVariants(config).length;
  return starts * START_MS + starts * (d.kinds.length + 1) * (d.warmupMs + d.baselineMs + d.observeMs + SETTLE_MS);
}

/** Starts a variant with the fault hooks and memory limit (as the fault experiment does). */
function startTopology(ctx: ExperimentContext, who: TopologyVariant): Promise<RunningTopology> {
  return ctx.target.start(buildTopologySpec(ctx.config, ctx.storeDir, who, faultSpecExtras(ctx)));
}

/** The windows (baseline first) of one trial on one variant that the run still lacks, each with its place in the plan (which fixes its seed). */
function listMissingKinds(ctx: ExperimentContext, who: TopologyVariant, trial: number): Array<{ kind: FaultKind; index: number }> {
  const { kinds, targetModel } = ctx.config.settings.diagnose;
  return (['none', ...kinds] as FaultKind[]).map((kind, index) => ({ kind, index })).filter(({ kind }) => !ctx.resume?.has(diagnoseKey(who, trial, kind, targetModel)));
}

/** The baseline window (nothing armed), then every fault kind of one trial on one variant; a window that leaves the topology unhealthy, or leaked memory behind, gets it replaced. */
async function runTrial(ctx: ExperimentContext, who: TopologyVariant, trial: number): Promise<void> {
  const settings = ctx.config.settings.diagnose;
  const kinds = listMissingKinds(ctx, who, trial);
  if (kinds.length === 0) return;
  const label = `${who.topology}/${who.variant} · trial ${trial + 1}`;
  throwIfInterrupted(ctx.signal);
  ctx.progress.step(`diagnose · starting ${label}`);
  let topology = await startTopology(ctx, who);
  ctx.progress.tick(START_MS);
  try {
    for (const [position, { kind, index }] of kinds.entries()) {
      throwIfInterrupted(ctx.signal);
      ctx.progress.step(`diagnose · ${label} · ${kind === 'none' ? 'baseline (no fault)' : `${kind} in ${settings.targetModel}`}`);
      const seed = ctx.config.seed * 1000 + 900 + trial * 50 + index;
      // The fault window with recording on: the fault stays armed for observeMs, the load ends then.
      const timing = { warmupMs: settings.warmupMs, baselineMs: settings.baselineMs, faultMs: settings.observeMs, recoveryLimitMs: 0, observeAfterReadyMs: null };
      const outcome = await runFaultWindow(ctx, topology, { who, trial, kind, targetModel: settings.targetModel, seed, timing, recordSignals: { tickMs: settings.tickMs, scrapeTimeoutMs: settings.scrapeTimeoutMs } });
      ctx.recorder.updateSection('diagnose', (s) => {
        s.results.push(outcome.diagnosis!);
        s.notes.push(...outcome.notes);
      });
      ctx.progress.tick(settings.warmupMs + settings.baselineMs + settings.observeMs + SETTLE_MS);
      // A leak that did not reach the limit stays resident: the next window must not start on it.
      if ((!outcome.healthy || kind === 'leak') && position < kinds.length - 1) {
        throwIfInterrupted(ctx.signal);
        await topology.stop();
        topology = await startTopology(ctx, who);
      }
    }
  } finally {
    await topology.stop();
  }
}

/** Closes the section: the comparisons (suspects to inspect, time to blame) and findings over its windows. */
function finishDiagnose(ctx: ExperimentContext, kinds: readonly string[], variants: readonly TopologyVariant[]): void {
  ctx.recorder.updateSection('diagnose', (s) => {
    s.comparisons = compareDiagnoses(s.results, kinds, variants, ctx.config.seed);
    s.notes.push(...describeDiagnoseFindings(s.results, kinds));
    s.status = 'complete';
    s.finishedAt = new Date().toISOString();
  });
}

/**
 * The diagnose experiment in a run that also has `fault`: its windows were the fault windows
 * (recorded and diagnosed as they ran, see runFaultWindows); this only notes that and closes it.
 */
function finishDiagnoseOnFaultWindows(ctx: ExperimentContext): void {
  const { fault, diagnose } = ctx.config.settings;
  const note = `diagnosed on the fault experiment's windows: same injections, no windows of its own — every fault window (${describeFaultTargets(ctx.config)}, on ${ctx.config.variants.map((v) => `${v.topology}/${v.variant}`).join(', ')}, ${fault.trials} trial(s)) and its baseline window (none); the culprit is never shown to the diagnoser. Baseline ${fault.baselineMs} ms, then the fault armed for ${fault.faultMs} ms and disarmed, the diagnoser watching until the window ended (recovery included); /proc and one /metrics scrape per server process every ${diagnose.tickMs} ms (scrape timeout ${diagnose.scrapeTimeoutMs} ms) in both topologies alike, a load the fault figures of this run carry too. The diagnose settings kinds, targetModel, trials, variantsOn and durations are not used here`;
  ctx.recorder.updateSection('diagnose', (s) => s.notes.unshift(note));
  finishDiagnose(ctx, fault.kinds, ctx.config.variants);
}

/**
 * The diagnose experiment (DESIGN.md §6): per trial and variant, every fault kind in one model
 * under steady load, a fixed diagnoser ranking the models from platform signals only; then the
 * comparisons (suspects to inspect, time to blame) and findings. With `fault` in the run, it reads
 * the fault windows instead of running its own.
 */
export async function runDiagnoseExperiment(ctx: ExperimentContext): Promise<void> {
  const { config } = ctx;
  if (diagnoseRidesOnFault(config)) return finishDiagnoseOnFaultWindows(ctx);
  const settings = config.settings.diagnose;
  const variants = chooseDiagnoseVariants(config);
  ctx.recorder.updateSection('diagnose', (s) => {
    pushNotesOnce(s.notes, `fault in ${settings.targetModel} (never shown to the diagnoser) on ${variants.map((v) => `${v.topology}/${v.variant}`).join(', ')}; baseline ${settings.baselineMs} ms, then ${settings.observeMs} ms watched with the fault armed; /proc and /metrics sampled every ${settings.tickMs} ms (scrape timeout ${settings.scrapeTimeoutMs} ms)`);
  });
  for (let trial = 0; trial < settings.trials; trial++) {
    for (const who of variants) await runTrial(ctx, who, trial);
  }
  finishDiagnose(ctx, settings.kinds, variants);
}
