/**
 * The rollout plan: a CodeDeploy-style preset name, or a strategy with its keys, turned into
 * one PlanConfig. The rules between these keys (preset or strategy, each strategy's keys, no
 * 0s step, ab only with the compare judge) are in the JSON Schema, so editors show them too;
 * only what a schema cannot say (steps only move forward, an A/B interval of at least a
 * minute) is checked here.
 */
import { DEFAULT_PRESET, DEFAULT_STRATEGY_KEYS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ConfigIssue } from './issues.js';
import type { RawRollout } from './raw.js';
import type { PlanConfig } from './types.js';

type Strategy = PlanConfig['strategy'];
type PlanKey = 'step' | 'interval' | 'percent' | 'bake' | 'steps';

/** The shortest A/B interval: one metric period, the least the compare judge can compare. */
export const AB_MINIMUM_INTERVAL_MS = 60_000;

/** The keys each strategy reads (the schema refuses the others; a test keeps the two in step). */
export const STRATEGY_KEYS: Record<Strategy, readonly PlanKey[]> = {
  linear: ['step', 'interval'],
  canary: ['percent', 'interval'],
  'all-at-once': ['bake'],
  steps: ['steps'],
  ab: ['percent', 'interval'],
};
/**
 * The strategies keys alone may choose, in order. Never ab: its keys are canary's, and an A/B
 * test (one split held for the whole interval, promoted with no bake at 100 %) is a different
 * release from a canary; it has to be asked for by name.
 */
const INFERRED_STRATEGIES: readonly Strategy[] = ['linear', 'canary', 'all-at-once', 'steps'];
export const PLAN_KEYS: readonly PlanKey[] = ['step', 'interval', 'percent', 'bake', 'steps'];

const PRESET = /^(?:CodeDeployDefault\.Lambda)?(?:Canary(\d+)Percent(\d+)Minutes?|Linear(\d+)PercentEvery(\d+)Minutes?|(AllAtOnce))$/;

export type PresetResult = { ok: true; plan: PlanConfig } | { ok: false; message: string };

/**
 * Parse a CodeDeploy-style preset: `Canary<P>Percent<M>Minute(s)`, `Linear<P>PercentEvery<M>Minute(s)`
 * or `AllAtOnce`, optionally prefixed `CodeDeployDefault.Lambda`. Any P and M are accepted
 * within limits (canary 1..99 %, linear 1..100 %, at least 1 minute), not only AWS's list.
 */
export function parsePreset(name: string): PresetResult {
  const match = PRESET.exec(name);
  if (!match) return { ok: false, message: 'must be a preset like Linear10PercentEvery1Minute, Canary10Percent5Minutes or AllAtOnce' };
  const [, canaryPercent, canaryMinutes, linearPercent, linearMinutes] = match;
  if (canaryPercent !== undefined && canaryMinutes !== undefined) {
    const percent = Number(canaryPercent);
    if (percent < 1 || percent > 99) return { ok: false, message: `canary percent must be from 1 to 99, not ${percent} (use AllAtOnce to shift everything at once)` };
    const minutes = Number(canaryMinutes);
    if (minutes < 1) return { ok: false, message: 'the canary interval must be at least 1 minute' };
    return { ok: true, plan: { strategy: 'canary', percent, intervalMs: minutes * 60_000 } };
  }
  if (linearPercent !== undefined && linearMinutes !== undefined) {
    const stepPercent = Number(linearPercent);
    if (stepPercent < 1 || stepPercent > 100) return { ok: false, message: `linear step must be from 1 to 100 percent, not ${stepPercent}` };
    const minutes = Number(linearMinutes);
    if (minutes < 1) return { ok: false, message: 'the linear interval must be at least 1 minute' };
    return { ok: true, plan: { strategy: 'linear', stepPercent, intervalMs: minutes * 60_000 } };
  }
  return { ok: true, plan: { strategy: 'all-at-once', bakeMs: 0 } };
}

export interface ResolvedPlan {
  plan: PlanConfig;
  /** The preset the plan came from (given or the default), for the report. */
  preset?: string;
  issues: ConfigIssue[];
}

/** A duration that passed the schema; `fallback` when the key is absent. */
function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

/**
 * Strategy named by the user, or the first whose keys cover the keys given (the schema refuses
 * keys of two strategies): `interval` alone reads as linear, the default plan's strategy,
 * `percent` as canary; never ab (INFERRED_STRATEGIES).
 */
