/**
 * What the rollout chart shows, computed from the timeline and nothing else: canary and stable
 * error rates per time bucket, the canary's traffic weight as steps, the polls that decided a
 * step, and the moment of promotion or rollback. Pure data: the job summary draws it with
 * mermaid (summary.ts) and the chart file with echarts (chart-svg.ts), so both say the same.
 *
 * Error rates come from the report's per-minute counts (`minutes`: each minute of both versions
 * as CloudWatch last published it), summed per bucket: errors over invocations in that bucket,
 * so a bad minute shows as the spike it was. A report without them (older JSON, a rollout that
 * read nothing) falls back to the timeline, whose samples are sums over the judge's window: the
 * rate the bucket's last poll saw over that window.
 */
import type { MinuteRow, TimelineRow, VersionSample } from './result.js';
import { errorRate, formatDuration, formatPercent } from './format.js';

const MINUTE_MS = 60_000;

/** Strong colours both renderings use, told apart by most colour-blind readers: red and blue lines, green weight. */
export const CHART_COLOURS = { canary: '#d62728', stable: '#1f77b4', weight: '#2ca02c' } as const;

/** Bucket widths, in minutes, tried from the finest: a 10-minute rollout reads per minute, a 2-hour one per 5 or 10. */
const BUCKET_MINUTES = [1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440] as const;

/** One x position of the chart. */
export interface ChartBucket {
  /** Start and end (exclusive) in ms since the rollout started. */
  startMs: number;
  endMs: number;
  /** Axis label: the bucket's start in whole minutes, `m0`, `m5`, `m120`. */
  label: string;
  /** Canary errors over invocations in the bucket's minutes (else the rate its last poll saw over the window); null without invocations. */
  canaryRate: number | null;
  /** The same for the stable version. */
  stableRate: number | null;
  /** The highest canary weight (0..1) held during the bucket, so a step that was rolled back still shows. */
  weight: number;
  /** Polls (observe rows) in the bucket. */
  polls: number;
  /** When the poll the rates come from ran; null without one. */
  polledAtMs: number | null;
}

/** A change of the canary's weight: from `atMs` on, `weight` (0..1). */
export interface WeightStep {
  atMs: number;
  weight: number;
}

/** A poll whose verdict decided its step: passed it, failed the release, or ran out of time undecided. */
export interface VerdictPoint {
  atMs: number;
  step: number;
  weight: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
  reason: string;
  /** The canary error rate that poll saw, 0..1; null without invocations. */
  canaryRate: number | null;
}

/** How the rollout ended, and when. */
export interface OutcomeMoment {
  event: 'promote' | 'rollback' | 'abort';
  atMs: number;
  step: number;
  /** The canary's weight just before the event. */
  weightBefore: number;
  /** The canary's weight the event left (1 promoted, 0 rolled back). */
  weightAfter: number;
}

export interface RolloutChart {
  /** Time of the last timeline row. */
  durationMs: number;
  bucketMs: number;
  buckets: ChartBucket[];
  weightSteps: WeightStep[];
  verdicts: VerdictPoint[];
  outcome?: OutcomeMoment;
  /** True when the rates are errors over invocations per bucket (from `minutes`), false when they are the polls' window rates. */
  perMinute: boolean;
  /** Upper end of the error-rate axis in percent: the highest rate plus headroom, rounded up to a readable number. */
  errorAxisMaxPercent: number;
  /** The versions the samples came from (the first seen), for legends. */
  canaryVersion?: string;
  stableVersion?: string;
}

export interface ChartOptions {
  /** At most this many x positions (default 30). */
  maxBuckets?: number;
  /** The report's per-minute counts; without them, the rates are the polls' window rates. */
  minutes?: readonly MinuteRow[];
}

/**
 * The narrowest bucket width (from 1, 2, 5, 10, 15, 20, 30 minutes, then hours) that keeps
 * the rollout within `maxBuckets` x positions.
 */
