import type { FaultKind, RunResults, Topology, VariantName } from './schema.js';

/**
 * A unit of a run: the smallest piece a resumed run keeps or runs again (one trial of one
 * experiment on one variant, one fault window, one rollout, one scaling point, the library matrices).
 */
export interface Unit {
  /** latency, throughput, footprint, scaling, redeploy, fault, diagnose or library. */
  experiment: string;
  /** `monolith/single` style; absent for the library. */
  who?: string;
  /** 0-based trial; absent for units without trials (scaling points, the library). */
  trial?: number;
  /** What else tells the unit apart, e.g. `crash in tabular`, `recreate model`, `4 models`. */
  detail?: string;
}

/** The units a resumed run finds already done: unit keys (see formatUnitKey). */
export type CompletedUnits = ReadonlySet<string>;

/** Who was measured, as a unit key writes it. */
interface Who {
  topology: Topology;
  variant: VariantName;
}

/** Key of the library experiment: it is kept whole or run again whole. */
export const LIBRARY_UNIT_KEY = 'library';

/** Human-readable key of a unit, e.g. `fault microservices/direct trial 1 crash in tabular` (trials 1-based). */
export function formatUnitKey(unit: Unit): string {
  return [unit.experiment, unit.who, unit.trial === undefined ? undefined : `trial ${unit.trial + 1}`, unit.detail].filter((part) => part !== undefined && part !== '').join(' ');
}

/** Reads a unit key back (the inverse of formatUnitKey); null when the text is not one. */
export function parseUnitKey(key: string): Unit | null {
  const match = /^([a-z]+)(?: ([a-z]+\/[a-z]+))?(?: trial (\d+))?(?: (.+))?$/.exec(key);
  if (!match || Number(match[3] ?? 1) < 1) return null;
  const unit: Unit = { experiment: match[1]! };
  if (match[2]) unit.who = match[2];
  if (match[3]) unit.trial = Number(match[3]) - 1;
  if (match[4]) unit.detail = match[4];
  return unit;
}

/** `monolith/single` of a variant. */
function describeWho(who: Who): string {
  return `${who.topology}/${who.variant}`;
}

/** Key of one measurement trial (latency, throughput or footprint) of one variant. */
export function measurementKey(experiment: 'latency' | 'throughput' | 'footprint', who: Who, trial: number): string {
  return formatUnitKey({ experiment, who: describeWho(who), trial });
}

/** Key of one fault window: variant, fault trial, fault kind (`none` is the baseline) and target model. */
export function faultKey(who: Who, trial: number, kind: FaultKind, targetModel: string): string {
  return formatUnitKey({ experiment: 'fault', who: describeWho(who), trial, detail: `${kind === 'none' ? 'baseline' : kind} in ${targetModel}` });
}

/** Key of one diagnose window of its own (not riding on a fault window). */
export function diagnoseKey(who: Who, trial: number, kind: FaultKind, targetModel: string): string {
  return formatUnitKey({ experiment: 'diagnose', who: describeWho(who), trial, detail: `${kind === 'none' ? 'baseline' : kind} in ${targetModel}` });
}

/** Key of one footprint scaling point. */
export function scalingKey(who: Who, modelCount: number): string {
  return formatUnitKey({ experiment: 'scaling', who: describeWho(who), detail: `${modelCount} models` });
}

/** Key of one rollout of the redeploy experiment. */
export function redeployKey(who: Who, trial: number, step: { strategy: string; changeKind: string; corrupt: boolean }): string {
  return formatUnitKey({ experiment: 'redeploy', who: describeWho(who), trial, detail: `${step.strategy} ${step.changeKind}${step.corrupt ? ' corrupt' : ''}` });
}

/** Every unit the results hold (a fault window run twice, valid or not, is one unit). */
export function collectUnitKeys(results: RunResults): Set<string> {
  const keys = new Set<string>();
  const { latency, throughput, footprint, redeploy, fault, diagnose, library } = results.experiments;
  for (const r of latency?.results ?? []) keys.add(measurementKey('latency', r, r.trial));
  for (const r of throughput?.results ?? []) keys.add(measurementKey('throughput', r, r.trial));
  for (const r of footprint?.results ?? []) keys.add(measurementKey('footprint', r, r.trial));
  for (const p of footprint?.scaling ?? []) keys.add(scalingKey(p, p.modelCount));
  for (const r of redeploy?.results ?? []) keys.add(redeployKey(r, r.trial, r));
  for (const r of fault?.results ?? []) keys.add(faultKey(r, r.trial, r.faultKind, r.targetModel));
  for (const r of diagnose?.results ?? []) keys.add(diagnoseKey(r, r.trial, r.faultKind, r.targetModel));
  if (library?.status === 'complete') keys.add(LIBRARY_UNIT_KEY);
  return keys;
}
