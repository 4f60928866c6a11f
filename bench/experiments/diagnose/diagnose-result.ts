import type { SignalTimeline } from '../../analysis/diagnose-signals.js';
import { assessBlame, diagnoseTimeline } from '../../analysis/diagnoser.js';
import type { TopologyVariant } from '../../config/topologies.js';
import type { OpenLoopResult } from '../../load/types.js';
import type { RunningTopology } from '../../targets/types.js';
import type { DiagnoseResult, FaultKind } from '../../results/schema.js';
import { withoutProbes } from '../availability-probe.js';
import { summariseProcessFates } from '../fault/process-events.js';
import { toTimeline } from '../traffic.js';
import type { RecordedSignals } from './record-signals.js';

/** The instants (nowMs clock) of a window the diagnoser reads: baseline start, injection, window end. */
export interface DiagnoseInstants {
  baselineFromMs: number;
  injectedAtMs: number;
  untilMs: number;
}

/** What a window was (the culprit is only used after the diagnoser ranked the models) and how it was judged. */
export interface DiagnosedWindow {
  who: TopologyVariant;
  trial: number;
  /** `none`: the baseline window, the same with nothing armed (what the rules implicate with no fault). */
  kind: FaultKind;
  targetModel: string;
  tickMs: number;
  validity: { valid: boolean; invalidReasons: string[] };
}

/** The signals of a window as the diagnoser sees them: no culprit, only what the platform showed. */
export function buildSignalTimeline(topology: RunningTopology, recorded: RecordedSignals, run: OpenLoopResult, window: DiagnoseInstants): SignalTimeline {
  const inWindow = (t: number) => t >= window.baselineFromMs && t <= window.untilMs;
  // Client-side signals are the users' requests: the harness's availability probes are not what a platform shows.
  const client = toTimeline(withoutProbes(run));
  return {
    models: [...topology.spec.models],
    processes: recorded.processes,
    baselineFromMs: window.baselineFromMs,
    injectedAtMs: window.injectedAtMs,
    ticks: recorded.ticks.filter((t) => t > window.injectedAtMs && t <= window.untilMs),
    resources: recorded.resources.filter((r) => inWindow(r.atMs)),
    exits: topology.events.filter((e) => e.type === 'exit' && inWindow(e.atMs)).map((e) => ({ atMs: e.atMs, process: e.process })),
    logs: (topology.stderrLines?.() ?? []).filter((l) => inWindow(l.atMs)).map((l) => ({ atMs: l.atMs, process: l.process })),
    scrapes: recorded.scrapes.filter((s) => inWindow(s.atMs)),
    client: { startedAtMs: client.startedAtMs, binMs: client.binMs, bins: Object.fromEntries(Object.entries(client.bins).map(([model, bins]) => [model, bins.map((b) => ({ tMs: b.tMs, count: b.count, errors: b.errors, p99Ms: b.p99Ms, maxMs: b.maxMs }))])) },
  };
}

/**
 * Diagnoses one recorded window: the diagnoser ranks the models from the platform signals, the
 * supervisor's exits and stderr, and the client-side bins alone; only then is its ranking compared
 * with the real culprit.
 */
export function diagnoseWindow(topology: RunningTopology, recorded: RecordedSignals, run: OpenLoopResult, instants: DiagnoseInstants, window: DiagnosedWindow): DiagnoseResult {
  const timeline = buildSignalTimeline(topology, recorded, run, instants);
  const rankings = diagnoseTimeline(timeline);
  const blame = assessBlame(rankings, window.targetModel, instants.injectedAtMs);
  const lastTick = rankings.at(-1)?.atMs ?? instants.injectedAtMs;
  const baseline = window.kind === 'none';
  const notMeasured: Record<string, string> = baseline ? { timeToBlameMs: 'baseline window: no fault was injected' } : blame.undeterminedReason === null ? {} : { timeToBlameMs: `undetermined: ${blame.undeterminedReason}` };
  return {
    topology: window.who.topology,
    variant: window.who.variant,
    trial: window.trial,
    ...window.validity,
    notMeasured,
    faultKind: window.kind,
    targetModel: window.targetModel,
    tickMs: window.tickMs,
    observedMs: Math.round(lastTick - instants.injectedAtMs),
    suspects: baseline ? blame.finalRanking.filter((r) => r.score > 0).length : blame.suspects,
    models: timeline.models.length,
    timeToBlameMs: baseline ? null : blame.timeToBlameMs,
    singledOutBy: baseline ? null : blame.singledOutBy,
    finalRanking: blame.finalRanking,
    firstSignals: blame.firstSignals,
    processesDied: summariseProcessFates(topology.events, instants.injectedAtMs, instants.untilMs).died,
  };
}
