/**
 * Realistic reports shared by the reporter tests: the shapes the pipeline produces for a
 * trigger-only skip, a promoted and a rolled-back rollout, a config error, a run with many
 * failures, and a run whose commit text tries to break out of every output format.
 */
import type { CheckResult, Report, TimelineRow } from '../../src/report/result.js';

function report(overrides: Partial<Report>): Report {
  return {
    tool: 'model-release-gate',
    toolVersion: '0.1.0',
    command: 'release',
    outcome: 'checked',
    exitCode: 0,
    headline: '',
    startedAt: '2026-03-02T10:00:00.000Z',
    finishedAt: '2026-03-02T10:00:01.500Z',
    results: [],
    outputs: {},
    ...overrides,
  };
}

export const HOSTILE_HEADER = 'feat(api): speed up | <script>alert(1)</script> \n**bold** & more';

export function skippedTriggerOnly(): Report {
  return report({
    command: 'trigger',
    outcome: 'skipped',
    headline: 'Nothing to release: no commit targets the api scope.',
    finishedAt: '2026-03-02T10:00:00.420Z',
    results: [
      {
        id: 'trigger.release',
        gate: 'trigger',
        status: 'skip',
        observed: 'docs(readme): fix typo',
        expected: 'feat|fix|perf|revert(api)',
        message: 'No commit in scope among 1 considered.',
      },
    ],
    outputs: { release: 'false', bump: 'none', reason: 'no commit targets the api scope', commits: '[]', outcome: 'skipped' },
  });
}

const canary = (invocations: number, errors: number, p99Ms: number | null) => ({
  version: '7',
  invocations,
  errors,
  throttles: 0,
  p99Ms,
});
const stable = (invocations: number, errors: number, p99Ms: number | null) => ({
  version: '6',
  invocations,
  errors,
  throttles: 0,
  p99Ms,
});

export const PROMOTED_TIMELINE: TimelineRow[] = [
  { atMs: 0, step: 0, weight: 0, event: 'preflight', reason: 'alias prod points at 6, no canary weights' },
  { atMs: 1_000, step: 1, weight: 0.1, event: 'shift', reason: 'shift 10% to version 7' },
  {
    atMs: 61_000,
    step: 1,
    weight: 0.1,
    event: 'observe',
    canary: canary(120, 0, 85.4),
    stable: stable(1080, 1, 80),
    verdict: 'pass',
    reason: '0 errors in 120 invocations',
  },
  { atMs: 62_000, step: 2, weight: 0.5, event: 'shift', reason: 'shift 50% to version 7' },
  {
    atMs: 122_000,
    step: 2,
    weight: 0.5,
    event: 'observe',
    canary: canary(600, 0, 90),
    stable: stable(600, 0, null),
    verdict: 'pass',
    reason: '0 errors in 600 invocations',
  },
  { atMs: 125_000, step: 2, weight: 1, event: 'promote', reason: 'alias prod now points at 7' },
];

export function promotedRollout(): Report {
  return report({
    outcome: 'promoted',
    headline: 'Released version 7 of churn-api: alias prod promoted after 2 steps.',
    finishedAt: '2026-03-02T10:02:06.000Z',
    results: [
      { id: 'rollout.step-1', gate: 'rollout', status: 'pass', observed: 0, expected: 0, message: 'No errors at 10%.' },
      { id: 'trigger.release', gate: 'trigger', status: 'pass', observed: 'minor', message: '1 commit in scope.' },
      { id: 'data.rows', gate: 'data', status: 'pass', observed: 12000, expected: '>= 1000', message: 'Enough rows.' },
      {
        id: 'model.precision',
        gate: 'model',
        status: 'warn',
        observed: 0.91234,
        expected: '>= 0.91',
        message: 'Precision is within 0.5 points of the floor.',
        details: { pValue: 0.0321, folds: [0.9, 0.92] },
      },
      { id: 'rollout.step-2', gate: 'rollout', status: 'pass', observed: 0, expected: 0, message: 'No errors at 50%.' },
    ],
    outputs: {
      release: 'true',
      bump: 'minor',
      version: '7',
      'previous-version': '6',
      outcome: 'promoted',
      commits: JSON.stringify([{ sha: 'abc1234', header: 'feat(api): add churn score', type: 'feat', scope: 'api', breaking: false }]),
    },
    timeline: PROMOTED_TIMELINE,
  });
}

