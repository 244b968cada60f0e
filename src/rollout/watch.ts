/**
 * The post-promotion watch (`rollout.watch`, docs/rollout.md "Post-promotion watch"): after a
 * promotion the new version keeps being judged for `watch` of whole minutes, and a failure points
 * the alias back at the previous version, conditional on the revision (CodeDeploy's PostTraffic
 * hook, Flagger's post-rollout webhooks).
 *
 * The judge is a threshold judge: `rollout.judge` when it is one, else the threshold defaults
 * (DEFAULT_JUDGE). After a promotion no other version serves at the same time, so the compare
 * judge has nothing to compare with; a baseline from before the rollout would be a different
 * stretch of traffic, which is exactly what the compare judge refuses to lean on.
 *
 * Timing: the watched minutes are the `watch / 1m` whole minutes from the first whole minute
 * after the promotion; the last poll is when the last of them is published (one period plus the
 * metric delay after it starts), so the watch ends at firstWholeMinute(promotion) + watch +
 * metric-delay. Failing evidence fails at the poll it is published in.
 */
import type { RolloutConfig, ThresholdJudgeConfig } from '../config/types.js';
import { DEFAULT_JUDGE } from '../config/defaults.js';
import type { Clock } from '../core/clock.js';
import type { CheckResult } from '../report/result.js';
import { recordRollback } from '../rollback/history.js';
import type { RolloutSignal } from '../signals/signal.js';
import type { AliasState, RolloutTarget, VersionMetrics } from '../targets/target.js';
import { RevisionConflictError } from '../targets/target.js';
import { judgeThreshold, type Verdict } from './judge.js';
import { describeAlias } from './recovery.js';
import { firstWholeMinuteMs, formatDuration, METRIC_PERIOD_MS, readableAtMs } from './timing.js';
import { plural } from '../core/plural.js';

export interface WatchDeps {
  target: RolloutTarget;
  clock: Clock;
  /** Aborted on SIGINT/SIGTERM: ends the watch without a rollback (the promotion stands). */
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Signals that judge no version (CloudWatch alarms): a failing one fails the watch. */
  signals?: readonly RolloutSignal[];
}

export interface WatchRequest {
  candidate: string;
  /** The version the promotion replaced: a failure points the alias back at it. */
  previous: string;
  /** The alias as the promotion left it: any other state means someone else changed it. */
  promoted: AliasState;
  promotedAtMs: number;
  config: Pick<RolloutConfig, 'pollMs' | 'metricDelayMs' | 'judge' | 'minInvocations'> & { watchMs: number };
}

/** How the watch ended; `result` is the `rollout.watch` check. */
export type WatchOutcome =
  | { kind: 'passed' | 'no-traffic' | 'cancelled'; result: CheckResult }
  | { kind: 'rolled-back'; reason: string; alias: AliasState; result: CheckResult }
  | { kind: 'stopped'; reason: string; result: CheckResult };

