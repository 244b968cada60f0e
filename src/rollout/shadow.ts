/**
 * The shadow phase (`rollout.shadow`): before the candidate serves any client, it answers a
 * mirrored sample of production's requests as a shadow variant; its errors and latency are
 * judged against production's on the same minutes, with the judge the rollout uses. Only a pass
 * lets the canary start. Clients only ever see production's answers, so a failing shadow costs
 * nothing but its instances.
 *
 * Timing follows the loop's rules (docs/rollout.md): only whole minutes count, from the first
 * minute that starts after the shadow variant is live, and a minute is judged once CloudWatch has
 * published it (one period plus the metric delay after it starts). The phase polls so that a
 * candidate failing on mirrored traffic stops early; the decision falls when the last minute of
 * the phase is published.
 */
import type { RolloutConfig } from '../config/types.js';
import type { Clock } from '../core/clock.js';
import type { CheckResult } from '../report/result.js';
import type { RolloutTarget } from '../targets/target.js';
import { judgeThreshold, type Verdict } from './judge.js';
import { judgeCompare } from './judge-compare.js';
import { formatDuration } from './timing.js';
import { plural } from '../core/plural.js';

const MINUTE_MS = 60_000;

export interface ShadowPhaseInput {
  candidate: string;
  stable: string;
  percent: number;
  durationMs: number;
  rollout: RolloutConfig;
}

export interface ShadowPhaseDeps {
  target: RolloutTarget;
  clock: Clock;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export interface ShadowOutcome {
  /** The canary may start. */
  passed: boolean;
  /** One sentence: what happened and why. */
  reason: string;
  result: CheckResult;
}

/** Runs the candidate in shadow, judges it, and leaves it as a production variant at weight 0 (passed) or removes it (failed). */
export async function runShadowPhase(deps: ShadowPhaseDeps, input: ShadowPhaseInput): Promise<ShadowOutcome> {
  const { target, clock } = deps;
  const { candidate, stable, percent, rollout } = input;
  if (target.startShadow === undefined || target.endShadow === undefined) {
    throw new Error(`${target.describe()} cannot run a shadow variant (rollout.shadow needs target.type: sagemaker)`);
  }
  deps.log(`Shadow phase: ${candidate} answers ${percent}% of ${stable}'s requests, mirrored, for ${formatDuration(input.durationMs)}; clients see only ${stable}'s answers.`);
  await target.startShadow(candidate, percent);
  const liveAtMs = clock.now();
  const firstMinuteMs = Math.ceil(liveAtMs / MINUTE_MS) * MINUTE_MS;
  const endMs = firstMinuteMs + Math.max(1, Math.ceil(input.durationMs / MINUTE_MS)) * MINUTE_MS;
  const decideAtMs = endMs + rollout.metricDelayMs;
  let verdict: Verdict = { verdict: 'continue', reason: 'no minute of the shadow phase is published yet', observed: {} };
  for (;;) {
    await clock.sleep(Math.max(0, Math.min(rollout.pollMs, decideAtMs - clock.now())), deps.signal);
    const window = { startMs: firstMinuteMs, endMs };
    const [canary, production] = await Promise.all([target.readMetrics(candidate, window, deps.signal), target.readMetrics(stable, window, deps.signal)]);
    const last = clock.now() >= decideAtMs;
    verdict =
      rollout.judge.type === 'compare'
        ? judgeCompare({ canary, stable: production, config: rollout.judge, minInvocations: rollout.minInvocations, requireEvidence: false })
        : judgeThreshold({ canary, stable: production, config: rollout.judge, minInvocations: rollout.minInvocations, windowMs: endMs - firstMinuteMs });
    if (verdict.verdict === 'fail' || last) break;
  }
  const observed = verdict.observed;
  const numbers = `${plural(Number(observed['invocations'] ?? 0), 'mirrored call')}, ${plural(Number(observed['errors'] ?? 0), 'error')}`;
  const inconclusivePasses = verdict.verdict === 'continue' && rollout.onInconclusive === 'promote';
  const passed = verdict.verdict === 'pass' || inconclusivePasses;
  await target.endShadow(candidate, passed);
  const spent = formatDuration(clock.now() - liveAtMs);
  const reason = passed
    ? `Shadow phase passed after ${spent} (${numbers}): ${verdict.reason}${inconclusivePasses ? ' Inconclusive, and on-inconclusive is promote.' : ''} ${candidate} is now a variant at weight 0; the canary starts.`
    : verdict.verdict === 'fail'
      ? `Shadow phase failed after ${spent} (${numbers}): ${verdict.reason} The shadow variant was removed; no client saw ${candidate}.`
      : `Shadow phase inconclusive after ${spent} (${numbers}): ${verdict.reason} With on-inconclusive: rollback the canary does not start; the shadow variant was removed.`;
  return {
    passed,
    reason,
    result: {
      id: 'rollout.shadow',
      gate: 'rollout',
      status: passed ? 'pass' : 'fail',
      observed: `${numbers} at ${percent}% sampling`,
      expected: rollout.judge.type === 'compare' ? 'no regression against production on the mirrored requests' : 'within the judge thresholds',
      message: reason,
      details: { ...observed, samplingPercent: percent, durationMs: input.durationMs },
    },
  };
}