export function rolledBackRollout(): Report {
  return report({
    outcome: 'rolled-back',
    exitCode: 1,
    headline: 'Rolled back version 7 of churn-api: 3 errors at 10%.',
    finishedAt: '2026-03-02T10:01:05.000Z',
    results: [
      { id: 'trigger.release', gate: 'trigger', status: 'pass', message: '1 commit in scope.' },
      {
        id: 'rollout.step-1',
        gate: 'rollout',
        status: 'fail',
        observed: 3,
        expected: 0,
        message: '3 errors in the last 5 minutes (max 0).',
      },
    ],
    outputs: { release: 'true', outcome: 'rolled-back', version: '7', 'previous-version': '6' },
    timeline: [
      { atMs: 0, step: 0, weight: 0, event: 'preflight', reason: 'alias prod points at 6' },
      { atMs: 500, step: 1, weight: 0.1, event: 'shift', reason: 'shift 10% to version 7' },
      {
        atMs: 60_500,
        step: 1,
        weight: 0.1,
        event: 'observe',
        canary: canary(40, 3, 310),
        stable: stable(360, 0, 82),
        verdict: 'fail',
        reason: '3 errors > max 0',
      },
      { atMs: 61_000, step: 1, weight: 0, event: 'rollback', reason: 'weights cleared: 100% on version 6' },
    ],
  });
}

export function configError(): Report {
  return report({
    outcome: 'aborted',
    exitCode: 2,
    headline: 'Configuration error in .model-release.yml: nothing was deployed.',
    results: [
      {
        id: 'config.schema',
        gate: 'config',
        status: 'error',
        observed: 150,
        expected: '1..100',
        message: 'rollout.plan.stepPercent must be between 1 and 100.',
        location: { file: '.model-release.yml', line: 12, column: 5 },
      },
    ],
    outputs: { outcome: 'aborted' },
  });
}

/** 25 failing data checks and 12 warnings: more than GitHub shows per level. */
export function manyFailures(): Report {
  const failures: CheckResult[] = Array.from({ length: 25 }, (_, i) => ({
    id: `data.missing.col-${i + 1}`,
    gate: 'data',
    status: 'fail',
    observed: 0.2,
    expected: '<= 0.05',
    message: `Column col-${i + 1} has 20% missing values.`,
  }));
  const warnings: CheckResult[] = Array.from({ length: 12 }, (_, i) => ({
    id: `data.drift.f${i + 1}`,
    gate: 'data',
    status: 'warn',
    message: `Feature f${i + 1} drifted.`,
  }));
  return report({
    command: 'check',
    outcome: 'checked',
    exitCode: 1,
    headline: '25 data checks failed.',
    results: [...failures, ...warnings],
  });
}

/** A commit header that tries to break markdown tables, inject HTML and corrupt XML/terminals. */
export function hostileCommit(): Report {
  return report({
    command: 'check',
    outcome: 'checked',
    exitCode: 1,
    headline: `Gate failed for ${HOSTILE_HEADER}`,
    results: [
      {
        id: 'trigger.release',
        gate: 'trigger',
        status: 'fail',
        observed: HOSTILE_HEADER,
        expected: 'a <valid> header',
        message: `Rejected ${HOSTILE_HEADER}\u0001\u001b[2J`,
      },
    ],
    outputs: { reason: `release because of ${HOSTILE_HEADER}` },
  });
}
