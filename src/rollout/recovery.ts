/**
 * Getting the alias back to a safe state: the record the main step leaves for the post step,
 * the rollback write with its retries (shared by the loop and the post step), and
 * `restoreSafety`, which the post step runs after the main process died, even by SIGKILL.
 *
 * One rule throughout: we only ever take weight away from OUR candidate. If the alias no
 * longer routes traffic to it, someone else acted, and we leave the alias alone.
 */
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { StateStore } from '../core/state.js';
import type { AliasState, RolloutTarget } from '../targets/target.js';
import { formatWeight } from './timing.js';
import { plural } from '../core/plural.js';

/** StateStore key of the rollout record. */
export const ROLLOUT_STATE_KEY = 'rollout';

/** What the post step needs to know about an unfinished rollout. */
export interface RolloutRecord {
  /** `target.describe()` of the alias being shifted: the post step refuses to act on another one. */
  functionTarget: string;
  candidateVersion: string;
  stableVersion: string;
  startedAtMs: number;
  /** `shifting` from just before the first write until the alias is known to be safe. */
  phase: 'shifting' | 'done';
  /**
   * While shifting: the 1-based step being shifted to, and its weight. When done: `weight` is the
   * candidate's weight this run last had in place (absent when none), so the post step can tell
   * our weight, left behind, from someone else's.
   */
  step?: number;
  weight?: number;
}

/** Saves the rollout record for the post step. */
export async function saveRolloutRecord(state: StateStore, record: RolloutRecord): Promise<void> {
  await state.save(ROLLOUT_STATE_KEY, JSON.stringify(record));
}

/** The saved rollout record; undefined when none was saved. Throws when it is unreadable. */
export async function loadRolloutRecord(state: StateStore): Promise<RolloutRecord | undefined> {
  const raw = await state.load(ROLLOUT_STATE_KEY);
  if (raw === undefined || raw === '') return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (!isRolloutRecord(parsed)) throw new Error(`saved rollout state is not a rollout record: ${raw.slice(0, 200)}`);
  return parsed;
}

/** True when the alias sends some traffic to `version` through its additional weights. */
export function routesTo(alias: AliasState, version: string): boolean {
  return (alias.additionalWeights[version] ?? 0) > 0;
}

/** `version 7, 30% on version 8 (revision r-3)`: an alias state in one phrase for messages. */
export function describeAlias(alias: AliasState): string {
  const weights = Object.entries(alias.additionalWeights);
  const routing =
    weights.length === 0
      ? 'no additional weights'
      : weights.map(([version, weight]) => `${formatWeight(weight)} on version ${version}`).join(', ');
  return `version ${alias.version}, ${routing} (revision ${alias.revisionId})`;
}

/** How a rollback attempt series ended. */
export type RollbackOutcome =
  | { kind: 'rolled-back'; alias: AliasState; attempts: number }
  /** The alias no longer routes to the candidate: nothing of ours to undo, nothing written. */
  | { kind: 'not-routed'; alias: AliasState; attempts: number }
  | { kind: 'failed'; error: Error; attempts: number };

/** Rollback attempts: it is the most important write, so it gets more than the SDK's retries. */
export const ROLLBACK_ATTEMPTS = 4;
const ROLLBACK_BACKOFF_MS = [1_000, 2_000, 4_000];

/**
 * Sends all traffic back to the alias's primary version (weights {}), retrying up to
 * ROLLBACK_ATTEMPTS times. The first attempt uses `knownRevisionId` when given (fastest: no
 * read before the write); every other attempt reads the alias first for a fresh RevisionId
 * and only writes while the alias still routes traffic to `candidate`. A revision conflict is
 * just a reason to re-read: the rollback only ever removes our candidate's weight.
 */
export async function rollBackCandidate(options: {
  target: RolloutTarget;
  candidate: string;
  knownRevisionId?: string;
  /** Backoff between attempts; never tied to a cancellation signal (we roll back *because* of it). */
  sleep: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}): Promise<RollbackOutcome> {
  const { target, candidate } = options;
  let revisionId = options.knownRevisionId;
  let lastError: Error = new Error('rollback not attempted');
  for (let attempt = 1; attempt <= ROLLBACK_ATTEMPTS; attempt++) {
    try {
      if (revisionId === undefined) {
        const alias = await target.readAlias();
        if (!routesTo(alias, candidate)) return { kind: 'not-routed', alias, attempts: attempt };
        revisionId = alias.revisionId;
      }
      const alias = await target.rollBack(revisionId);
      return { kind: 'rolled-back', alias, attempts: attempt };
    } catch (error) {
      lastError = asError(error);
      revisionId = undefined;
      options.log?.(`rollback attempt ${attempt}/${ROLLBACK_ATTEMPTS} failed: ${lastError.message}`);
      if (attempt < ROLLBACK_ATTEMPTS) await options.sleep(ROLLBACK_BACKOFF_MS[attempt - 1] ?? 4_000);
    }
  }
  return { kind: 'failed', error: lastError, attempts: ROLLBACK_ATTEMPTS };
}

/** What the post step did. */
export interface SafetyRestoration {
  action: 'none' | 'rolled-back' | 'left-alone';
  reason: string;
}

