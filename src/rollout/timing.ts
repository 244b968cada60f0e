/**
 * Predictable budgets, Flagger-style: how long a rollout takes when all goes well, how long
 * it can take at most, and how long a fault can live in the canary before the rollback write
 * lands; and the schedule behind them, in which each step is judged on the whole minutes it
 * served itself (docs/rollout.md, "Each step is judged on its own traffic"). docs/rollout.md
 * derives each formula; tests measure them on the simulated clock.
 */
import type { RolloutConfig } from '../config/types.js';
import type { RolloutStep } from './plan.js';

/** CloudWatch publishes Lambda metrics per minute: one datapoint covers a whole minute. */
export const METRIC_PERIOD_MS = 60_000;

/**
 * A minute counts as a step's own when at most this much of it was still served by the
 * previous weight: the shift write, sent at a minute boundary, completes a few hundred
 * milliseconds into the minute. At most 1/60 of that one minute's traffic is the previous
 * step's, and a schedule of whole-minute steps keeps to the minute instead of losing one per
 * step. A shift that completes later than this into a minute leaves that minute to no step.
 */
export const SHIFT_TOLERANCE_MS = 1_000;

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

/**
 * Start of the first whole minute whose traffic belongs to a step whose shift completed at
 * `shiftAtMs`: the first minute boundary at or after it, or the one just before it when the
 * shift completed within SHIFT_TOLERANCE_MS of that boundary.
 */