/** Watches the promoted version for `config.watchMs`, rolling back to `previous` on a failure. Never throws. */
export async function watchPromotion(deps: WatchDeps, request: WatchRequest): Promise<WatchOutcome> {
  const { target, clock } = deps;
  const { candidate, config } = request;
  const judge: ThresholdJudgeConfig = config.judge.type === 'threshold' ? config.judge : DEFAULT_JUDGE;
  const fromMs = firstWholeMinuteMs(request.promotedAtMs);
  const untilMs = fromMs + config.watchMs;
  const lastPollMs = readableAtMs(untilMs - METRIC_PERIOD_MS, config);
  const watched = `the post-promotion watch of version ${candidate} on ${target.describe()} (${formatDuration(config.watchMs)})`;
  const check = (status: CheckResult['status'], message: string, metrics?: VersionMetrics): CheckResult => ({
    id: 'rollout.watch',
    gate: 'rollout',
    status,
    message,
    ...(metrics !== undefined ? { observed: `${plural(metrics.errors, 'error')} in ${plural(metrics.invocations, 'invocation')}`, details: { invocations: metrics.invocations, errors: metrics.errors, throttles: metrics.throttles, p99Ms: metrics.p99Ms } } : {}),
    expected: judgeExpectation(judge),
  });
  deps.log(`Watching version ${candidate} until ${new Date(lastPollMs).toISOString()} (${formatDuration(config.watchMs)} of whole minutes from ${new Date(fromMs).toISOString()}).`);

  let last: { metrics: VersionMetrics; verdict: Verdict } | undefined;
  let nextPollMs = clock.now() + config.pollMs;
  for (;;) {
    const wakeMs = Math.min(nextPollMs, lastPollMs);
    try {
      if (wakeMs > clock.now()) await clock.sleep(wakeMs - clock.now(), deps.signal);
      if (deps.signal?.aborted) throw deps.signal.reason;
    } catch {
      const message = `The job was cancelled during ${watched}: the watch ended without a rollback, and version ${candidate} stays promoted.`;
      deps.log(message);
      return { kind: 'cancelled', result: check('warn', message, last?.metrics) };
    }
    const nowMs = clock.now();
    nextPollMs = nowMs + config.pollMs;
    let alias: AliasState;
    let metrics: VersionMetrics;
    let signalFailure: string | undefined;
    try {
      alias = await target.readAlias();
      if (!isPromotedState(alias, request.promoted)) return stopped(alias);
      // Only published minutes: the ones whose datapoint can exist by now.
      const publishedUntilMs = Math.min(untilMs, Math.floor((nowMs - METRIC_PERIOD_MS - config.metricDelayMs) / METRIC_PERIOD_MS) * METRIC_PERIOD_MS + METRIC_PERIOD_MS);
      metrics =
        publishedUntilMs > fromMs
          ? await target.readMetrics(candidate, { startMs: fromMs, endMs: publishedUntilMs }, deps.signal)
          : { version: candidate, invocations: 0, errors: 0, throttles: 0, p99Ms: null, periods: [] };
      const verdicts = await Promise.all((deps.signals ?? []).map((s) => s.check(deps.signal)));
      signalFailure = verdicts.find((v) => v.verdict === 'fail')?.reason;
    } catch (error) {
      if (deps.signal?.aborted) continue; // reported as a cancellation at the top of the loop
      const message = `Could not read ${watched}: ${errorText(error)} The watch ended; version ${candidate} stays promoted.`;
      deps.log(message);
      return { kind: 'passed', result: check('warn', message, last?.metrics) };
    }
    const verdict: Verdict = signalFailure !== undefined
      ? { verdict: 'fail', reason: signalFailure, observed: {} }
      : judgeThreshold({ canary: metrics, config: judge, minInvocations: config.minInvocations, windowMs: Math.max(0, Math.min(untilMs, nowMs) - fromMs) });
    last = { metrics, verdict };
    if (verdict.verdict === 'fail') return rollBack(alias, verdict.reason, metrics);
    if (nowMs >= lastPollMs) break;
  }

  const metrics = last?.metrics;
  if (metrics === undefined || metrics.invocations === 0) {
    return { kind: 'no-traffic', result: check('warn', `${capitalize(watched)} saw no traffic: nothing to judge, so the promotion stands unjudged.`, metrics) };
  }
  if (metrics.invocations < Math.max(1, config.minInvocations)) {
    return { kind: 'no-traffic', result: check('warn', `${capitalize(watched)} saw only ${plural(metrics.invocations, 'invocation')} (min-invocations ${config.minInvocations}), none failing the thresholds: too few to call it healthy; the promotion stands.`, metrics) };
  }
  return { kind: 'passed', result: check('pass', `${capitalize(watched)} passed: ${last?.verdict.reason ?? ''}`, metrics) };

  /** Someone else changed the alias: report it and write nothing. */
  function stopped(found: AliasState | undefined, expected = describeAlias(request.promoted), when = `during ${watched}`): WatchOutcome {
    const now = found !== undefined ? describeAlias(found) : 'a state that could not be read';
    const reason = `${target.describe()} was changed by someone else ${when}: expected ${expected}, found ${now}. Stopped without overwriting it.`;
    deps.log(reason);
    return { kind: 'stopped', reason, result: check('error', reason, last?.metrics) };
  }

  async function rollBack(current: AliasState, why: string, metrics: VersionMetrics): Promise<WatchOutcome> {
    const failed = `${capitalize(watched)} failed: ${why}`;
    deps.log(`rolling back after promotion: ${why}`);
    try {
      const description = recordRollback(current.description, request.previous, candidate);
      // Conditional on the revision read just before: a change in between is reported, never overwritten.
      const alias = await target.pointTo(request.previous, current.revisionId, description);
      const reason = `Version ${candidate} rolled back after promotion: ${why} ${target.describe()} is at ${describeAlias(alias)}.`;
      return { kind: 'rolled-back', reason, alias, result: check('fail', failed, metrics) };
    } catch (error) {
      if (error instanceof RevisionConflictError) {
        let found = error.current;
        if (found === undefined) found = await target.readAlias().catch(() => undefined);
        return stopped(found, `version ${request.previous} (our rollback after promotion, from revision ${current.revisionId})`, `while rolling back after promotion (${why})`);
      }
      const reason = `${failed} Rolling back after promotion to version ${request.previous} failed: ${errorText(error)} Version ${candidate} may still serve: point ${target.describe()} at ${request.previous} by hand (rollback --to ${request.previous}).`;
      return { kind: 'stopped', reason, result: check('error', reason, metrics) };
    }
  }
}

/** Our promotion's state, untouched: the primary version alone at the revision the promotion left. */
function isPromotedState(alias: AliasState, promoted: AliasState): boolean {
  return alias.version === promoted.version && Object.keys(alias.additionalWeights).length === 0 && alias.revisionId === promoted.revisionId;
}

function judgeExpectation(judge: ThresholdJudgeConfig): string {
  const parts = [`at most ${plural(judge.maxErrors, 'error')}`];
  if (judge.maxErrorRate !== undefined) parts.push(`error rate at most ${judge.maxErrorRate}`);
  if (judge.maxThrottles !== undefined) parts.push(`at most ${judge.maxThrottles} throttles`);
  if (judge.p99Ms !== undefined) parts.push(`p99 at most ${judge.p99Ms} ms`);
  return parts.join(', ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
