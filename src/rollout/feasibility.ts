/**
 * Can the plan be judged? Offline (no AWS): from the plan, the metric period, the metric delay
 * and, when given, the expected request rate (`rollout.expected-rpm`), decide for each step
 * whether it can collect `min-invocations` of its own traffic before its deadline.
 *
 * - A step that cannot hold one whole minute plus its publication before its deadline (its
 *   duration, the settling of the last step and `max-extension` included) can never pass on
 *   its own traffic: an `error` (a `warn` with on-inconclusive: promote, which passes it unjudged).
 * - With `expected-rpm`, a step whose expected candidate invocations in the minutes readable by
 *   its deadline (rpm × weight × minutes) stay below `min-invocations` depends on more traffic
 *   than expected: a `warn` with the numbers.
 * - An A/B test (strategy ab) is decided by the compare judge at the end of its interval: the
 *   judge itself is asked whether the minutes published by then, at the expected traffic, let it
 *   promote a candidate when neither version errs (the least evidence a promotion needs at a low
 *   error rate); it cannot with less, so at the expected rpm the test would end inconclusive: a `warn`.
 * Used by `validate` and `release --dry-run` (docs/rollout.md, "Can the plan be judged?").
 */
import type { PlanConfig, RolloutConfig } from '../config/types.js';
import type { CheckResult, CheckStatus } from '../report/result.js';
import type { VersionMetrics } from '../targets/target.js';
import { judgeCompare } from './judge-compare.js';
import type { RolloutStep } from './plan.js';
import { buildSteps, describeAbTest } from './plan.js';
import { METRIC_PERIOD_MS, canReadOwnMinute, expectedDurationMs, formatDuration, formatWeight, maxDurationMs, stepJudgedMs } from './timing.js';

export interface StepFeasibility {
  /** 1-based. */
  step: number;
  weight: number;
  /** The step's duration (plus the settling for the last step) and its extension. */
  judgedMs: number;
  maxExtensionMs: number;
  /** Whole minutes of the step's own traffic published (and inside the judge window) by its deadline. */
  readableMinutes: number;
  /** Requests per minute on the alias the step needs to collect min-invocations by its deadline; null when it can read no minute. */
  minimumRpm: number | null;
  /** With expected-rpm: candidate invocations expected by the deadline. */
  expectedInvocations?: number;
  status: Extract<CheckStatus, 'pass' | 'warn' | 'error'>;
  /** Why, with the numbers; empty for a step that can be judged and has no traffic estimate. */
  message: string;
}

/** Can the compare judge decide an A/B test (strategy ab) by the end of its interval? */
export interface AbDecisionFeasibility {
  weight: number;
  /** When the test is decided, from its first whole minute: the interval, the settling of the last step and max-extension. */
  decisionAtMs: number;
  /** Minutes of both versions published by the decision. */
  comparedMinutes: number;
  /**
   * The fewest requests per minute on the alias with which the compare judge promotes a
   * candidate by the decision when neither version errs; null when none up to MAX_AB_RPM does
   * (or the judge is not compare).
   */
  minimumRpm: number | null;
  /** The candidate's calls by the decision at `minimumRpm`. */
  minimumCanaryCalls: number | null;
  /** With expected-rpm: the candidate's calls expected by the decision. */
  expectedCanaryCalls?: number;
  status: Extract<CheckStatus, 'pass' | 'warn' | 'error'>;
  /** What the test needs and, with expected-rpm, what it gets: one or two sentences with the numbers. */
  finding: string;
  /** The plan in words, then the finding: the `rollout.plan.ab-decision` row's message. */
  message: string;
}

export interface PlanFeasibility {
  steps: StepFeasibility[];
  /** Strategy ab only: whether the compare judge can reach its decision in the interval. */
  abDecision?: AbDecisionFeasibility;
  /** Problems of the plan as a whole (a judge window that can hold no published minute). */
  planErrors: string[];
  /** True when the plan can never pass (any `error`). */
  canNeverPass: boolean;
  expectedDurationMs: number;
  maxDurationMs: number;
}

/** Which setting the publication delay comes from: metric-delay, or a later rollout.metrics query's delay. */
function delayKey(config: Pick<RolloutConfig, 'metricDelayKey'>): string {
  return config.metricDelayKey ?? 'metric-delay';
}

