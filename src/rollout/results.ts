/**
 * The rollout in the one result model every reporter renders: one check per step (its final
 * verdict) and one for the outcome, plus the step outputs downstream jobs read.
 */
import type { CheckResult, CheckStatus, Outcome, TimelineRow } from '../report/result.js';
import type { RolloutResult } from './loop.js';
import { formatWeight } from './timing.js';

/** One CheckResult per step that was shifted (its last verdict) and one `rollout.outcome`. */
export function rolloutResults(result: RolloutResult): CheckResult[] {
  const checks: CheckResult[] = [];
  if (result.outcome !== 'planned') {
    const shifted = [...new Set(result.timeline.filter((r) => r.event === 'shift').map((r) => r.step))];
    for (const step of shifted) checks.push(stepCheck(result, step));
  }
  checks.push({
    id: 'rollout.outcome',
    gate: 'rollout',
    status: OUTCOME_STATUS[result.outcome],
    observed: result.outcome,
    expected: 'promoted',
    message: result.reason,
    details: {
      candidateVersion: result.candidateVersion,
      stableVersion: result.stableVersion,
      ...(result.finalAlias !== undefined ? { finalAlias: result.finalAlias } : {}),
      ...(result.error !== undefined ? { error: result.error.message } : {}),
    },
  });
  return checks;
}

/** Step outputs: `outcome`, `version` (the candidate), `previous-version` (stable before the run, or ''). */
export function rolloutOutputs(result: RolloutResult): Record<string, string> {
  return {
    outcome: result.outcome,
    version: result.candidateVersion,
    'previous-version': result.stableVersion ?? '',
  };
}

const OUTCOME_STATUS: Record<Outcome, CheckStatus> = {
  promoted: 'pass',
  'rolled-back': 'fail',
  aborted: 'error',
  skipped: 'skip',
  planned: 'skip',
  checked: 'skip',
  'rolled-back-manually': 'pass',
};

function stepCheck(result: RolloutResult, step: number): CheckResult {
  const rows = result.timeline.filter((r) => r.step === step);
  const shift = rows.find((r) => r.event === 'shift');
  const last = rows.filter((r) => r.event === 'observe').at(-1);
  const weight = shift?.weight ?? 0;
  const label = `Step ${step} (${formatWeight(weight)})`;
  // The loop says which steps reached their end; a conflict while shifting to the next step
  // or while promoting does not undo the step before it.
  const completed = result.completedSteps.includes(step) || result.outcome === 'promoted';
  const base = { id: `rollout.step-${step}`, gate: 'rollout' as const };
  const details = { weight, ...(last !== undefined ? observationDetails(last) : {}) };

  if (last?.verdict === 'fail') {
    return { ...base, status: 'fail', observed: last.canary?.errors ?? null, message: `${label}: ${last.reason}`, details };
  }
  if (last?.verdict === 'inconclusive') {
    // Passed only by the on-inconclusive 'promote' policy: visible, but not a failure.
    const status: CheckStatus = completed ? 'warn' : 'fail';
    return { ...base, status, observed: last.canary?.invocations ?? null, message: `${label} inconclusive: ${last.reason}`, details };
  }
  if (completed && last?.verdict === 'pass') {
    return { ...base, status: 'pass', observed: last.canary?.errors ?? null, message: `${label}: ${last.reason}`, details };
  }
  // Interrupted before its verdict (cancelled, target error, conflict): the outcome says why.
  return {
    ...base,
    status: result.error !== undefined ? 'error' : 'skip',
    message: `${label} did not finish: ${result.reason}`,
    details,
  };
}

function observationDetails(row: TimelineRow): Record<string, unknown> {
  return {
    verdict: row.verdict,
    atMs: row.atMs,
    ...(row.canary !== undefined ? { canary: row.canary } : {}),
    ...(row.stable !== undefined ? { stable: row.stable } : {}),
  };
}
