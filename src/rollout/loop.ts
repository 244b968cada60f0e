/**
 * The rollout loop: an explicit state machine (Flagger/Argo style) that moves traffic to the
 * candidate step by step, watches its metrics, and rolls back at the first failing verdict.
 *
 *   preflight ─► shift(i) ─► bake(i) ─┬─► shift(i+1) … ─► promote ─► finished
 *       │                             ├─► rollback ─► finished
 *       └─► finished (skipped, refused, planned, bad input: nothing written)
 *
 * Each state is one handler returning the next state. Exceptions are mapped to the next state
 * in one place (`onFailure`), so every exit path after traffic may have moved goes through
 * `rollback`, except a revision conflict: someone else changed the alias, and we never
 * overwrite anyone. Core code: talks only to RolloutTarget, Clock and StateStore.
 */
import type { RolloutConfig } from '../config/types.js';
import type { Clock } from '../core/clock.js';
import type { StateStore } from '../core/state.js';
import type { MinuteRow, Outcome, TimelineRow, VersionSample } from '../report/result.js';
import type { RolloutSignal, SignalPoll, SignalVerdict } from '../signals/signal.js';
import { recordPromotion } from '../rollback/history.js';
import type { AliasState, RolloutTarget, VersionMetrics } from '../targets/target.js';
import { RevisionConflictError } from '../targets/target.js';
import type { StepEvidence, Verdict } from './judge.js';
import { judgeThreshold } from './judge.js';
import { decisiveStepIndex, judgeCompare } from './judge-compare.js';
import type { RolloutStep } from './plan.js';
import { buildSteps, describeAbTest } from './plan.js';
import type { RolloutRecord } from './recovery.js';
import { asError, describeAlias, rollBackCandidate, routesTo, saveRolloutRecord } from './recovery.js';
import {
  METRIC_PERIOD_MS,
  mayWaitForFirstWholeMinute,
  firstWholeMinuteMs,
  formatDuration,
  formatWeight,
  maxDurationMs,
  planSchedule,
  readableAtMs,
  stepClockStartMs,
  stepJudgedMs,
} from './timing.js';
import { plural } from '../core/plural.js';

export interface RolloutDeps {
  target: RolloutTarget;
  clock: Clock;
  state: StateStore;
  /** Aborted on SIGINT/SIGTERM at the edge: the loop stops sleeping and rolls back. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * Called once, just before the first write that routes traffic to the candidate (release
   * records: the deployment goes `in_progress`). Not awaited; whatever it throws is ignored.
   */
  onTrafficMoving?: () => void;
  /**
   * Read at every poll alongside the metrics (CloudWatch alarms): a failing signal fails the
   * step with its reason, before the judge's verdict; a signal that cannot be read is handled
   * like a failed metrics read.
   */
  signals?: readonly RolloutSignal[];
  /** Each shift, rollback and promotion once its timeline row is written (notifications). Not awaited; whatever it throws is ignored. */
  onEvent?: (event: RolloutEvent) => void;
  /**
   * Asked right before the promotion write (confirm-promotion): anything but `ok: true` rolls
   * back with its reason. The one hook that decides traffic, by design; gets the cancellation signal.
   */
  beforePromote?: (signal?: AbortSignal) => Promise<PromotionDecision>;
}

/** What the loop tells `onEvent`: a shift (step), the rollback, the promotion. */
export interface RolloutEvent {
  type: 'step' | 'rollback' | 'promotion';
  step: number;
  weight: number;
  reason: string;
}

export type PromotionDecision = { ok: true } | { ok: false; reason: string };

const EVENT_OF_ROW: Partial<Record<TimelineRow['event'], RolloutEvent['type']>> = { shift: 'step', rollback: 'rollback', promote: 'promotion' };

export interface RolloutRequest {
  candidateVersion: string;
  config: RolloutConfig;
  /** Read the alias and print the plan; write nothing. */
  dryRun: boolean;
}

export interface RolloutResult {
  /** promoted | rolled-back | aborted | planned | skipped (candidate already primary). */
  outcome: Outcome;
  /** The alias's primary version before the rollout; null when it could not be read. */
  stableVersion: string | null;
  candidateVersion: string;
  timeline: TimelineRow[];
  /** Both versions' counts per minute, as last read (the chart's per-minute error rates). */
  minutes?: MinuteRow[];
  /** One or two sentences: what happened and why. */
  reason: string;
  /** Alias state at the end, as last read or written. */
  finalAlias?: AliasState;
  /** 1-based steps that reached their end and were passed on; a step interrupted later (while shifting to the next one, or promoting) still counts. */
  completedSteps: number[];
  error?: Error;
}

/**
 * Rolls `request.candidateVersion` out on `deps.target` following `request.config`, and
 * returns what happened. Never throws: failures are outcomes with a reason (and `error`).
 * After the first shift every exit restores a safe alias (rollback) unless someone else
 * changed the alias, which stops the run without any further write.
 */