/** Analyses the rollout config's plan. Pure; throws the RangeError of `buildSteps` on a plan that cannot be built. */
export function analyzeFeasibility(config: RolloutConfig): PlanFeasibility {
  const steps = buildSteps(config.plan, config.finalBakeMs);
  const planErrors: string[] = [];
  const needed = Math.max(1, config.minInvocations);
  const neverVerb = config.onInconclusive === 'promote' ? 'would always pass unjudged (on-inconclusive: promote)' : 'would always end inconclusive and roll back';
  const judge = config.judge;
  if (judge.type === 'threshold' && judge.windowMs <= config.metricDelayMs) {
    planErrors.push(
      `judge.window ${formatDuration(judge.windowMs)} can never hold a published minute: a minute is published ${formatDuration(config.metricDelayMs)} (${delayKey(config)}) after it ends, so no step can pass; make the window longer than that (at least ${formatDuration(METRIC_PERIOD_MS + config.metricDelayMs + config.pollMs)} keeps every datapoint in view).`,
    );
  }
  const analysed = steps.map((step, index) => analyzeStep(steps, index, step, config, needed, neverVerb));
  const plan = config.plan;
  const abDecision = plan.strategy === 'ab' ? analyzeAbDecision(plan, steps, config, neverVerb) : undefined;
  const canNeverPass = planErrors.length > 0 || analysed.some((s) => s.status === 'error') || abDecision?.status === 'error';
  return {
    steps: analysed,
    ...(abDecision !== undefined ? { abDecision } : {}),
    planErrors,
    canNeverPass,
    expectedDurationMs: expectedDurationMs(steps, config),
    maxDurationMs: maxDurationMs(steps, config),
  };
}

function analyzeStep(steps: RolloutStep[], index: number, step: RolloutStep, config: RolloutConfig, needed: number, neverVerb: string): StepFeasibility {
  const judgedMs = stepJudgedMs(steps, index, config);
  const deadlineMs = judgedMs + config.maxExtensionMs;
  const label = `Step ${index + 1} (${formatWeight(step.weight)})`;
  const base = { step: index + 1, weight: step.weight, judgedMs, maxExtensionMs: config.maxExtensionMs };
  const compare = config.judge.type === 'compare';
  // The compare judge accumulates evidence from the first shift on: only the first step has to
  // wait for a minute of its own; later ones are judged on everything since (docs/judge.md).
  if (compare && index > 0) return { ...base, readableMinutes: Number.NaN, minimumRpm: null, status: 'pass', message: '' };

  const lasts = `it lasts ${formatDuration(step.durationMs)}${index === steps.length - 1 ? ` (judged ${formatDuration(judgedMs)} with the settling of the last step)` : ''} with up to ${formatDuration(config.maxExtensionMs)} of extension`;
  const needs = formatDuration(METRIC_PERIOD_MS + config.metricDelayMs);
  if (!canReadOwnMinute(judgedMs, config)) {
    const what = compare ? 'its first minute of metrics' : 'the first whole minute of its own traffic';
    return {
      ...base,
      readableMinutes: 0,
      minimumRpm: null,
      status: config.onInconclusive === 'promote' ? 'warn' : 'error',
      message: `${label} can never be judged: ${lasts}, but ${what} is published only ${needs} after it starts (${formatDuration(METRIC_PERIOD_MS)} period + ${formatDuration(config.metricDelayMs)} ${delayKey(config)}); it ${neverVerb}. Give it at least ${needs} of duration and max-extension together.`,
    };
  }
  const readableMinutes = bestReadableMinutes(judgedMs, deadlineMs, config);
  if (readableMinutes === 0) {
    // Only a judge window too short to hold a published minute gets here; reported for the plan.
    return { ...base, readableMinutes, minimumRpm: null, status: 'error', message: '' };
  }
  const minimumRpm = Math.ceil(needed / (step.weight * readableMinutes));
  // An A/B test's traffic is checked by its decision (analyzeAbDecision), which needs min-invocations too.
  if (config.plan.strategy === 'ab') return { ...base, readableMinutes, minimumRpm, status: 'pass', message: '' };
  const minutes = `${readableMinutes} whole minute${readableMinutes === 1 ? '' : 's'}`;
  const by = `before its deadline (${formatDuration(deadlineMs)} after its first whole minute, extension included)`;
  const rpm = config.expectedRpm;
  if (rpm === undefined) {
    return { ...base, readableMinutes, minimumRpm, status: 'pass', message: `${label}: ${minutes} of its own traffic published ${by}; needs at least ${minimumRpm} req/min on the alias to collect min-invocations ${needed}.` };
  }
  const perMinute = rpm * step.weight;
  const expectedInvocations = round1(perMinute * readableMinutes);
  const numbers = `at the expected ${rpm} req/min, ${formatWeight(step.weight)} is about ${round1(perMinute)} invocations a minute, and ${minutes} of its own traffic ${readableMinutes === 1 ? 'is' : 'are'} published ${by}: about ${expectedInvocations} invocations`;
  if (expectedInvocations < needed) {
    return {
      ...base,
      readableMinutes,
      minimumRpm,
      expectedInvocations,
      status: 'warn',
      message: `${label} depends on traffic: ${numbers}, fewer than min-invocations ${needed}; it needs at least ${minimumRpm} req/min, or a longer step or max-extension, or it ${neverVerb}.`,
    };
  }
  return { ...base, readableMinutes, minimumRpm, expectedInvocations, status: 'pass', message: `${label}: ${numbers}, at least min-invocations ${needed}.` };
}