function chooseStrategy(rollout: RawRollout, present: PlanKey[]): Strategy | undefined {
  if (rollout.strategy !== undefined) return rollout.strategy;
  return INFERRED_STRATEGIES.find((s) => present.every((k) => STRATEGY_KEYS[s].includes(k)));
}

function planFor(strategy: Strategy, rollout: RawRollout, issues: ConfigIssue[]): PlanConfig {
  switch (strategy) {
    case 'linear':
      return {
        strategy,
        stepPercent: rollout.step ?? DEFAULT_STRATEGY_KEYS.linear.stepPercent,
        intervalMs: ms(rollout.interval, DEFAULT_STRATEGY_KEYS.linear.intervalMs),
      };
    case 'canary':
      return {
        strategy,
        percent: rollout.percent ?? DEFAULT_STRATEGY_KEYS.canary.percent,
        intervalMs: ms(rollout.interval, DEFAULT_STRATEGY_KEYS.canary.intervalMs),
      };
    case 'all-at-once':
      return { strategy, bakeMs: ms(rollout.bake, DEFAULT_STRATEGY_KEYS['all-at-once'].bakeMs) };
    case 'ab': {
      const intervalMs = ms(rollout.interval, DEFAULT_STRATEGY_KEYS.ab.intervalMs);
      // The schema refuses 0s; "at least a minute" needs the duration's value, so it is checked here.
      if (intervalMs < AB_MINIMUM_INTERVAL_MS) {
        issues.push({
          path: ['rollout', 'interval'],
          message: `must be at least 1m for strategy ab: CloudWatch has one datapoint a minute, and a split held for less gives the compare judge no whole minute of both versions to compare`,
        });
      }
      return { strategy, percent: rollout.percent ?? DEFAULT_STRATEGY_KEYS.ab.percent, intervalMs };
    }
    case 'steps': {
      const steps = rollout.steps ?? [];
      steps.forEach((step, index) => {
        const previous = steps[index - 1];
        if (previous !== undefined && step.percent <= previous.percent) {
          issues.push({
            path: ['rollout', 'steps', String(index), 'percent'],
            message: `must be greater than the previous step's percent (${previous.percent}); steps only move traffic forward`,
          });
        }
      });
      return { strategy, steps: steps.map((s) => ({ percent: s.percent, durationMs: ms(s.duration, 0) })) };
    }
  }
}

/**
 * Work out the plan of a schema-valid `rollout:` section: its preset, its strategy, the strategy
 * implied by its keys, or the default preset. The schema has refused contradictions (preset and
 * strategy, keys of another strategy) rather than let this guess: a plan decides how fast
 * production traffic moves.
 */
export function resolvePlan(rollout: RawRollout): ResolvedPlan {
  const issues: ConfigIssue[] = [];
  const present = PLAN_KEYS.filter((key) => rollout[key] !== undefined);

  if (rollout.preset !== undefined) {
    const parsed = parsePreset(rollout.preset);
    if (!parsed.ok) {
      issues.push({ path: ['rollout', 'preset'], message: parsed.message });
      return { plan: defaultPlan(), preset: rollout.preset, issues };
    }
    return { plan: parsed.plan, preset: rollout.preset, issues };
  }

  if (rollout.strategy === undefined && present.length === 0) {
    return { plan: defaultPlan(), preset: DEFAULT_PRESET, issues };
  }
  const strategy = chooseStrategy(rollout, present);
  if (strategy === undefined) return { plan: defaultPlan(), issues };
  return { plan: planFor(strategy, rollout, issues), issues };
}

function defaultPlan(): PlanConfig {
  const parsed = parsePreset(DEFAULT_PRESET);
  if (!parsed.ok) throw new Error(`the default preset ${DEFAULT_PRESET} does not parse`);
  return parsed.plan;
}

/**
 * How long a step may be extended waiting for invocations when the user does not say:
 * one step of the plan (linear, canary), the bake (all-at-once), the shortest step (steps),
 * none for ab: an A/B test holds its split for the interval asked for and decides at its end
 * (after the last minute is published), rather than holding it up to twice as long.
 */
export function defaultMaxExtensionMs(plan: PlanConfig): number {
  switch (plan.strategy) {
    case 'linear':
    case 'canary':
      return plan.intervalMs;
    case 'all-at-once':
      return plan.bakeMs;
    case 'ab':
      return 0;
    case 'steps':
      return plan.steps.length === 0 ? 0 : Math.min(...plan.steps.map((s) => s.durationMs));
  }
}
