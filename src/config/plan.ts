/**
 * The rollout plan: a CodeDeploy-style preset name, or a strategy with its keys, turned into
 * one PlanConfig. Rules that span several keys live here because the schema cannot say them
 * in words a user understands.
 */
import { DEFAULT_PRESET, DEFAULT_STRATEGY_KEYS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ConfigIssue } from './issues.js';
import type { RawRollout } from './raw.js';
import type { PlanConfig } from './types.js';

type Strategy = PlanConfig['strategy'];
type PlanKey = 'step' | 'interval' | 'percent' | 'bake' | 'steps';

/** The keys each strategy reads; every other plan key would be silently ignored, so it is an error. */
const STRATEGY_KEYS: Record<Strategy, readonly PlanKey[]> = {
  linear: ['step', 'interval'],
  canary: ['percent', 'interval'],
  'all-at-once': ['bake'],
  steps: ['steps'],
};
const STRATEGIES = Object.keys(STRATEGY_KEYS) as Strategy[];
const PLAN_KEYS: readonly PlanKey[] = ['step', 'interval', 'percent', 'bake', 'steps'];

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

function listWords(words: readonly string[], conjunction: 'and' | 'or' = 'or'): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

function strategiesUsing(key: PlanKey): Strategy[] {
  return STRATEGIES.filter((s) => STRATEGY_KEYS[s].includes(key));
}

/** A duration that passed the schema; `fallback` when the key is absent. */
function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

/** Strategy named by the user, or the only one whose keys cover the keys given. */
function chooseStrategy(rollout: RawRollout, present: PlanKey[], issues: ConfigIssue[]): Strategy | undefined {
  if (rollout.strategy !== undefined) {
    const strategy = rollout.strategy;
    for (const key of present.filter((k) => !STRATEGY_KEYS[strategy].includes(k))) {
      issues.push({
        path: ['rollout', key],
        message: `does not apply to strategy '${strategy}' (it is a key of ${listWords(strategiesUsing(key))})`,
        at: 'key',
      });
    }
    return strategy;
  }
  // Keys without a strategy: `interval` alone reads as linear, the default plan's strategy.
  const fitting = STRATEGIES.filter((s) => present.every((k) => STRATEGY_KEYS[s].includes(k)));
  if (fitting[0] === undefined) {
    issues.push({
      path: ['rollout'],
      message: `keys ${listWords(present, 'and')} belong to different strategies; set strategy: ${listWords(STRATEGIES)}`,
      at: 'key',
    });
  }
  return fitting[0];
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
    case 'steps': {
      const steps = rollout.steps ?? [];
      if (rollout.steps === undefined) issues.push({ path: ['rollout'], message: "missing required key 'steps' (strategy: steps)", at: 'key' });
      steps.forEach((step, index) => {
        const previous = steps[index - 1];
        if (previous !== undefined && step.percent <= previous.percent) {
          issues.push({
            path: ['rollout', 'steps', String(index), 'percent'],
            message: `must be greater than the previous step's percent (${previous.percent}); steps only move traffic forward`,
          });
        }
        if (parseDuration(step.duration) === 0) {
          issues.push({ path: ['rollout', 'steps', String(index), 'duration'], message: 'must be longer than 0s: a step needs time to be judged' });
        }
      });
      return { strategy, steps: steps.map((s) => ({ percent: s.percent, durationMs: ms(s.duration, 0) })) };
    }
  }
}

/**
 * Work out the plan of a `rollout:` section: its preset, its strategy, the strategy implied by
 * its keys, or the default preset. Contradictions (preset and strategy, keys of another
 * strategy) are issues rather than guesses: a plan decides how fast production traffic moves.
 */
export function resolvePlan(rollout: RawRollout): ResolvedPlan {
  const issues: ConfigIssue[] = [];
  const present = PLAN_KEYS.filter((key) => rollout[key] !== undefined);

  if (rollout.preset !== undefined) {
    if (rollout.strategy !== undefined) {
      issues.push({ path: ['rollout', 'strategy'], message: `cannot be combined with preset '${rollout.preset}'; keep one of them` });
    }
    for (const key of present) {
      issues.push({
        path: ['rollout', key],
        message: `does not apply to a preset; remove it, or replace preset with strategy: ${listWords(strategiesUsing(key))}`,
        at: 'key',
      });
    }
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
  const strategy = chooseStrategy(rollout, present, issues);
  if (strategy === undefined) return { plan: defaultPlan(), issues };
  if (rollout.interval !== undefined && parseDuration(rollout.interval) === 0) {
    issues.push({ path: ['rollout', 'interval'], message: 'must be longer than 0s: a step needs time to be judged' });
  }
  return { plan: planFor(strategy, rollout, issues), issues };
}

function defaultPlan(): PlanConfig {
  const parsed = parsePreset(DEFAULT_PRESET);
  if (!parsed.ok) throw new Error(`the default preset ${DEFAULT_PRESET} does not parse`);
  return parsed.plan;
}

/**
 * How long a step may be extended waiting for invocations when the user does not say:
 * one step of the plan (linear, canary), the bake (all-at-once), the shortest step (steps).
 */
export function defaultMaxExtensionMs(plan: PlanConfig): number {
  switch (plan.strategy) {
    case 'linear':
    case 'canary':
      return plan.intervalMs;
    case 'all-at-once':
      return plan.bakeMs;
    case 'steps':
      return plan.steps.length === 0 ? 0 : Math.min(...plan.steps.map((s) => s.durationMs));
  }
}