export function chooseBucketMs(durationMs: number, maxBuckets: number): number {
  const limit = Math.max(1, Math.floor(maxBuckets));
  for (const minutes of BUCKET_MINUTES) {
    const width = minutes * MINUTE_MS;
    if (Math.floor(Math.max(0, durationMs) / width) + 1 <= limit) return width;
  }
  // Longer than anything we expect (weeks): widen until it fits.
  return Math.ceil(Math.max(0, durationMs) / limit / MINUTE_MS + 1) * MINUTE_MS;
}

const NICE_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] as const;

/**
 * The error-rate axis: 20% headroom above the highest rate, rounded up to 1, 1.5, 2, 2.5, 3, 4,
 * 5, 6 or 8 times a power of ten, so a 1% rate is read on 0–1.5%, not on 0–100%. Never below
 * 1% (a clean rollout shows a flat line on a small axis, not a magnified rounding error) and
 * never above 100%.
 */
export function errorAxisMaxPercent(maxRatePercent: number): number {
  const target = Math.max(maxRatePercent, 0) * 1.2;
  if (!(target > 1)) return 1;
  if (target >= 100) return 100;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = NICE_STEPS.find((nice) => nice * power >= target - 1e-9) ?? 10;
  return Number((step * power).toPrecision(3));
}

function rateOf(sample: VersionSample | undefined): number | null {
  return sample === undefined ? null : errorRate(sample);
}

const OUTCOME_EVENTS = new Set<TimelineRow['event']>(['promote', 'rollback', 'abort']);
const DECIDING_VERDICTS = new Set<TimelineRow['verdict']>(['pass', 'fail', 'inconclusive']);

/** Where the weight changed, from the first row on (consecutive rows at the same weight are one step). */
function weightSteps(timeline: readonly TimelineRow[]): WeightStep[] {
  const steps: WeightStep[] = [];
  for (const row of timeline) {
    if (steps.at(-1)?.weight === row.weight) continue;
    steps.push({ atMs: row.atMs, weight: row.weight });
  }
  return steps;
}

function outcomeMoment(timeline: readonly TimelineRow[]): OutcomeMoment | undefined {
  const index = timeline.findLastIndex((row) => OUTCOME_EVENTS.has(row.event));
  if (index === -1) return undefined;
  const row = timeline[index]!;
  const before = index > 0 ? timeline[index - 1]!.weight : row.weight;
  return { event: row.event as OutcomeMoment['event'], atMs: row.atMs, step: row.step, weightBefore: before, weightAfter: row.weight };
}

/**
 * Replaces each bucket's rates by errors over invocations in its minutes. The minute the rollout
 * started in (negative atMs) counts in the first bucket; minutes past the last bucket in the last.
 */
function fillMinuteRates(buckets: ChartBucket[], bucketMs: number, minutes: readonly MinuteRow[]): void {
  const sums = buckets.map(() => ({ canary: { invocations: 0, errors: 0 }, stable: { invocations: 0, errors: 0 } }));
  for (const minute of minutes) {
    const index = Math.min(buckets.length - 1, Math.max(0, Math.floor(minute.atMs / bucketMs)));
    for (const which of ['canary', 'stable'] as const) {
      const counts = minute[which];
      if (counts === undefined) continue;
      sums[index]![which].invocations += counts.invocations;
      sums[index]![which].errors += counts.errors;
    }
  }
  buckets.forEach((bucket, i) => {
    const { canary, stable } = sums[i]!;
    bucket.canaryRate = canary.invocations > 0 ? canary.errors / canary.invocations : null;
    bucket.stableRate = stable.invocations > 0 ? stable.errors / stable.invocations : null;
  });
}

