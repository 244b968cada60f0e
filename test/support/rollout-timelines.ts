/**
 * Rollout timelines shaped like the step loop's (src/rollout/loop.ts): a shift per step, a poll
 * every 15 s carrying the counts over the judge's window (the last 5 minutes since the first
 * shift), a `pass` at the end of each step, and a rollback 12 s after a failing poll or a
 * promotion after the last step. The chart tests and the report screenshots use them.
 */
import type { MinuteRow, Report, TimelineRow } from '../../src/report/result.js';

const MINUTE = 60_000;

export interface SyntheticRollout {
  /** Weight (0..1) and length in minutes of each step. */
  steps: Array<{ weight: number; minutes: number }>;
  /** Canary error rate 0..1 in a given minute since the start. */
  canaryErrorRate: (minute: number) => number;
  stableErrorRate?: number;
  /** Requests per minute on the alias. */
  perMinute?: number;
  /** A canary window rate above this fails the step. */
  maxErrorRate?: number;
  windowMinutes?: number;
  pollMs?: number;
}

/** A timeline the loop could have recorded for `spec`; ends in a promotion or a rollback. */
export function syntheticTimeline(spec: SyntheticRollout): TimelineRow[] {
  return syntheticRollout(spec).timeline;
}

/** The timeline, and the per-minute counts the loop would have read by its end (Report.minutes). */
export function syntheticRollout(spec: SyntheticRollout): { timeline: TimelineRow[]; minutes: MinuteRow[] } {
  const timeline = buildTimeline(spec);
  const endMs = timeline.at(-1)?.atMs ?? 0;
  const minutes: MinuteRow[] = [];
  lastMinutes.forEach((row, minute) => {
    // Only minutes that ended before the last poll were published (and read).
    if (row === undefined || (minute + 1) * MINUTE > endMs) return;
    minutes.push({ atMs: minute * MINUTE, canary: { invocations: row[0], errors: row[1] }, stable: { invocations: row[2], errors: row[3] } });
  });
  return { timeline, minutes };
}

/** The per-minute traffic of the last timeline built (buildTimeline fills it). */
let lastMinutes: Array<[number, number, number, number] | undefined> = [];

function buildTimeline(spec: SyntheticRollout): TimelineRow[] {
  const perMinute = spec.perMinute ?? 2000;
  const stableRate = spec.stableErrorRate ?? 0.004;
  const maxRate = spec.maxErrorRate ?? 0.02;
  const windowMs = (spec.windowMinutes ?? 5) * MINUTE;
  const pollMs = spec.pollMs ?? 15_000;
  const rows: TimelineRow[] = [{ atMs: 0, step: 0, weight: 0, event: 'preflight', reason: 'Alias live points at version 41, no canary weights.' }];
  const firstShiftMs = 1_000;
  // Traffic per whole minute, filled as the steps run: [canary invocations, canary errors, stable invocations, stable errors].
  const minutes: Array<[number, number, number, number]> = [];
  lastMinutes = minutes;
  const account = (minute: number, weight: number) => {
    if (minutes[minute] !== undefined) return;
    const canary = Math.round(perMinute * weight);
    const stable = perMinute - canary;
    minutes[minute] = [canary, Math.round(canary * spec.canaryErrorRate(minute)), stable, Math.round(stable * stableRate)];
  };
  const windowCounts = (nowMs: number) => {
    const from = Math.max(firstShiftMs, nowMs - windowMs);
    const sum = [0, 0, 0, 0];
    // Metrics are published per whole minute: only minutes that ended before the poll count.
    for (let m = Math.floor(from / MINUTE); (m + 1) * MINUTE <= nowMs; m += 1) {
      const row = minutes[m];
      if (row) for (let i = 0; i < 4; i += 1) sum[i]! += row[i]!;
    }
    return sum as [number, number, number, number];
  };
  let atMs = firstShiftMs;
  for (const [index, step] of spec.steps.entries()) {
    const stepNumber = index + 1;
    rows.push({ atMs, step: stepNumber, weight: step.weight, event: 'shift', reason: `Shifted ${Math.round(step.weight * 100)}% to version 42.` });
    const endMs = atMs + step.minutes * MINUTE;
    for (let poll = atMs + pollMs; poll <= endMs; poll += pollMs) {
      for (let m = Math.floor((poll - pollMs) / MINUTE); m <= Math.floor(poll / MINUTE); m += 1) account(m, step.weight);
      const [ci, ce, si, se] = windowCounts(poll);
      const rate = ci > 0 ? ce / ci : 0;
      const last = poll + pollMs > endMs;
      const failing = ci > 0 && rate > maxRate;
      const verdict = failing ? 'fail' : last ? 'pass' : 'continue';
      rows.push({
        atMs: poll,
        step: stepNumber,
        weight: step.weight,
        event: 'observe',
        canary: { version: '42', invocations: ci, errors: ce, throttles: 0, p99Ms: 180 },
        stable: { version: '41', invocations: si, errors: se, throttles: 0, p99Ms: 150 },
        verdict,
        reason: failing
          ? `canary error rate ${(rate * 100).toFixed(2)}% > max ${(maxRate * 100).toFixed(0)}% over the last 5 minutes`
          : `canary error rate ${(rate * 100).toFixed(2)}% <= max ${(maxRate * 100).toFixed(0)}%`,
      });
      if (failing) {
        rows.push({ atMs: poll + 12_000, step: stepNumber, weight: 0, event: 'rollback', reason: 'Weights cleared: 100% on version 41.' });
        return rows;
      }
      atMs = poll;
    }
    atMs += 1_000;
  }
  rows.push({ atMs, step: spec.steps.length, weight: 1, event: 'promote', reason: 'Alias live now points at version 42.' });
  return rows;
}