/** The highest alias traffic the A/B decision search tries: beyond it "needs more traffic" is all there is to say. */
export const MAX_AB_RPM = 10_000_000;

/**
 * Can the compare judge decide the A/B test by its deadline? Asks the judge itself, on the
 * minutes published by then at a steady rate split by the test's weight, whether it promotes a
 * candidate when neither version errs: with no errors the only route to a promotion is the
 * one-sample bound (about ln(1/β) / min-effect.absolute clean candidate calls, docs/judge.md),
 * the least evidence any promotion needs while errors are rare. So with fewer calls the test can
 * only end inconclusive; with more it can decide, and needs more still when the versions err.
 */
function analyzeAbDecision(plan: Extract<PlanConfig, { strategy: 'ab' }>, steps: RolloutStep[], config: RolloutConfig, neverVerb: string): AbDecisionFeasibility {
  const index = steps.length - 1;
  const weight = steps[index]?.weight ?? plan.percent / 100;
  const decisionAtMs = stepJudgedMs(steps, index, config) + config.maxExtensionMs;
  const comparedMinutes = readableMinutesBy(decisionAtMs, config);
  const base = { weight, decisionAtMs, comparedMinutes };
  const judge = config.judge;
  if (judge.type !== 'compare') {
    return {
      ...base,
      minimumRpm: null,
      minimumCanaryCalls: null,
      ...withFinding(plan, 'error', 'It is decided by the compare judge: set rollout.judge.type: compare (a threshold judge does not compare the candidate with the stable version).'),
    };
  }
  const canaryCalls = (rpm: number) => Math.round(rpm * weight) * comparedMinutes;
  const promotes = (rpm: number): boolean => {
    const canary = Math.round(rpm * weight);
    const stable = Math.round(rpm * (1 - weight));
    if (comparedMinutes === 0 || canary === 0 || stable === 0) return false;
    const periods = (invocations: number) => Array.from({ length: comparedMinutes }, (_, k) => ({ startMs: k * METRIC_PERIOD_MS, invocations, errors: 0, throttles: 0, p99Ms: null }));
    const metrics = (version: string, invocations: number): VersionMetrics => ({ version, invocations: invocations * comparedMinutes, errors: 0, throttles: 0, p99Ms: null, periods: periods(invocations) });
    const verdict = judgeCompare({ canary: metrics('candidate', canary), stable: metrics('stable', stable), config: judge, minInvocations: config.minInvocations, requireEvidence: true, finalLook: true });
    return verdict.verdict === 'pass';
  };
  const minimumRpm = smallestPassing(promotes, MAX_AB_RPM);
  const minimumCanaryCalls = minimumRpm === null ? null : canaryCalls(minimumRpm);
  const at = `the decision at +${formatDuration(decisionAtMs)} (${comparedMinutes} published minute${comparedMinutes === 1 ? '' : 's'} of both versions)`;
  const more = 'more if they do (docs/judge.md, "How much data a decision needs")';
  const rpm = config.expectedRpm;
  if (minimumRpm === null) {
    const finding = `The compare judge cannot promote the candidate by ${at} at any traffic up to ${MAX_AB_RPM} req/min; it ${neverVerb}. Lengthen interval or raise percent.`;
    return { ...base, minimumRpm, minimumCanaryCalls, ...(rpm !== undefined ? { expectedCanaryCalls: canaryCalls(rpm) } : {}), ...withFinding(plan, 'warn', finding) };
  }
  const needs = `about ${minimumCanaryCalls} candidate calls (${minimumRpm} req/min on the alias)`;
  if (rpm === undefined) {
    const finding = `By ${at} the compare judge can promote a candidate from ${needs} if neither version errs, ${more}; set rollout.expected-rpm to check the test against your traffic.`;
    return { ...base, minimumRpm, minimumCanaryCalls, ...withFinding(plan, 'pass', finding) };
  }
  const expectedCanaryCalls = canaryCalls(rpm);
  const gets = `the candidate gets about ${expectedCanaryCalls} calls (${formatWeight(weight)} of ${rpm} req/min) by ${at}`;
  if (rpm < minimumRpm) {
    const finding = `It cannot reach a decision in its interval at the expected ${rpm} req/min: ${gets}, and the compare judge cannot promote with fewer than ${needs} even if neither version errs; it ${neverVerb}. Lengthen interval or raise percent.`;
    return { ...base, minimumRpm, minimumCanaryCalls, expectedCanaryCalls, ...withFinding(plan, 'warn', finding) };
  }
  const finding = `At the expected ${rpm} req/min ${gets}; the compare judge can promote a candidate from ${needs} if neither version errs, ${more}.`;
  return { ...base, minimumRpm, minimumCanaryCalls, expectedCanaryCalls, ...withFinding(plan, 'pass', finding) };
}

