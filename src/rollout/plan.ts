/**
 * Turns a plan from the config (linear, canary, all-at-once, explicit steps, A/B test) into the
 * list of weights the rollout loop walks through. Every plan but the A/B test ends the same
 * way: the last step (if any) is a "final bake" at weight 1.0, still routed through the alias's
 * additional weight, so that rolling back stays one instant write (`weights {}`) until the
 * promotion. The A/B test is one partial step, promoted or rolled back on its verdict.
 */
import type { PlanConfig } from '../config/types.js';
import { formatDuration } from './timing.js';

/** One stage of the rollout: route `weight` of traffic to the candidate and watch it for `durationMs`. */
export interface RolloutStep {
  /** Share of traffic on the candidate, 0 < weight <= 1. */
  weight: number;
  durationMs: number;
  /** True for the 100% bake before promotion (always the last step when present). */
  final: boolean;
}

/**
 * The steps of `plan`, in order. Partial steps (weight < 1) come first; a final bake at
 * weight 1.0 for `finalBakeMs` follows unless the plan already has a 100% entry (which then
 * *is* the final bake), `finalBakeMs` is 0 (promote right after the last partial step) or the
 * plan is an A/B test (always one partial step, promoted right after it).
 * Throws RangeError on a plan that cannot be walked safely (non-positive or decreasing
 * percentages, a partial step without time to judge it).
 */
export function buildSteps(plan: PlanConfig, finalBakeMs: number): RolloutStep[] {
  switch (plan.strategy) {
    case 'linear':
      return stepsFromPercents(linearPercents(plan.stepPercent, plan.intervalMs), finalBakeMs);
    case 'canary':
      return stepsFromPercents([{ percent: plan.percent, durationMs: plan.intervalMs }], finalBakeMs);
    case 'all-at-once':
      // Blue/green: the whole plan is the bake at 100%; finalBakeMs does not add a second one.
      // Always one observed step, even with bake 0: as the last step it is judged until its
      // first minute of metrics is published, which is the health check before the switch is final.
      return [{ weight: 1, durationMs: plan.bakeMs, final: true }];
    case 'steps':
      return stepsFromPercents(plan.steps, finalBakeMs);
    case 'ab':
      // One split held for the interval, then promotion: the verdict at the end of that step is
      // the A/B test's decision (the compare judge's decisive step), and a bake at 100 % after it
      // would judge nothing (the stable version no longer serves). So finalBakeMs does not apply.
      return stepsFromPercents([{ percent: plan.percent, durationMs: plan.intervalMs }], 0);
  }
}

/**
 * The A/B test in plain words, for the dry run, the plan check and the report:
 * "A/B test: 50% on the candidate for 2h, then promote if the compare judge finds no
 * regression, else roll back".
 */
export function describeAbTest(plan: Extract<PlanConfig, { strategy: 'ab' }>): string {
  return `A/B test: ${plan.percent}% on the candidate for ${formatDuration(plan.intervalMs)}, then promote if the compare judge finds no regression, else roll back`;
}

/**
 * Rounds a traffic share to 6 decimals so that 3 × 0.1 is 0.3, not 0.30000000000000004:
 * the weight is written to the alias, compared with what the target reads back, and shown
 * to people.
 */
export function roundWeight(weight: number): number {
  return Math.round(weight * 1e6) / 1e6;
}

function linearPercents(stepPercent: number, intervalMs: number): Array<{ percent: number; durationMs: number }> {
  if (!(stepPercent > 0)) throw new RangeError(`linear plan: step percent must be > 0, got ${stepPercent}`);
  const entries: Array<{ percent: number; durationMs: number }> = [];
  // Compute each weight from the index (not by accumulation) so rounding errors do not add up.
  for (let index = 1; roundWeight((index * stepPercent) / 100) < 1; index++) {
    entries.push({ percent: index * stepPercent, durationMs: intervalMs });
  }
  return entries;
}

function stepsFromPercents(
  entries: ReadonlyArray<{ percent: number; durationMs: number }>,
  finalBakeMs: number,
): RolloutStep[] {
  const steps: RolloutStep[] = [];
  let previousWeight = 0;
  let hasFinal = false;
  for (const [index, entry] of entries.entries()) {
    const weight = roundWeight(entry.percent / 100);
    const where = `plan step ${index + 1} (${entry.percent}%)`;
    if (hasFinal) throw new RangeError(`${where} comes after the 100% step; the 100% step must be last`);
    if (!(weight > 0) || weight > 1) throw new RangeError(`${where}: percent must be in (0, 100]`);
    if (weight <= previousWeight) throw new RangeError(`${where}: percentages must increase from step to step`);
    previousWeight = weight;
    if (weight === 1) {
      hasFinal = true;
      // A zero-length bake at 100% means "switch and promote": there is nothing to observe.
      if (entry.durationMs > 0) steps.push({ weight: 1, durationMs: entry.durationMs, final: true });
      continue;
    }
    if (!(entry.durationMs > 0)) {
      throw new RangeError(`${where}: a partial step needs a duration > 0 to be judged`);
    }
    steps.push({ weight, durationMs: entry.durationMs, final: false });
  }
  if (!hasFinal && finalBakeMs > 0) steps.push({ weight: 1, durationMs: finalBakeMs, final: true });
  return steps;
}