/** 10%, 20%, then 30% where errors climb: rolled back at 7m 12s. */
export const TEN_MINUTE_ROLLBACK: SyntheticRollout = {
  steps: [
    { weight: 0.1, minutes: 3 },
    { weight: 0.2, minutes: 3 },
    { weight: 0.3, minutes: 4 },
  ],
  canaryErrorRate: (minute) => (minute >= 6 ? 0.09 : 0.005),
};

/** Eight 15-minute steps up to 80%, with a small bump the judge tolerates: promoted after 2 hours. */
export const TWO_HOUR_PROMOTION: SyntheticRollout = {
  steps: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8].map((weight) => ({ weight, minutes: 15 })),
  canaryErrorRate: (minute) => (minute >= 40 && minute < 44 ? 0.012 : 0.006),
};

export function tenMinuteRollback(): TimelineRow[] {
  return syntheticTimeline(TEN_MINUTE_ROLLBACK);
}

export function twoHourPromotion(): TimelineRow[] {
  return syntheticTimeline(TWO_HOUR_PROMOTION);
}

/** A rolled-back release report around `tenMinuteRollback` (with its per-minute counts unless a timeline is given), as the pipeline would write it. */
export function rolledBackReport(timeline?: TimelineRow[]): Report {
  const rollout = timeline === undefined ? syntheticRollout(TEN_MINUTE_ROLLBACK) : { timeline, minutes: [] };
  const failing = rollout.timeline.findLast((row) => row.verdict === 'fail');
  return {
    tool: 'model-release-gate',
    toolVersion: '0.1.0',
    command: 'release',
    outcome: 'rolled-back',
    exitCode: 1,
    headline: 'Rolled back version 42 of churn-api: the canary error rate rose above 2% at 30%.',
    startedAt: '2026-03-02T10:00:00.000Z',
    finishedAt: '2026-03-02T10:07:20.000Z',
    results: [
      { id: 'trigger.release', gate: 'trigger', status: 'pass', observed: 'minor', message: '1 commit in scope: feat(api): score with the new features.' },
      { id: 'data.rows', gate: 'data', status: 'pass', observed: 120000, expected: '>= 10000', message: 'Enough rows.' },
      { id: 'model.auc', gate: 'model', status: 'pass', observed: 0.871, expected: '>= 0.85', message: 'AUC above the floor.' },
      { id: 'rollout.step-1', gate: 'rollout', status: 'pass', observed: 0.005, expected: '<= 0.02', message: 'Canary error rate 0.5% at 10%.' },
      { id: 'rollout.step-2', gate: 'rollout', status: 'pass', observed: 0.005, expected: '<= 0.02', message: 'Canary error rate 0.5% at 20%.' },
      { id: 'rollout.step-3', gate: 'rollout', status: 'fail', observed: 0.0264, expected: '<= 0.02', message: failing?.reason ?? 'Canary error rate above the maximum.' },
    ],
    outputs: { release: 'true', bump: 'minor', outcome: 'rolled-back', version: '42', 'previous-version': '41' },
    timeline: rollout.timeline,
    ...(rollout.minutes.length > 0 ? { minutes: rollout.minutes } : {}),
  };
}