export async function runRollout(deps: RolloutDeps, request: RolloutRequest): Promise<RolloutResult> {
  return new RolloutRun(deps, request).run();
}

type LoopState =
  | { name: 'preflight' }
  | { name: 'shift'; index: number }
  | { name: 'bake'; index: number }
  | { name: 'promote' }
  | { name: 'rollback'; reason: string; cause?: Error; freshRead: boolean }
  | { name: 'finished'; result: RolloutResult };

interface Observation {
  verdict: Verdict;
  canary: VersionMetrics;
  stable: VersionMetrics;
}

class RolloutRun {
  private readonly target: RolloutTarget;
  private readonly clock: Clock;
  private readonly config: RolloutConfig;
  private readonly candidate: string;
  private readonly startedAtMs: number;
  private readonly timeline: TimelineRow[] = [];
  /** By the minute's start since the rollout started; a later read replaces an earlier one (CloudWatch completes minutes late). */
  private readonly minutes = new Map<number, MinuteRow>();
  private steps: RolloutStep[] = [];
  /** Last alias state read or returned by our own verified write: its revision guards the next write. */
  private alias: AliasState | undefined;
  private stableVersion: string | null = null;
  /** Set just before the first shift call: from then on, every exit must restore safety. */
  private trafficMayHaveMoved = false;
  /** Start of the first shift call: the judge never looks further back (see docs/rollout.md). */
  private firstShiftAtMs: number | undefined;
  private recordSaved = false;
  private stepNumber = 0;
  private weight = 0;
  private stepStartedAtMs = 0;
  /** Starts of the minutes in which the weight changed (a shift was requested or landed): never compared. */
  private readonly weightChangeMinutes = new Set<number>();
  /** Start of the step's first whole minute: only minutes from here on are its own traffic (docs/rollout.md). */
  private stepOwnFromMs = 0;
  /** Where the step's time counts from: its first whole minute, or its shift (timing.ts, `stepClockStartMs`). */
  private stepClockStartMs = 0;
  private nextPollAtMs = 0;
  private readonly inconclusiveSteps: number[] = [];
  /** Steps that reached their end and were passed on (by a pass, or on-inconclusive 'promote'). */
  private readonly completedSteps: number[] = [];
  /** What the loop is doing, for error messages ("shifting 30% to version 8"). */
  private activity = 'preflight';

  constructor(
    private readonly deps: RolloutDeps,
    private readonly request: RolloutRequest,
  ) {
    this.target = deps.target;
    this.clock = deps.clock;
    this.config = request.config;
    this.candidate = request.candidateVersion;
    this.startedAtMs = deps.clock.now();
  }

  async run(): Promise<RolloutResult> {
    let state: LoopState = { name: 'preflight' };
    while (state.name !== 'finished') {
      const from = state.name;
      try {
        state = await this.advance(state);
      } catch (error) {
        state = await this.onFailure(state, asError(error));
      }
      this.log(`state ${from} → ${state.name}`);
    }
    return state.result;
  }

  private advance(state: Exclude<LoopState, { name: 'finished' }>): Promise<LoopState> {
    switch (state.name) {
      case 'preflight':
        return this.preflight();
      case 'shift':
        return this.shift(state.index);
      case 'bake':
        return this.bake(state.index);
      case 'promote':
        return this.promote();
      case 'rollback':
        return this.rollback(state);
    }
  }

  // ---- states --------------------------------------------------------------------------

  private async preflight(): Promise<LoopState> {
    this.steps = buildSteps(this.config.plan, this.config.finalBakeMs);
    this.throwIfCancelled();
    this.activity = `reading ${this.target.describe()}`;
    const alias = await this.target.readAlias();
    this.alias = alias;
    this.stableVersion = alias.version;
    const existing = Object.keys(alias.additionalWeights).length > 0;
    this.row({ event: 'preflight', reason: `${this.target.describe()} is at ${describeAlias(alias)}.` });

    // Checked before the existing-canary policy: releasing what already serves is a no-op, and a no-op writes nothing.
    if (alias.version === this.candidate) {
      return this.finish('skipped', `Version ${this.candidate} is already the primary version of ${this.target.describe()} (${describeAlias(alias)}); nothing to roll out.`);
    }
    if (existing && this.config.onExistingCanary === 'refuse') {
      const reason = `${this.target.describe()} already routes traffic to another version (${describeAlias(alias)}); on-existing-canary is 'refuse', so nothing was written. Finish or roll back that rollout first, or set on-existing-canary: rollback.`;
      this.row({ event: 'abort', reason });
      return this.finish('aborted', reason);
    }
    if (this.request.dryRun) return this.plan(existing);

    await this.saveRecord();
    if (existing) {
      this.activity = `clearing the existing weights of ${this.target.describe()}`;
      this.alias = await this.target.rollBack(alias.revisionId);
      this.row({ event: 'preflight', reason: `Cleared the existing canary (on-existing-canary: rollback): now ${describeAlias(this.alias)}.` });
    }
    return this.steps.length > 0 ? { name: 'shift', index: 0 } : { name: 'promote' };
  }

