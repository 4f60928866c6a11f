import type { RedeploySettings } from '../../config/profiles.js';
import type { TopologyVariant } from '../../config/topologies.js';
import { choosePairs } from '../compare-topologies.js';

/** One rollout to perform on a running topology. */
export interface RolloutStep {
  strategy: 'recreate' | 'rolling';
  changeKind: 'model' | 'code';
  corrupt: boolean;
  /** Trial this rollout belongs to, when one session runs the rollouts of several trials. */
  trial?: number;
}

/** One topology started once, on which several rollouts run one after another under one load. */
export interface RedeploySession {
  who: TopologyVariant;
  /** Put the gateway in front of the monolith (needed to switch traffic in a rolling deploy). */
  monolithGateway: boolean;
  steps: RolloutStep[];
}

/** What the experiment will run, and the choices made that a reader should know about. */
export interface RedeployPlan {
  sessions: RedeploySession[];
  notes: string[];
}

/** The monolith variant that gets a front gateway and the rolling deploys: the best-tuned one present. */
function chooseRollingMonolith(variants: readonly TopologyVariant[]): TopologyVariant | undefined {
  return variants.find((v) => v.topology === 'monolith' && v.variant === 'workers') ?? variants.find((v) => v.topology === 'monolith');
}

/**
 * Orders a session's rollouts so nothing destructive comes early: good deploys first, then the bad
 * rolling ones (the old version keeps serving), then the bad recreates (which may leave it down).
 */
function orderSteps(settings: RedeploySettings, strategies: ReadonlyArray<RolloutStep['strategy']>): RolloutStep[] {
  const kinds = settings.changeKinds;
  const trials = settings.trialsInOneSession ? Array.from({ length: settings.trials }, (_, trial) => trial) : [undefined];
  const tag = (step: RolloutStep, trial: number | undefined): RolloutStep => (trial === undefined ? step : { ...step, trial });
  const good = trials.flatMap((trial) => kinds.flatMap((changeKind) => strategies.map((strategy) => tag({ strategy, changeKind, corrupt: false }, trial))));
  if (!settings.badDeploy) return good;
  const badRolling = strategies.includes('rolling') ? trials.flatMap((trial) => kinds.map((changeKind) => tag({ strategy: 'rolling', changeKind, corrupt: true }, trial))) : [];
  const badRecreate = strategies.includes('recreate') ? trials.flatMap((trial) => kinds.map((changeKind) => tag({ strategy: 'recreate', changeKind, corrupt: true }, trial))) : [];
  return [...good, ...badRolling, ...badRecreate];
}

/**
 * Recreate runs on every selected variant (or only the headline pair); rolling needs a front that can switch traffic, so it runs
 * on microservices/gateway and on one monolith variant given the same gateway in front.
 */
export function planRedeploy(variants: readonly TopologyVariant[], settings: RedeploySettings): RedeployPlan {
  const notes: string[] = [];
  const wantsRolling = settings.strategies.includes('rolling');
  const wantsRecreate = settings.strategies.includes('recreate');
  const rollingMonolith = wantsRolling ? chooseRollingMonolith(variants) : undefined;
  const headline = choosePairs(variants)[0];
  const recreateHere = (who: TopologyVariant) => settings.recreateOn === 'all' || !headline || who.variant === headline.monolith || who.variant === headline.microservices;
  const sessions: RedeploySession[] = [];
  for (const who of variants) {
    const rolling = wantsRolling && (who === rollingMonolith || (who.topology === 'microservices' && who.variant === 'gateway'));
    const strategies = [...(wantsRecreate && recreateHere(who) ? ['recreate' as const] : []), ...(rolling ? ['rolling' as const] : [])];
    if (strategies.length === 0) continue;
    sessions.push({ who, monolithGateway: who.topology === 'monolith' && rolling, steps: orderSteps(settings, strategies) });
  }
  if (rollingMonolith) {
    notes.push(`rolling deploys need a front that can switch traffic: they run on microservices/gateway and on monolith/${rollingMonolith.variant} started with the same gateway in front, so neither side has a hop the other lacks; monolith/${rollingMonolith.variant} keeps that gateway for its recreate rows too (like microservices/gateway), the other variants run without one`);
  }
  const skipped = variants.filter((v) => wantsRecreate && !recreateHere(v));
  if (skipped.length > 0) notes.push(`recreate ran only on the headline pair (profile setting redeploy.recreateOn = headline, to keep the quick profile short); not measured here: ${skipped.map((v) => `${v.topology}/${v.variant}`).join(', ')} — use --profile standard for every variant`);
  if (wantsRolling && !variants.some((v) => v.topology === 'microservices' && v.variant === 'gateway')) {
    notes.push('microservices/gateway is not among the selected variants, so no microservices rolling deploy was measured (rolling needs the gateway to switch traffic)');
  }
  return { sessions, notes };
}
