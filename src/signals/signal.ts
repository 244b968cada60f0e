/**
 * A rollout signal: something besides the target's own metrics that the loop reads at every
 * poll once traffic has moved (CloudWatch alarms, CloudWatch metric queries). The loop knows
 * nothing of what a signal reads: a failing verdict fails the step with the signal's reason,
 * like a failing judge; a `continue` keeps the step from passing, like a judge's `continue`
 * (the step is extended, then inconclusive).
 */
import type { MetricsWindow } from '../targets/target.js';

/** What a signal says at one poll. */
export interface SignalVerdict {
  /** `continue`: not enough evidence yet to let the step pass (no data is never a pass). */
  verdict: 'pass' | 'fail' | 'continue';
  /** One sentence: why it fails or waits, or what is worth knowing although it passes (empty when nothing is). */
  reason: string;
}

/** Where the rollout stands at a poll, for a signal that judges the versions (metric queries). */
export interface SignalPoll {
  candidateVersion: string;
  stableVersion: string;
  /** What the loop's judge reads at this poll: from the first shift (compare) or the last window (threshold) to now. */
  window: MetricsWindow;
  /** Start of the current step's first whole minute: a step passes only on minutes from here on. */
  stepOwnFromMs: number;
  /** From the first shift on: a sequential comparison accumulates all its evidence. */
  firstShiftAtMs: number;
  /** Minute starts in which the weight changed: never compared (judge-compare.ts). */
  excludedMinutes: ReadonlySet<number>;
  /** The step whose pass lets the candidate take all traffic: a pass there needs evidence against a regression. */
  requireEvidence: boolean;
  /** The decisive step's last look (the compare judge's fixed-sample test). */
  finalLook: boolean;
  minInvocations: number;
}

export interface RolloutSignal {
  /** For error messages: "the CloudWatch alarms churn-5xx, churn-p99". */
  describe(): string;
  /**
   * Reads the signal now. Throws when it cannot be read (the SDK's retries exhausted): the loop
   * handles that like a failed metrics read. `abort` cancels the read; `poll` says where the
   * rollout stands (a signal that does not judge versions ignores it).
   */
  check(abort?: AbortSignal, poll?: SignalPoll): Promise<SignalVerdict>;
}
