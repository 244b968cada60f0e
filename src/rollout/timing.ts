/**
 * Predictable budgets, Flagger-style: how long a rollout takes when all goes well, how long
 * it can take at most, and how long a fault can live in the canary before the rollback write
 * lands. docs/rollout.md derives each formula; tests measure them on the simulated clock.
 */
import type { RolloutConfig } from '../config/types.js';
import type { RolloutStep } from './plan.js';

/** CloudWatch publishes Lambda metrics per minute: one datapoint covers a whole minute. */
export const METRIC_PERIOD_MS = 60_000;

/** What the formulas assume about the outside world (they are not in the config). */
export interface TimingAssumptions {
  /** Delay between the end of a metric period and its datapoint being readable (60 s or more). */
  metricDelayMs: number;
  /** Duration of one target API call (a metrics read or an alias write), SDK retries included. */
  apiCallMs: number;
}

/**
 * How long the last step keeps being judged after its planned end: one metric period plus the
 * publication delay, so the datapoint of its final minute has been read before promotion.
 * Earlier steps need no such settling: the next step's window still covers their last minute.
 */
export function settleMs(config: Pick<RolloutConfig, 'metricDelayMs'>): number {
  return METRIC_PERIOD_MS + config.metricDelayMs;
}

/** Happy-path duration: every step passes on time, no extension, plus the last step's settling. API call time is not included. */
export function expectedDurationMs(steps: readonly RolloutStep[], config: Pick<RolloutConfig, 'metricDelayMs'>): number {
  const planned = steps.reduce((total, step) => total + step.durationMs, 0);
  return steps.length > 0 ? planned + settleMs(config) : planned;
}

/** Longest run that still ends by itself: every step is extended by the full `maxExtensionMs`. */
export function maxDurationMs(steps: readonly RolloutStep[], config: Pick<RolloutConfig, 'maxExtensionMs' | 'metricDelayMs'>): number {
  return expectedDurationMs(steps, config) + steps.length * config.maxExtensionMs;
}

/**
 * Worst case from the moment a fault starts in the canary to the moment the rollback write
 * has completed, for a judge that fails on the first datapoint showing the fault (the seed
 * rule, max-errors 0):
 *
 *   METRIC_PERIOD_MS + metricDelayMs + pollMs + 2 × apiCallMs
 *
 * The fault starts at the very beginning of a period (worst), its datapoint becomes readable
 * one period plus the publication delay later, the loop reads metrics at a fixed cadence of
 * `pollMs` (start to start), so the first read starting after publication begins at most
 * `pollMs` later, and then two sequential calls remain: that metrics read (canary and stable
 * are read in parallel) and the rollback write.
 */
export function worstCaseTimeToRollbackMs(
  config: Pick<RolloutConfig, 'pollMs'>,
  assumptions: TimingAssumptions,
): number {
  return METRIC_PERIOD_MS + assumptions.metricDelayMs + config.pollMs + 2 * assumptions.apiCallMs;
}

/**
 * Worst case for a run whose candidate gets no traffic at all, from the end of the first
 * shift write to the end of the rollback write (or the next shift with on-inconclusive
 * promote): the first step's duration, the full extension, then the read at the deadline
 * (the loop observes exactly at the deadline, so no poll interval is added) and the write.
 *
 *   steps[0].durationMs + maxExtensionMs + 2 × apiCallMs
 */
export function worstCaseTimeToInconclusiveMs(
  steps: readonly RolloutStep[],
  config: Pick<RolloutConfig, 'maxExtensionMs'>,
  assumptions: Pick<TimingAssumptions, 'apiCallMs'>,
): number {
  const first = steps[0];
  if (first === undefined) return 0;
  return first.durationMs + config.maxExtensionMs + 2 * assumptions.apiCallMs;
}

/**
 * The shortest judge window that cannot let a datapoint slide out before any poll has read
 * it: the datapoint of the period starting at `p` is readable at `p + period + delay`, the
 * next read starts within `pollMs` after that, and its window (computed at the read's start)
 * must still reach back to `p`. Conservative: it holds even for a target that only returns
 * periods starting inside the window. The config loader may warn with this.
 *
 *   METRIC_PERIOD_MS + metricDelayMs + pollMs
 */
export function minimumJudgeWindowMs(config: Pick<RolloutConfig, 'pollMs'>, assumptions: TimingAssumptions): number {
  return METRIC_PERIOD_MS + assumptions.metricDelayMs + config.pollMs;
}

/** `90000` → `1m30s`, `300000` → `5m`, `1500` → `1.5s`: durations as people write them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round((totalSeconds % 60) * 10) / 10;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (seconds > 0 || parts.length === 0) parts.push(`${seconds}s`);
  return parts.join('');
}