function withFinding<S extends AbDecisionFeasibility['status']>(plan: Extract<PlanConfig, { strategy: 'ab' }>, status: S, finding: string): { status: S; finding: string; message: string } {
  return { status, finding, message: `${describeAbTest(plan)}. ${finding}` };
}

/** The smallest whole number in [1, max] for which the monotone `passes` holds, or null. */
function smallestPassing(passes: (value: number) => boolean, max: number): number | null {
  if (!passes(max)) return null;
  let low = 1;
  let high = max;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (passes(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * The most own minutes any read between the step's planned end and its deadline can count
 * (the loop reads at both and, in an extension, at each publication in between): with a short
 * judge window, minutes leave it as new ones are published.
 */
function bestReadableMinutes(plannedEndMs: number, deadlineMs: number, config: Pick<RolloutConfig, 'metricDelayMs' | 'judge'>): number {
  let best = Math.max(readableMinutesBy(plannedEndMs, config), readableMinutesBy(deadlineMs, config));
  for (let at = METRIC_PERIOD_MS + config.metricDelayMs; at <= deadlineMs; at += METRIC_PERIOD_MS) {
    if (at >= plannedEndMs) best = Math.max(best, readableMinutesBy(at, config));
  }
  return best;
}

/**
 * Whole minutes of a step's own traffic readable at `atMs` after its first whole minute
 * started, and still inside the judge window: minute j (from j·P) is readable from
 * (j + 1)·P + D on, and stays in a threshold window of length W while (j + 1)·P > atMs − W.
 * The compare judge reads everything since the first shift.
 */
export function readableMinutesBy(atMs: number, config: Pick<RolloutConfig, 'metricDelayMs' | 'judge'>): number {
  const windowMs = config.judge.type === 'threshold' ? config.judge.windowMs : Number.POSITIVE_INFINITY;
  let count = 0;
  for (let end = METRIC_PERIOD_MS; end + config.metricDelayMs <= atMs; end += METRIC_PERIOD_MS) {
    if (end > atMs - windowMs) count += 1;
  }
  return count;
}

/**
 * The analysis as report rows: one `rollout.plan` row (pass, or the worst status, with the
 * expected duration and the traffic the plan needs) and one `rollout.plan.step-N` row per
 * step that can never be judged or depends on more traffic than expected; for an A/B test, a
 * `rollout.plan.ab-decision` row when it cannot be decided in its interval at the expected traffic.
 */
export function feasibilityResults(analysis: PlanFeasibility, config: RolloutConfig): CheckResult[] {
  const results: CheckResult[] = [];
  for (const message of analysis.planErrors) {
    results.push({ id: 'rollout.plan.window', gate: 'rollout', status: 'error', message, cause: 'input' });
  }
  for (const step of analysis.steps) {
    if (step.status === 'pass' || step.message === '') continue;
    results.push({
      id: `rollout.plan.step-${step.step}`,
      gate: 'rollout',
      status: step.status,
      observed: step.expectedInvocations ?? step.readableMinutes,
      expected: step.expectedInvocations !== undefined ? Math.max(1, config.minInvocations) : 1,
      message: step.message,
      ...(step.status === 'error' ? { cause: 'input' as const } : {}),
      details: stepDetails(step),
    });
  }
  const ab = analysis.abDecision;
  if (ab !== undefined && ab.status !== 'pass') {
    results.push({
      id: 'rollout.plan.ab-decision',
      gate: 'rollout',
      status: ab.status,
      observed: ab.expectedCanaryCalls ?? null,
      expected: ab.minimumCanaryCalls,
      message: ab.message,
      ...(ab.status === 'error' ? { cause: 'input' as const } : {}),
      details: abDetails(ab),
    });
  }
  const worst: CheckStatus = analysis.canNeverPass ? 'error' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
  const judged = analysis.steps.filter((s) => s.minimumRpm !== null);
  const binding = judged.reduce<StepFeasibility | undefined>((max, s) => (max === undefined || (s.minimumRpm ?? 0) > (max.minimumRpm ?? 0) ? s : max), undefined);
  const traffic =
    binding === undefined || analysis.canNeverPass
      ? ''
      : ab !== undefined
        ? ab.status === 'pass'
          ? ` ${ab.finding}`
          : ''
      : config.expectedRpm !== undefined
        ? ` At the expected ${config.expectedRpm} req/min; the most demanding step, ${binding.step} (${formatWeight(binding.weight)}), needs at least ${binding.minimumRpm} req/min.`
        : ` Needs at least ${binding.minimumRpm} req/min on the alias (step ${binding.step}, ${formatWeight(binding.weight)}); set rollout.expected-rpm to check the plan against your traffic.`;
  const steps = `${analysis.steps.length} step${analysis.steps.length === 1 ? '' : 's'}`;
  const timing = `metric period 1m, ${delayKey(config)} ${formatDuration(config.metricDelayMs)}`;
  const plan = config.plan;
  const described = plan.strategy === 'ab' ? `${describeAbTest(plan)}. ` : '';
  const message = analysis.canNeverPass
    ? `${described}The plan can never pass: see the errors (${steps}, ${timing}).`
    : `${described}${worst === 'warn' ? 'The plan can be judged, but depends on traffic or passes a step unjudged: see the warnings.' : 'Every step can be judged on its own traffic before its deadline.'} ${steps}, expected duration ${formatDuration(analysis.expectedDurationMs)} from a first shift on a minute boundary, up to ${formatDuration(analysis.maxDurationMs)} with extensions (${timing}).${traffic}`;
  results.unshift({
    id: 'rollout.plan',
    gate: 'rollout',
    status: worst,
    observed: analysis.steps.length,
    message,
    ...(worst === 'error' ? { cause: 'input' as const } : {}),
    details: {
      expectedDurationMs: analysis.expectedDurationMs,
      maxDurationMs: analysis.maxDurationMs,
      metricPeriodMs: METRIC_PERIOD_MS,
      metricDelayMs: config.metricDelayMs,
      minInvocations: config.minInvocations,
      ...(config.expectedRpm !== undefined ? { expectedRpm: config.expectedRpm } : {}),
      steps: analysis.steps.map(stepDetails),
      ...(ab !== undefined ? { abDecision: abDetails(ab) } : {}),
    },
  });
  return results;
}

function abDetails(ab: AbDecisionFeasibility): Record<string, unknown> {
  return {
    weight: ab.weight,
    decisionAtMs: ab.decisionAtMs,
    comparedMinutes: ab.comparedMinutes,
    minimumRpm: ab.minimumRpm,
    minimumCanaryCalls: ab.minimumCanaryCalls,
    ...(ab.expectedCanaryCalls !== undefined ? { expectedCanaryCalls: ab.expectedCanaryCalls } : {}),
    status: ab.status,
  };
}

function stepDetails(step: StepFeasibility): Record<string, unknown> {
  return {
    step: step.step,
    weight: step.weight,
    judgedMs: step.judgedMs,
    maxExtensionMs: step.maxExtensionMs,
    ...(Number.isNaN(step.readableMinutes) ? {} : { readableMinutes: step.readableMinutes }),
    minimumRpm: step.minimumRpm,
    ...(step.expectedInvocations !== undefined ? { expectedInvocations: step.expectedInvocations } : {}),
    status: step.status,
  };
}


function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
