/**
 * The threshold judge, Kayenta-style: a pure function from the candidate's metrics to a
 * verdict and the numbers that justify it, so the report can show why.
 *
 * Rules, in order:
 *  1. absolute counts (errors > maxErrors, throttles > maxThrottles) fail at any sample size:
 *     an error is evidence by itself (the seed rule: one error stops the rollout);
 *  2. rates and percentiles (error rate, p99) fail, judged only on at least `minInvocations`
 *     (and never fewer than 1) in the window, because 1 error in 2 calls or a cold start's p99
 *     says nothing about the version;
 *  3. fewer than `minInvocations` (never fewer than 1) in the step's own minutes (`step`; the
 *     whole window without it) → `continue`: no data is never a pass, and neither is the
 *     traffic of an earlier step;
 *  4. otherwise pass.
 * Failing evidence (rules 1 and 2) comes from the whole window, so the errors of an earlier
 * step's last minutes, published only now, still fail the rollout; passing evidence (rule 3)
 * only from the step's own minutes.
 * Only the candidate is judged: the stable version's errors are reported, never held against
 * the candidate (they say the dependency or the traffic is bad, not the new model).
 */
import type { ThresholdJudgeConfig } from '../config/types.js';
import type { VersionMetrics } from '../targets/target.js';
import { formatDuration } from './timing.js';
import { plural } from '../core/plural.js';

export interface Verdict {
  verdict: 'pass' | 'fail' | 'continue';
  /** One sentence with the numbers behind the verdict. */
  reason: string;
  /** The numbers the judge looked at (null: not measurable, e.g. a rate over 0 invocations). */
  observed: Record<string, number | null>;
}

/** The candidate's traffic in the whole minutes the current step served by itself (docs/rollout.md). */
export interface StepEvidence {
  /** 1-based step number, for the reason. */
  step: number;
  /** Candidate invocations in the step's own minutes whose datapoints are published (inside the window). */
  invocations: number;
  /** How many of the step's own whole minutes are published by now, with traffic or without. */
  minutes: number;
}

export interface ThresholdJudgeInput {
  canary: VersionMetrics;
  stable?: VersionMetrics;
  config: ThresholdJudgeConfig;
  minInvocations: number;
  /** Length of the window the metrics cover, for the reason; defaults to `config.windowMs`. */
  windowMs?: number;
  /** The step's own evidence: a step passes only on it. Without it, the whole window counts. */
  step?: StepEvidence;
}

/** Judges the candidate's metrics against the configured thresholds. Pure. */
export function judgeThreshold(input: ThresholdJudgeInput): Verdict {
  const { canary, stable, config } = input;
  const errorRate = canary.invocations > 0 ? canary.errors / canary.invocations : null;
  const observed: Record<string, number | null> = {
    invocations: canary.invocations,
    errors: canary.errors,
    errorRate,
    throttles: canary.throttles,
    p99Ms: canary.p99Ms,
  };
  if (stable !== undefined) {
    observed.stableInvocations = stable.invocations;
    observed.stableErrors = stable.errors;
  }
  const over = `over the last ${formatDuration(input.windowMs ?? config.windowMs)}`;
  const ofCanary = `${plural(canary.invocations, 'invocation')} of version ${canary.version} ${over}`;
  const verdict = (v: Verdict['verdict'], reason: string): Verdict => ({ verdict: v, reason, observed });

  if (canary.errors > config.maxErrors) {
    return verdict('fail', `${plural(canary.errors, 'error')} in ${ofCanary}; allowed ${config.maxErrors}.`);
  }
  if (config.maxThrottles !== undefined && canary.throttles > config.maxThrottles) {
    return verdict('fail', `${plural(canary.throttles, 'throttle')} in ${ofCanary}; allowed ${config.maxThrottles}.`);
  }
  const needed = Math.max(1, input.minInvocations);
  // Rates and percentiles are failing evidence from the whole window, once it holds enough calls.
  if (canary.invocations >= needed) {
    if (config.maxErrorRate !== undefined && errorRate !== null && errorRate > config.maxErrorRate) {
      return verdict(
        'fail',
        `Error rate ${percent(errorRate)} (${canary.errors} in ${ofCanary}) exceeds ${percent(config.maxErrorRate)}.`,
      );
    }
    if (config.p99Ms !== undefined && canary.p99Ms !== null && canary.p99Ms > config.p99Ms) {
      return verdict('fail', `p99 ${formatMs(canary.p99Ms)} in ${ofCanary} exceeds ${config.p99Ms} ms.`);
    }
  }
  const step = input.step;
  if (step !== undefined) {
    observed.stepInvocations = step.invocations;
    observed.stepMinutes = step.minutes;
  }
  const own = step?.invocations ?? canary.invocations;
  if (own < needed) {
    if (step === undefined) {
      return verdict('continue', `Only ${ofCanary}; at least ${needed} needed before the step may pass.`);
    }
    const before = canary.invocations - own;
    const earlier = before > 0 ? ` (the other ${plural(before, 'invocation')} ${over} were served before its first whole minute)` : '';
    const reason =
      step.minutes === 0
        ? `No whole minute of step ${step.step}'s own traffic is published yet${earlier}; at least ${plural(needed, 'invocation')} of version ${canary.version} needed before the step may pass.`
        : `Only ${plural(own, 'invocation')} of version ${canary.version} in the ${plural(step.minutes, 'published whole minute')} of step ${step.step}'s own traffic${earlier}; at least ${needed} needed before the step may pass.`;
    return verdict('continue', reason);
  }
  const stableNote =
    stable !== undefined && stable.errors > 0
      ? ` (stable version ${stable.version} had ${plural(stable.errors, 'error')}, not held against the candidate)`
      : '';
  const latency = canary.p99Ms !== null ? `, p99 ${formatMs(canary.p99Ms)}` : '';
  const ownNote = step !== undefined ? ` (${own} in step ${step.step}'s own ${plural(step.minutes, 'minute')})` : '';
  return verdict(
    'pass',
    `${plural(canary.errors, 'error')} in ${ofCanary}${ownNote}${latency}; within thresholds${stableNote}.`,
  );
}


function percent(rate: number): string {
  return `${Math.round(rate * 10000) / 100}%`;
}

/** Durations in reasons: CloudWatch percentiles carry 10+ decimals nobody needs to read. */
function formatMs(ms: number): string {
  return `${Number(ms.toFixed(ms < 10 ? 2 : 1))} ms`;
}