/** The chart's data for a rollout timeline (rows in time order, as the loop records them). */
export function buildRolloutChart(timeline: readonly TimelineRow[], options: ChartOptions = {}): RolloutChart {
  const durationMs = Math.max(0, timeline.at(-1)?.atMs ?? 0);
  const bucketMs = chooseBucketMs(durationMs, options.maxBuckets ?? 30);
  const count = Math.floor(durationMs / bucketMs) + 1;
  const buckets: ChartBucket[] = Array.from({ length: count }, (_, i) => ({
    startMs: i * bucketMs,
    endMs: (i + 1) * bucketMs,
    label: `m${(i * bucketMs) / MINUTE_MS}`,
    canaryRate: null,
    stableRate: null,
    weight: 0,
    polls: 0,
    polledAtMs: null,
  }));
  // The weight carried into each bucket from the rows before it.
  let weight = 0;
  let rowIndex = 0;
  for (const bucket of buckets) {
    bucket.weight = weight;
    for (; rowIndex < timeline.length && timeline[rowIndex]!.atMs < bucket.endMs; rowIndex += 1) {
      const row = timeline[rowIndex]!;
      weight = row.weight;
      bucket.weight = Math.max(bucket.weight, row.weight);
      if (row.event !== 'observe') continue;
      bucket.polls += 1;
      const canaryRate = rateOf(row.canary);
      const stableRate = rateOf(row.stable);
      if (canaryRate !== null || stableRate !== null) bucket.polledAtMs = row.atMs;
      bucket.canaryRate = canaryRate ?? bucket.canaryRate;
      bucket.stableRate = stableRate ?? bucket.stableRate;
    }
  }
  const perMinute = options.minutes !== undefined && options.minutes.length > 0;
  if (perMinute) fillMinuteRates(buckets, bucketMs, options.minutes!);
  const verdicts: VerdictPoint[] = timeline
    .filter((row) => row.event === 'observe' && DECIDING_VERDICTS.has(row.verdict))
    .map((row) => ({ atMs: row.atMs, step: row.step, weight: row.weight, verdict: row.verdict as VerdictPoint['verdict'], reason: row.reason, canaryRate: rateOf(row.canary) }));
  const maxRate = Math.max(0, ...buckets.flatMap((b) => [b.canaryRate ?? 0, b.stableRate ?? 0]), ...verdicts.map((v) => v.canaryRate ?? 0));
  const outcome = outcomeMoment(timeline);
  const canaryVersion = timeline.find((row) => row.canary !== undefined)?.canary?.version;
  const stableVersion = timeline.find((row) => row.stable !== undefined)?.stable?.version;
  return {
    durationMs,
    bucketMs,
    perMinute,
    buckets,
    weightSteps: weightSteps(timeline),
    verdicts,
    ...(outcome !== undefined ? { outcome } : {}),
    errorAxisMaxPercent: errorAxisMaxPercent(maxRate * 100),
    ...(canaryVersion !== undefined ? { canaryVersion } : {}),
    ...(stableVersion !== undefined ? { stableVersion } : {}),
  };
}

/** `1 minute`, `5 minutes`, `2 hours`: the bucket width for a legend. */
export function describeBucket(bucketMs: number): string {
  const minutes = bucketMs / MINUTE_MS;
  if (minutes >= 60 && minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}

const OUTCOME_VERB: Record<OutcomeMoment['event'], string> = { promote: 'promoted', rollback: 'rolled back', abort: 'aborted' };

/**
 * The outcome moment in words: `rolled back at 7m 12s (step 3, weight 30%)`,
 * `promoted at 8m 00s (step 4, weight 50% → 100%)`.
 */
export function describeOutcome(moment: OutcomeMoment): string {
  const at = `${OUTCOME_VERB[moment.event]} at ${formatDuration(moment.atMs)}`;
  const weight =
    moment.event === 'promote' && moment.weightBefore !== moment.weightAfter
      ? `${formatPercent(moment.weightBefore)} → ${formatPercent(moment.weightAfter)}`
      : formatPercent(moment.weightBefore);
  return `${at} (step ${moment.step}, weight ${weight})`;
}

/** A rate 0..1 as a chart value in percent, to 3 significant digits (0 stays 0). */
export function chartPercentValue(rate: number): number {
  return rate === 0 ? 0 : Number((rate * 100).toPrecision(3));
}