export function firstWholeMinuteMs(shiftAtMs: number): number {
  return Math.ceil((shiftAtMs - SHIFT_TOLERANCE_MS) / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
}

/** When the datapoint of the minute starting at `minuteStartMs` can be read: the minute, then the publication delay. */
export function readableAtMs(minuteStartMs: number, config: Pick<RolloutConfig, 'metricDelayMs'>): number {
  return minuteStartMs + METRIC_PERIOD_MS + config.metricDelayMs;
}

/** How long a step is judged when it is not extended: its duration, plus the settling when it is the last one. */
export function stepJudgedMs(steps: readonly RolloutStep[], index: number, config: Pick<RolloutConfig, 'metricDelayMs'>): number {
  const step = steps[index];
  if (step === undefined) return 0;
  return step.durationMs + (index === steps.length - 1 ? settleMs(config) : 0);
}

/**
 * A step whose time, extension included, can hold one whole minute plus its publication: the
 * only steps that can ever be judged on their own traffic. `judgedMs` is `stepJudgedMs`.
 *
 *   judgedMs + maxExtensionMs ≥ METRIC_PERIOD_MS + metricDelayMs
 */
export function canReadOwnMinute(judgedMs: number, config: Pick<RolloutConfig, 'metricDelayMs' | 'maxExtensionMs'>): boolean {
  return judgedMs + config.maxExtensionMs >= METRIC_PERIOD_MS + config.metricDelayMs;
}

/**
 * Where a step's clock starts (its planned end is this plus `stepJudgedMs`, its deadline that
 * plus `maxExtensionMs`). The threshold judge passes a step only on the whole minutes it served
 * itself. Counted from its shift, a short step shifted late in a minute could not read its
 * first whole minute before its deadline (a 1m step + 1m extension with a 1m metric delay,
 * shifted at :55): such a step counts from its first whole minute instead, so the shift's place
 * in its minute does not eat the time its first datapoint needs. A step with enough time anyway
 * counts from its shift (waiting would only make it longer), and so does a step too short to
 * ever read a minute (`validate` reports it) and every step of the compare judge, which
 * accumulates evidence from the first shift on.
 */
export function stepClockStartMs(
  shiftAtMs: number,
  judgedMs: number,
  config: Pick<RolloutConfig, 'metricDelayMs' | 'maxExtensionMs' | 'judge'>,
): number {
  if (config.judge.type === 'compare' || !canReadOwnMinute(judgedMs, config)) return shiftAtMs;
  const firstMinuteMs = firstWholeMinuteMs(shiftAtMs);
  return readableAtMs(firstMinuteMs, config) <= shiftAtMs + judgedMs + config.maxExtensionMs ? shiftAtMs : firstMinuteMs;
}

/**
 * Whether a step of `judgedMs` may wait for its first whole minute (`stepClockStartMs`), for
 * some place of its shift in the minute: it can read a minute, but not always from its shift.
 *
 *   METRIC_PERIOD_MS + metricDelayMs ≤ judgedMs + maxExtensionMs < 2 × METRIC_PERIOD_MS + metricDelayMs − SHIFT_TOLERANCE_MS
 */
export function mayWaitForFirstWholeMinute(judgedMs: number, config: Pick<RolloutConfig, 'metricDelayMs' | 'maxExtensionMs' | 'judge'>): boolean {
  return (
    config.judge.type !== 'compare' &&
    canReadOwnMinute(judgedMs, config) &&
    judgedMs + config.maxExtensionMs < 2 * METRIC_PERIOD_MS + config.metricDelayMs - SHIFT_TOLERANCE_MS
  );
}

/** One step of the planned schedule; times in ms from the first shift (which completes at 0). */
export interface ScheduledStep {
  index: number;
  weight: number;
  /** The step's duration, plus the settling for the last step. */
  judgedMs: number;
  shiftAtMs: number;
  clockStartMs: number;
  /** Clock start + judgedMs: the step passes here at the earliest. */
  plannedEndMs: number;
  /** Planned end + max-extension: the step is inconclusive when it has not passed here. */
  deadlineMs: number;
  /** When the step's first datapoint of its own traffic is readable (compare: the first minute since the first shift). */
  firstReadableAtMs: number;
  /** Whether the step can ever be judged on a published minute before its deadline. */
  judgeable: boolean;
  /** When the step is expected to pass (or end inconclusive, at its deadline, when not judgeable). */
  endMs: number;
}

export interface ScheduleOptions {
  /** Every step runs to its deadline (the longest run that ends by itself). */
  extended?: boolean;
  /** Where in its minute the first shift completes; default 0 (on a minute boundary). */
  firstShiftAtMs?: number;
}

/**
 * The schedule the loop keeps when every step gets enough traffic from its first readable
 * minute (API calls take no time): each step passes at its planned end, or, when its first
 * own minute is published only later, right then (the loop reads at each publication during an
 * extension), or at its deadline when it cannot be judged. The next step shifts there. With
 * `extended`, every step runs to its deadline instead.
 */
export function planSchedule(
  steps: readonly RolloutStep[],
  config: Pick<RolloutConfig, 'metricDelayMs' | 'maxExtensionMs' | 'judge'>,
  options: ScheduleOptions = {},
): ScheduledStep[] {
  const firstShiftAtMs = options.firstShiftAtMs ?? 0;
  const firstMinuteMs = Math.floor(firstShiftAtMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
  const schedule: ScheduledStep[] = [];
  let atMs = firstShiftAtMs;
  for (const [index, step] of steps.entries()) {
    const judgedMs = stepJudgedMs(steps, index, config);
    const clockStartMs = stepClockStartMs(atMs, judgedMs, config);
    const plannedEndMs = clockStartMs + judgedMs;
    const deadlineMs = plannedEndMs + config.maxExtensionMs;
    // Threshold: the step's own first whole minute. Compare: evidence accumulates from the
    // minute of the first shift on, so only the first step waits for a datapoint.
    const firstReadableAtMs =
      config.judge.type === 'compare'
        ? index === 0 ? readableAtMs(firstMinuteMs, config) : atMs
        : readableAtMs(firstWholeMinuteMs(atMs), config);
    const judgeable = firstReadableAtMs <= deadlineMs;
    const endMs = options.extended || !judgeable ? deadlineMs : Math.max(plannedEndMs, firstReadableAtMs);
    schedule.push({ index, weight: step.weight, judgedMs, shiftAtMs: atMs, clockStartMs, plannedEndMs, deadlineMs, firstReadableAtMs, judgeable, endMs });
    atMs = endMs;
  }
  return schedule;
}

/**
 * Happy-path duration, from the first shift (on a minute boundary) to the promotion: every
 * step passes as soon as it may — at its planned end, or when its first own minute is
 * published if that comes later (a 1m step with the default 1m metric delay takes 2m) — and
 * the last step settles. A first shift later in its minute can add the rest of that minute
 * (`mayWaitForFirstWholeMinute`). API call time is not included.
 */
export function expectedDurationMs(
  steps: readonly RolloutStep[],
  config: Pick<RolloutConfig, 'metricDelayMs' | 'maxExtensionMs' | 'judge'>,
): number {
  return planSchedule(steps, config).at(-1)?.endMs ?? 0;
}

/** Longest run that still ends by itself: every step runs to the end of its full `maxExtensionMs`. */
export function maxDurationMs(
  steps: readonly RolloutStep[],
  config: Pick<RolloutConfig, 'maxExtensionMs' | 'metricDelayMs' | 'judge'>,
): number {
  return planSchedule(steps, config, { extended: true }).at(-1)?.endMs ?? 0;
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
 * Time from the end of the first shift write (at `firstShiftAtMs`, epoch or relative) to the
 * end of the rollback write (or the next shift with on-inconclusive promote) when the candidate
 * gets no traffic at all: the wait for the step's first whole minute (threshold judge, a step
 * that can hold one), the step's time (with the settling when it is the only step), the full
 * extension, then the read at the deadline (the loop observes exactly at the deadline, so no
 * poll interval is added) and the write.
 *
 *   (first whole minute − first shift) + stepJudgedMs(0) + maxExtensionMs + 2 × apiCallMs
 */
export function timeToInconclusiveMs(
  steps: readonly RolloutStep[],
  config: Pick<RolloutConfig, 'maxExtensionMs' | 'metricDelayMs' | 'judge'>,
  assumptions: Pick<TimingAssumptions, 'apiCallMs'>,
  firstShiftAtMs = 0,
): number {
  if (steps.length === 0) return 0;
  const judgedMs = stepJudgedMs(steps, 0, config);
  const clockStartMs = stepClockStartMs(firstShiftAtMs, judgedMs, config);
  return clockStartMs - firstShiftAtMs + judgedMs + config.maxExtensionMs + 2 * assumptions.apiCallMs;
}

/**
 * `timeToInconclusiveMs` for the worst phase of the first shift in its minute: one that
 * completes just past SHIFT_TOLERANCE_MS into a minute waits the rest of it (an upper bound,
 * approached but not reached).
 *
 *   (METRIC_PERIOD_MS − SHIFT_TOLERANCE_MS, when mayWaitForFirstWholeMinute)
 *     + stepJudgedMs(0) + maxExtensionMs + 2 × apiCallMs
 */
export function worstCaseTimeToInconclusiveMs(
  steps: readonly RolloutStep[],
  config: Pick<RolloutConfig, 'maxExtensionMs' | 'metricDelayMs' | 'judge'>,
  assumptions: Pick<TimingAssumptions, 'apiCallMs'>,
): number {
  if (steps.length === 0) return 0;
  const judgedMs = stepJudgedMs(steps, 0, config);
  return (mayWaitForFirstWholeMinute(judgedMs, config) ? METRIC_PERIOD_MS - SHIFT_TOLERANCE_MS : 0) + judgedMs + config.maxExtensionMs + 2 * assumptions.apiCallMs;
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

/** A traffic weight as a percentage with at most two decimals: `0.3` → `30%`, `0.125` → `12.5%`. */
export function formatWeight(weight: number): string {
  return `${Math.round(weight * 10000) / 100}%`;
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