  private async shift(index: number): Promise<LoopState> {
    const step = this.step(index);
    this.throwIfCancelled();
    this.stepNumber = index + 1;
    await this.saveRecord();
    this.activity = `shifting ${formatWeight(step.weight)} of traffic to version ${this.candidate} (step ${this.stepNumber})`;
    const requestedAtMs = this.clock.now();
    this.markTrafficMoving();
    this.alias = await this.target.shiftTraffic(this.candidate, step.weight, this.currentAlias().revisionId);
    this.weight = step.weight;
    this.stepStartedAtMs = this.clock.now();
    this.stepOwnFromMs = firstWholeMinuteMs(this.stepStartedAtMs);
    // The minutes in which the weight changed hold calls of two splits: stable's calls of that
    // minute mostly came before the shift, so an incident both versions share that starts then
    // would land on the canary alone. The compare judge leaves them out. A target that applies
    // the change asynchronously says when it took effect (SageMaker: minutes after the request,
    // the minutes before that still served the old, judged split, and count).
    const changedFromMs = this.alias.appliedWithin?.fromMs ?? requestedAtMs;
    const changedToMs = this.alias.appliedWithin?.toMs ?? this.stepStartedAtMs;
    for (let minuteMs = Math.floor(changedFromMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS; minuteMs < firstWholeMinuteMs(changedToMs); minuteMs += METRIC_PERIOD_MS) {
      this.weightChangeMinutes.add(minuteMs);
    }
    this.stepClockStartMs = stepClockStartMs(this.stepStartedAtMs, stepJudgedMs(this.steps, index, this.config), this.config);
    if (this.firstShiftAtMs === undefined) {
      this.firstShiftAtMs = requestedAtMs;
      this.nextPollAtMs = this.stepStartedAtMs + this.config.pollMs;
    }
    const waitMs = this.stepClockStartMs - this.stepStartedAtMs;
    // A minute in which the weight changed holds two steps' traffic: the step counts from its first whole one.
    const counted = waitMs > 0 ? ` from its first whole minute (in ${formatDuration(waitMs)})` : '';
    const plan = this.config.plan;
    this.row({
      event: 'shift',
      reason:
        plan.strategy === 'ab'
          ? `Routed ${formatWeight(step.weight)} of traffic to version ${this.candidate}. ${describeAbTest(plan)}.`
          : `Routed ${formatWeight(step.weight)} of traffic to version ${this.candidate}${step.final ? ' (final bake before promotion)' : ''}; baking ${formatDuration(step.durationMs)}${counted}.`,
    });
    return { name: 'bake', index };
  }

  /**
   * Polls at a fixed cadence (start to start, across steps) plus exactly at the step's end
   * and the extension's deadline, so a verdict is never late by more than one poll.
   */
  private async bake(index: number): Promise<LoopState> {
    const step = this.step(index);
    // The last step is judged until its final minute's datapoint is published: otherwise an
    // error in that minute would only show in CloudWatch after the promotion (stepJudgedMs).
    // The step's time counts from its first whole minute when it can hold one (stepClockStartMs).
    const stepEndsAtMs = this.stepClockStartMs + stepJudgedMs(this.steps, index, this.config);
    let deadlineMs = stepEndsAtMs;
    let extended = false;
    for (;;) {
      // An extended step also reads as each minute of its own traffic is published, so it passes
      // at that instant rather than up to a poll later (and the next step starts on its minute).
      const publishedNextMs = extended ? this.nextOwnPublicationMs(this.clock.now()) : Number.POSITIVE_INFINITY;
      const wakeAtMs = Math.min(this.nextPollAtMs, deadlineMs, publishedNextMs);
      const waitMs = wakeAtMs - this.clock.now();
      if (waitMs > 0) await this.clock.sleep(waitMs, this.deps.signal);
      this.throwIfCancelled();

      const observedAtMs = this.clock.now();
      this.nextPollAtMs = observedAtMs + this.config.pollMs;
      const signals = this.deps.signals ?? [];
      this.activity = `reading the metrics of versions ${this.candidate} and ${this.stableVersion}${signals.length > 0 ? ` and ${signals.map((s) => s.describe()).join(', ')}` : ''}`;
      // The poll whose `continue` would end the step inconclusive: the compare judge's final look.
      const lastLook = observedAtMs >= deadlineMs && (extended || this.config.maxExtensionMs <= 0);
      const observation = await this.observe(observedAtMs, index, lastLook);
      const { verdict } = observation.verdict;
      const timeUp = observedAtMs >= stepEndsAtMs;

      if (verdict === 'fail') {
        this.observationRow(observation, 'fail');
        return this.rollbackState(`Step ${this.stepNumber} (${formatWeight(step.weight)}) failed: ${observation.verdict.reason}`);
      }
      if (verdict === 'pass' && timeUp) {
        this.observationRow(observation, 'pass');
        return this.next(index);
      }
      if (verdict === 'continue' && observedAtMs >= deadlineMs) {
        if (!extended && this.config.maxExtensionMs > 0) {
          this.observationRow(observation, 'continue');
          extended = true;
          deadlineMs = stepEndsAtMs + this.config.maxExtensionMs;
          const readableAt = this.firstReadableAtMs(index);
          const why =
            readableAt !== undefined && readableAt > observedAtMs
              ? `Step ${this.stepNumber}'s first minute of metrics is published only at about ${sinceStart(readableAt - this.startedAtMs)}`
              : `Not enough evidence at the end of step ${this.stepNumber}`;
          this.row({ event: 'extend', reason: `${why}; extending it by up to ${formatDuration(this.config.maxExtensionMs)}.` });
          continue;
        }
        this.observationRow(observation, 'inconclusive');
        return this.inconclusive(index, observation.verdict);
      }
      this.observationRow(observation, verdict);
    }
  }

  /** Each minute of `metrics` as last read, for the report's chart. */
  private recordMinutes(which: 'canary' | 'stable', metrics: VersionMetrics): void {
    for (const period of metrics.periods) {
      const atMs = period.startMs - this.startedAtMs;
      const row = this.minutes.get(atMs) ?? { atMs };
      row[which] = { invocations: period.invocations, errors: period.errors };
      this.minutes.set(atMs, row);
    }
  }

  private async promote(): Promise<LoopState> {
    this.throwIfCancelled();
    this.markTrafficMoving(); // a zero-step plan (blue/green without bake) moves traffic here
    if (this.deps.beforePromote !== undefined) {
      this.activity = `waiting for the promotion of version ${this.candidate} to be confirmed`;
      const decision = await this.deps.beforePromote(this.deps.signal);
      this.throwIfCancelled();
      if (!decision.ok) return this.rollbackState(`Promotion of version ${this.candidate} not confirmed: ${asSentence(decision.reason)}`);
    }
    this.activity = `promoting version ${this.candidate}`;
    const current = this.currentAlias();
    // The alias remembers what was promoted, so `rollback --to previous` can skip releases that
    // were rolled back (src/rollback/history.ts).
    const description = recordPromotion(current.description, this.candidate, this.stableVersion ?? current.version);
    this.alias = await this.target.promote(this.candidate, current.revisionId, description);
    this.weight = 1;
    await this.markDone();
    const caveat =
      this.inconclusiveSteps.length > 0
        ? ` Steps ${this.inconclusiveSteps.join(', ')} were inconclusive and passed because on-inconclusive is 'promote'.`
        : '';
    const plan = this.config.plan;
    const after = plan.strategy === 'ab' ? `its A/B test (${plan.percent}% for ${formatDuration(plan.intervalMs)})` : `${this.steps.length} step${this.steps.length === 1 ? '' : 's'}`;
    const reason = `Version ${this.candidate} promoted on ${this.target.describe()} after ${after} in ${formatDuration(this.clock.now() - this.startedAtMs)} (previous version ${this.stableVersion}).${caveat}`;
    this.row({ event: 'promote', reason });
    return this.finish('promoted', reason);
  }

  private async rollback(state: Extract<LoopState, { name: 'rollback' }>): Promise<LoopState> {
    this.activity = 'rolling back';
    this.log(`rolling back: ${state.reason}`);
    const outcome = await rollBackCandidate({
      target: this.target,
      candidate: this.candidate,
      knownRevisionId: state.freshRead ? undefined : this.alias?.revisionId,
      // Not tied to the signal: a cancellation is a reason to roll back, not to stop rolling back.
      sleep: (ms) => this.clock.sleep(ms),
      log: (line) => this.log(line),
    });
    const cause = state.cause !== undefined ? { error: state.cause } : {};
    switch (outcome.kind) {
      case 'rolled-back': {
        this.alias = outcome.alias;
        this.weight = 0;
        await this.markDone();
        const reason = `${state.reason} Rolled back: ${this.target.describe()} is at ${describeAlias(outcome.alias)}.`;
        this.row({ event: 'rollback', reason });
        return this.finish('rolled-back', reason, cause);
      }
      case 'not-routed': {
        this.alias = outcome.alias;
        await this.markDone();
        if (outcome.alias.version === this.candidate && Object.keys(outcome.alias.additionalWeights).length === 0) {
          // The promote call failed on its way back, but it had landed.
          const reason = `${state.reason} The alias reads back promoted (${describeAlias(outcome.alias)}).`;
          this.weight = 1;
          this.row({ event: 'promote', reason });
          return this.finish('promoted', reason, cause);
        }
        const reason = `${state.reason} ${this.target.describe()} does not route traffic to version ${this.candidate} (${describeAlias(outcome.alias)}); nothing to undo, left alone.`;
        this.weight = 0;
        this.row({ event: 'abort', reason });
        return this.finish('aborted', reason, cause);
      }
      case 'failed': {
        // Deliberately not marked done: the post step must try again.
        const reason = `${state.reason} ROLLBACK FAILED after ${plural(outcome.attempts, 'attempt')} (${outcome.error.message}): ${this.target.describe()} may still route traffic to version ${this.candidate}. The post step retries; otherwise roll back by hand.`;
        this.row({ event: 'rollback', reason });
        return this.finish('aborted', reason, { error: outcome.error });
      }
    }
  }

  // ---- failures ------------------------------------------------------------------------

  /** The one place exceptions become states. */
  private async onFailure(state: LoopState, error: Error): Promise<LoopState> {
    if (state.name === 'rollback' || state.name === 'finished') {
      return this.finish('aborted', `Unexpected failure while ${this.activity}: ${error.message}`, { error });
    }
    if (this.deps.signal?.aborted === true) {
      const why = describeAbortReason(this.deps.signal.reason);
      if (this.trafficMayHaveMoved) {
        return { name: 'rollback', reason: `cancelled (${why}) while ${this.activity}.`, freshRead: false };
      }
      const reason = `cancelled (${why}) before any traffic moved; nothing was written.`;
      this.row({ event: 'abort', reason });
      await this.markDone();
      return this.finish('aborted', reason);
    }
    if (error instanceof RevisionConflictError) return this.conflict(error);
    if (this.trafficMayHaveMoved) {
      // The failed call may or may not have landed: read the alias before rolling back.
      return { name: 'rollback', reason: `Failed while ${this.activity}: ${asSentence(error.message)}`, cause: error, freshRead: true };
    }
    const reason = `Failed while ${this.activity}: ${asSentence(error.message)} No traffic was moved.`;
    this.row({ event: 'abort', reason });
    await this.markDone();
    return this.finish('aborted', reason, { error });
  }

  /** Someone else changed the alias: report what changed, and stop without another write. */
  private async conflict(error: RevisionConflictError): Promise<LoopState> {
    let current = error.current;
    if (current === undefined) {
      try {
        current = await this.target.readAlias();
      } catch {
        // The report still names the revision we expected.
      }
    }
    const expected = this.alias !== undefined ? describeAlias(this.alias) : `revision ${error.expectedRevisionId}`;
    const found = current !== undefined ? describeAlias(current) : 'a state that could not be read';
    const changed = `${this.target.describe()} was changed by someone else while ${this.activity}: expected ${expected}, found ${found}.`;
    if (current === undefined || routesTo(current, this.candidate)) {
      // Their change left traffic on our candidate (or we cannot see whether it did). That weight
      // is ours: the preflight refused or cleared any other canary. Taking it back is the one
      // write that touches nothing of theirs, and stopping without it would leave the alias
      // half-shifted with nobody watching.
      return {
        name: 'rollback',
        reason: `${changed} ${current === undefined ? 'It may still route traffic to version' : 'It still routes traffic to version'} ${this.candidate}, which this run put there: taking that weight back and nothing else.`,
        cause: error,
        freshRead: true,
      };
    }
    const reason = `${changed} Stopped without overwriting it.`;
    this.row({ event: 'abort', reason });
    await this.markDone();
    return this.finish('aborted', reason, { error, ...(current !== undefined ? { finalAlias: current } : {}) });
  }

  private inconclusive(index: number, verdict: Verdict): LoopState {
    const step = this.step(index);
    // Plain words first (no verdict either way, and what happens now), the judge's last reason after.
    const what = `Step ${this.stepNumber} (${formatWeight(step.weight)}) inconclusive after ${formatDuration(stepJudgedMs(this.steps, index, this.config) + this.config.maxExtensionMs)}: not enough evidence to pass or fail it`;
    if (this.config.onInconclusive === 'promote') {
      // Later steps are still observed and can still fail: 'promote' lets thin evidence pass, not errors.
      this.inconclusiveSteps.push(this.stepNumber);
      this.log(`${what}; continuing, as on-inconclusive is 'promote'. Last look: ${verdict.reason}`);
      return this.next(index);
    }
    return this.rollbackState(`${what}; rolling back, as on-inconclusive is 'rollback'. Last look: ${verdict.reason}`);
  }

  // ---- helpers -------------------------------------------------------------------------

  /**
   * Metrics over [max(now − windowMs, first shift), now]: reaching back before this rollout
   * would judge the candidate on traffic it got in an earlier attempt; clipping to the
   * current step would drop errors of the previous step that are published only now.
   * The threshold judge fails on the whole window but passes a step only on the whole minutes
   * the step served itself (those starting at its first whole minute): a step never passes on
   * an earlier step's traffic.
   * The compare judge reads from the first shift on: a sequential test accumulates all its
   * evidence (docs/judge.md); dropping old minutes would throw evidence away, not make it fresh.
   */
  private async observe(nowMs: number, index: number, lastLook: boolean): Promise<Observation> {
    const judge = this.config.judge;
    const since = this.firstShiftAtMs ?? nowMs;
    const window = {
      startMs: judge.type === 'compare' ? since : Math.max(nowMs - judge.windowMs, since),
      endMs: nowMs,
    };
    // The two reads run side by side; when one fails (its retries exhausted), the other is
    // cancelled rather than left retrying in the background after the rollout has moved on.
    const sibling = new AbortController();
    const signal = this.deps.signal ? AbortSignal.any([sibling.signal, this.deps.signal]) : sibling.signal;
    const read = (version: string) =>
      this.target.readMetrics(version, window, signal).catch((error: unknown) => {
        sibling.abort(error);
        throw error;
      });
    const decisive = index === decisiveStepIndex(this.steps);
    const poll: SignalPoll = {
      candidateVersion: this.candidate,
      stableVersion: this.stableVersion ?? '',
      window,
      stepOwnFromMs: this.stepOwnFromMs,
      firstShiftAtMs: since,
      excludedMinutes: this.weightChangeMinutes,
      requireEvidence: decisive,
      finalLook: lastLook && decisive,
      minInvocations: this.config.minInvocations,
    };
    const checkSignal = (s: RolloutSignal) =>
      s.check(signal, poll).catch((error: unknown) => {
        sibling.abort(error);
        throw error;
      });
    const [canary, stable, signalVerdicts] = await Promise.all([
      read(this.candidate),
      read(this.stableVersion ?? ''),
      Promise.all((this.deps.signals ?? []).map(checkSignal)),
    ]);
    this.recordMinutes('canary', canary);
    this.recordMinutes('stable', stable);
    const signalFailure = signalVerdicts.find((v) => v.verdict === 'fail');
    if (signalFailure !== undefined) {
      // A signal (an alarm) is evidence on its own: the judge is not asked.
      return { verdict: { verdict: 'fail', reason: signalFailure.reason, observed: {} }, canary, stable };
    }
    const verdict =
      judge.type === 'compare'
        ? judgeCompare({
            canary,
            stable,
            excludedMinutes: this.weightChangeMinutes,
            config: judge,
            minInvocations: this.config.minInvocations,
            requireEvidence: decisive,
            finalLook: lastLook && decisive,
          })
        : judgeThreshold({
            canary,
            stable,
            config: judge,
            minInvocations: this.config.minInvocations,
            windowMs: window.endMs - window.startMs,
            step: this.stepEvidence(canary, window.startMs, nowMs),
          });
    return { verdict: withSignalNotes(this.explainWaiting(verdict, index, nowMs), signalVerdicts), canary, stable };
  }

  /** The candidate's invocations in the current step's own published minutes inside the window. */
  private stepEvidence(canary: VersionMetrics, windowStartMs: number, nowMs: number): StepEvidence {
    let minutes = 0;
    for (let startMs = this.stepOwnFromMs; readableAtMs(startMs, this.config) <= nowMs; startMs += METRIC_PERIOD_MS) {
      if (startMs + METRIC_PERIOD_MS > windowStartMs) minutes += 1;
    }
    const invocations = canary.periods.filter((p) => p.startMs >= this.stepOwnFromMs).reduce((sum, p) => sum + p.invocations, 0);
    return { step: this.stepNumber, invocations, minutes };
  }

  /** When the step's first datapoint can be read: its own first whole minute (threshold), the first shift's minute (compare, first step only). */
  private firstReadableAtMs(index: number): number | undefined {
    if (this.config.judge.type !== 'compare') return readableAtMs(this.stepOwnFromMs, this.config);
    if (index > 0 || this.firstShiftAtMs === undefined) return undefined;
    return readableAtMs(Math.floor(this.firstShiftAtMs / METRIC_PERIOD_MS) * METRIC_PERIOD_MS, this.config);
  }

  /** The next instant after `nowMs` at which a minute of the step's own traffic is published (threshold judge). */
  private nextOwnPublicationMs(nowMs: number): number {
    if (this.config.judge.type === 'compare') return Number.POSITIVE_INFINITY;
    const firstMs = readableAtMs(this.stepOwnFromMs, this.config);
    if (nowMs < firstMs) return firstMs;
    return firstMs + (Math.floor((nowMs - firstMs) / METRIC_PERIOD_MS) + 1) * METRIC_PERIOD_MS;
  }

  /**
   * Before the step's first minute can be published, "not enough invocations" is no news:
   * say that CloudWatch has not published it yet, and when it will, instead of a count of 0
   * that reads like a fault.
   */
  private explainWaiting(verdict: Verdict, index: number, nowMs: number): Verdict {
    const readableAt = this.firstReadableAtMs(index);
    if (verdict.verdict !== 'continue' || readableAt === undefined || nowMs >= readableAt) return verdict;
    const minuteStartMs = readableAt - METRIC_PERIOD_MS - this.config.metricDelayMs;
    const which = this.config.judge.type === 'compare' ? 'the minute of the first shift' : `step ${this.stepNumber}'s first whole minute`;
    const needed = Math.max(1, this.config.minInvocations);
    return {
      ...verdict,
      reason: `Waiting for CloudWatch: ${which} (from ${sinceStart(minuteStartMs - this.startedAtMs)}) is published at about ${sinceStart(readableAt - this.startedAtMs)} (${formatDuration(METRIC_PERIOD_MS)} period + ${formatDuration(this.config.metricDelayMs)} metric delay), so no datapoint of it can exist yet: expected, not a fault. ${plural(needed, 'invocation')} of version ${this.candidate} needed before the step may pass.`,
    };
  }

  /**
   * The schedule the run would keep (timing.ts, `planSchedule`), from a first shift on a minute
   * boundary: a step that needs its first own minute published after its planned end is shown
   * ending then, not at its planned end.
   */
  private plan(existing: boolean): LoopState {
    const schedule = planSchedule(this.steps, this.config);
    const plan = this.config.plan;
    const ab = plan.strategy === 'ab' ? describeAbTest(plan) : undefined;
    for (const planned of schedule) {
      const step = this.step(planned.index);
      const judgedUntil =
        planned.endMs - planned.clockStartMs > planned.judgedMs
          ? planned.judgeable
            ? `, judged until +${formatDuration(planned.endMs)} when its first whole minute is published`
            : `, inconclusive at +${formatDuration(planned.endMs)}: it cannot hold a published minute of its own traffic`
          : '';
      this.timeline.push({
        atMs: planned.shiftAtMs,
        step: planned.index + 1,
        weight: step.weight,
        event: 'shift',
        reason:
          ab !== undefined
            ? `Planned: route ${formatWeight(step.weight)} of traffic to version ${this.candidate} and hold it ${formatDuration(step.durationMs)} (A/B test)${judgedUntil}.`
            : `Planned: route ${formatWeight(step.weight)} of traffic to version ${this.candidate} and bake ${formatDuration(step.durationMs)}${step.final ? ' (final bake)' : ''}${judgedUntil}.`,
      });
    }
    const endMs = schedule.at(-1)?.endMs ?? 0;
    const promotion = ab !== undefined ? ` if the compare judge finds no regression (else roll back to version ${this.stableVersion})` : '';
    this.timeline.push({ atMs: endMs, step: this.steps.length, weight: 1, event: 'promote', reason: `Planned: point the alias at version ${this.candidate}${promotion}.` });
    const clearing = existing ? ' after clearing the existing weights (on-existing-canary: rollback)' : '';
    const alignment = schedule[0] !== undefined && mayWaitForFirstWholeMinute(schedule[0].judgedMs, this.config) ? ' from a first shift on a minute boundary (the first step counts from its first whole minute: up to 1m more)' : '';
    const how = ab !== undefined ? `: ${ab};` : ` in ${this.steps.length} step${this.steps.length === 1 ? '' : 's'},`;
    const reason = `Dry run: would roll version ${this.candidate} out on ${this.target.describe()} (now ${describeAlias(this.currentAlias())})${clearing}${how} expected duration ${formatDuration(endMs)}${alignment} (up to ${formatDuration(maxDurationMs(this.steps, this.config))} with extensions); nothing was written.`;
    this.log(reason);
    return this.finish('planned', reason);
  }


  private next(index: number): LoopState {
    this.completedSteps.push(index + 1);
    return index + 1 < this.steps.length ? { name: 'shift', index: index + 1 } : { name: 'promote' };
  }

  private rollbackState(reason: string): LoopState {
    return { name: 'rollback', reason, freshRead: false };
  }

  private step(index: number): RolloutStep {
    const step = this.steps[index];
    if (step === undefined) throw new Error(`no step ${index + 1} in a ${this.steps.length}-step plan`);
    return step;
  }

  private currentAlias(): AliasState {
    if (this.alias === undefined) throw new Error('alias state unknown before preflight');
    return this.alias;
  }

  private throwIfCancelled(): void {
    this.deps.signal?.throwIfAborted();
  }

  private async saveRecord(): Promise<void> {
    const record: RolloutRecord = {
      functionTarget: this.target.describe(),
      candidateVersion: this.candidate,
      stableVersion: this.stableVersion ?? '',
      startedAtMs: this.startedAtMs,
      phase: 'shifting',
      ...(this.stepNumber > 0 ? { step: this.stepNumber, weight: this.step(this.stepNumber - 1).weight } : {}),
    };
    await saveRolloutRecord(this.deps.state, record);
    this.recordSaved = true;
  }

  /** Tells the post step nothing is unfinished. A failure here must not mask the outcome. */
  private async markDone(): Promise<void> {
    if (!this.recordSaved) return;
    try {
      const inPlace = this.alias?.additionalWeights[this.candidate];
      await saveRolloutRecord(this.deps.state, {
        functionTarget: this.target.describe(),
        candidateVersion: this.candidate,
        stableVersion: this.stableVersion ?? '',
        startedAtMs: this.startedAtMs,
        phase: 'done',
        ...(inPlace !== undefined && inPlace > 0 ? { weight: inPlace } : {}),
      });
    } catch (error) {
      this.log(`could not save the rollout state (the post step will re-check the alias): ${asError(error).message}`);
    }
  }

  private observationRow(observation: Observation, verdict: TimelineRow['verdict']): void {
    const suffix = verdict === 'inconclusive' ? ' Extension exhausted.' : '';
    this.row({
      event: 'observe',
      canary: sample(observation.canary),
      stable: sample(observation.stable),
      verdict,
      reason: `${observation.verdict.reason}${suffix}`,
    });
  }

  private row(fields: Pick<TimelineRow, 'event' | 'reason' | 'canary' | 'stable' | 'verdict'>): void {
    const row: TimelineRow = {
      atMs: this.clock.now() - this.startedAtMs,
      step: this.stepNumber,
      weight: this.weight,
      ...stripUndefined(fields),
    };
    this.timeline.push(row);
    const type = EVENT_OF_ROW[row.event];
    try {
      if (type !== undefined) this.deps.onEvent?.({ type, step: row.step, weight: row.weight, reason: row.reason });
    } catch {
      // Notifications never affect the rollout.
    }
    this.log(`[+${formatDuration(row.atMs)}] step ${row.step} (${formatWeight(row.weight)}) ${row.event}${row.verdict !== undefined ? ` ${row.verdict}` : ''}: ${row.reason}`);
  }

  private finish(outcome: Outcome, reason: string, extra: { error?: Error; finalAlias?: AliasState } = {}): LoopState {
    const finalAlias = extra.finalAlias ?? this.alias;
    const result: RolloutResult = {
      outcome,
      stableVersion: this.stableVersion,
      candidateVersion: this.candidate,
      timeline: this.timeline,
      minutes: [...this.minutes.values()].sort((a, b) => a.atMs - b.atMs),
      completedSteps: [...this.completedSteps],
      reason,
      ...(finalAlias !== undefined ? { finalAlias } : {}),
      ...(extra.error !== undefined ? { error: extra.error } : {}),
    };
    this.log(`outcome ${outcome}: ${reason}`);
    return { name: 'finished', result };
  }

  /** From here on every exit must restore safety; the first call also tells the release records. */
  private markTrafficMoving(): void {
    if (this.trafficMayHaveMoved) return;
    this.trafficMayHaveMoved = true;
    try {
      this.deps.onTrafficMoving?.();
    } catch {
      // Release records never affect the rollout.
    }
  }

  private log(line: string): void {
    this.deps.log?.(`rollout: ${line}`);
  }
}

function sample(metrics: VersionMetrics): VersionSample {
  return {
    version: metrics.version,
    invocations: metrics.invocations,
    errors: metrics.errors,
    throttles: metrics.throttles,
    p99Ms: metrics.p99Ms,
  };
}

/**
 * What the signals that did not fail had to say (an alarm with INSUFFICIENT_DATA, a metric query
 * still without data) is added to the verdict's reason; a signal's `continue` keeps a passing
 * verdict from passing, as the judge's own `continue` would (no data is never a pass).
 */
function withSignalNotes(verdict: Verdict, signals: readonly SignalVerdict[]): Verdict {
  const notes = signals.map((s) => s.reason.trim()).filter((r) => r !== '');
  const waiting = verdict.verdict === 'pass' && signals.some((s) => s.verdict === 'continue');
  const next = waiting ? { ...verdict, verdict: 'continue' as const } : verdict;
  return notes.length === 0 ? next : { ...next, reason: `${asSentence(verdict.reason)} ${notes.join(' ')}` };
}

/** A time since the rollout started, as the timeline shows it: `+40s`, `+2m40s`, `+0s`. */
function sinceStart(ms: number): string {
  return ms <= 0 ? '+0s' : `+${formatDuration(ms)}`;
}


function describeAbortReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

function stripUndefined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

/** Error messages often end with a full stop already; reasons must not end with two. */
function asSentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