/**
 * The post step's safety net: if the saved record says a rollout was still shifting and the
 * alias still routes traffic to the saved candidate, roll it back with the current RevisionId.
 * If the alias no longer routes to our candidate (someone else acted, or the main step
 * promoted just before dying) leave it alone and say so. No record, or phase done → none.
 * Throws only when the rollback was needed and every attempt failed.
 */
export async function restoreSafety(deps: {
  target: RolloutTarget;
  state: StateStore;
  log?: (line: string) => void;
  /** For the backoff between rollback attempts; the wall clock by default. */
  clock?: Clock;
}): Promise<SafetyRestoration> {
  const log = deps.log ?? (() => undefined);
  let record: RolloutRecord | undefined;
  try {
    record = await loadRolloutRecord(deps.state);
  } catch (error) {
    return { action: 'left-alone', reason: `${asError(error).message}; check the alias by hand.` };
  }
  if (record === undefined) return { action: 'none', reason: 'No rollout was started in this job.' };
  const target = deps.target.describe();
  if (record.phase === 'done') return checkFinishedRollout(record, deps.target, deps.clock ?? systemClock, log);
  if (record.functionTarget !== target) {
    return {
      action: 'left-alone',
      reason: `The unfinished rollout was on ${record.functionTarget}, not ${target}; left alone.`,
    };
  }

  const candidate = record.candidateVersion;
  log(`post: rollout of version ${candidate} on ${target} did not finish; checking the alias`);
  const clock = deps.clock ?? systemClock;
  const outcome = await rollBackCandidate({
    target: deps.target,
    candidate,
    sleep: (ms) => clock.sleep(ms),
    log,
  });
  switch (outcome.kind) {
    case 'failed':
      throw new Error(
        `${target} may still route traffic to version ${candidate}: rollback failed after ${plural(outcome.attempts, 'attempt')} (${outcome.error.message}). Roll back by hand.`,
        { cause: outcome.error },
      );
    case 'not-routed': {
      await saveRolloutRecord(deps.state, { ...record, phase: 'done' });
      const promoted = outcome.alias.version === candidate;
      const why = promoted
        ? 'the promotion completed before the job stopped'
        : 'someone else changed it, or the rollout ended before the job stopped';
      return {
        action: 'left-alone',
        reason: `${target} no longer routes traffic to version ${candidate} (now ${describeAlias(outcome.alias)}): ${why}; left alone.`,
      };
    }
    case 'rolled-back':
      await saveRolloutRecord(deps.state, { ...record, phase: 'done' });
      return {
        action: 'rolled-back',
        reason: `The rollout of version ${candidate} did not finish; ${target} rolled back to ${describeAlias(outcome.alias)}.`,
      };
  }
}

/**
 * A rollout recorded as finished must not have left its candidate's weight on the alias. The
 * loop never records "done" while it does, but a lost reply or a bug must not leave traffic
 * half-shifted with nobody watching: if the alias still routes exactly the weight this run last
 * had in place to our candidate, take it back. Any other weight is someone else's: left alone.
 */
async function checkFinishedRollout(record: RolloutRecord, target: RolloutTarget, clock: Clock, log: (line: string) => void): Promise<SafetyRestoration> {
  const finished: SafetyRestoration = { action: 'none', reason: 'The rollout finished; nothing to restore.' };
  const ours = record.weight;
  if (ours === undefined || !(ours > 0) || record.functionTarget !== target.describe()) return finished;
  let alias: AliasState;
  try {
    alias = await target.readAlias();
  } catch (error) {
    return { action: 'none', reason: `The rollout finished; the alias could not be re-checked (${asError(error).message}).` };
  }
  const weight = alias.additionalWeights[record.candidateVersion];
  if (weight === undefined || Math.abs(weight - ours) > 1e-9) return finished;
  log(`post: the rollout of version ${record.candidateVersion} is recorded as finished, yet ${target.describe()} still routes ${formatWeight(weight)} to it; rolling back`);
  const outcome = await rollBackCandidate({ target, candidate: record.candidateVersion, sleep: (ms) => clock.sleep(ms), log });
  switch (outcome.kind) {
    case 'failed':
      throw new Error(
        `${target.describe()} still routes ${formatWeight(weight)} of traffic to version ${record.candidateVersion}: rollback failed after ${plural(outcome.attempts, 'attempt')} (${outcome.error.message}). Roll back by hand.`,
        { cause: outcome.error },
      );
    case 'not-routed':
      return finished;
    case 'rolled-back':
      return {
        action: 'rolled-back',
        reason: `The rollout of version ${record.candidateVersion} was recorded as finished, yet ${target.describe()} still routed ${formatWeight(weight)} to it, the weight this run put there; rolled back to ${describeAlias(outcome.alias)}.`,
      };
  }
}


/** Anything thrown, as an Error. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function isRolloutRecord(value: unknown): value is RolloutRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.functionTarget === 'string' &&
    typeof record.candidateVersion === 'string' &&
    typeof record.stableVersion === 'string' &&
    typeof record.startedAtMs === 'number' &&
    (record.phase === 'shifting' || record.phase === 'done')
  );
}
