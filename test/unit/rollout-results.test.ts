import type { TimelineRow } from '../../src/report/result.js';
import type { RolloutResult } from '../../src/rollout/loop.js';
import { rolloutOutputs, rolloutResults } from '../../src/rollout/results.js';

const sample = (version: string, errors = 0) => ({ version, invocations: 100, errors, throttles: 0, p99Ms: 80 });

function row(step: number, event: TimelineRow['event'], extra: Partial<TimelineRow> = {}): TimelineRow {
  return { atMs: step * 60_000, step, weight: step / 10, event, reason: `${event} ${step}`, ...extra };
}

/** By default a step completed when a later step was shifted to (what the loop reports for these timelines). */
function result(outcome: RolloutResult['outcome'], timeline: TimelineRow[], extra: Partial<RolloutResult> = {}): RolloutResult {
  const shifted = timeline.filter((r) => r.event === 'shift').map((r) => r.step);
  const completedSteps = shifted.filter((step) => shifted.some((later) => later > step));
  return { outcome, stableVersion: '7', candidateVersion: '8', timeline, completedSteps, reason: `the run ${outcome}`, ...extra };
}

describe('rolloutResults', () => {
  it('one passing check per step and a passing outcome for a promotion', () => {
    const checks = rolloutResults(
      result('promoted', [
        row(0, 'preflight'),
        row(1, 'shift'),
        row(1, 'observe', { verdict: 'continue', canary: sample('8') }),
        row(1, 'observe', { verdict: 'pass', canary: sample('8'), stable: sample('7', 4) }),
        row(2, 'shift'),
        row(2, 'observe', { verdict: 'pass', canary: sample('8') }),
        row(2, 'promote'),
      ]),
    );
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['rollout.step-1', 'pass'],
      ['rollout.step-2', 'pass'],
      ['rollout.outcome', 'pass'],
    ]);
    expect(checks.every((c) => c.gate === 'rollout')).toBe(true);
    expect(checks[0]?.details).toMatchObject({ weight: 0.1, verdict: 'pass', stable: { errors: 4 } });
    expect(checks[2]).toMatchObject({ observed: 'promoted', expected: 'promoted', message: 'the run promoted' });
  });

  it('marks the failing step and the outcome as failed on a rollback', () => {
    const checks = rolloutResults(
      result('rolled-back', [
        row(1, 'shift'),
        row(1, 'observe', { verdict: 'pass' }),
        row(2, 'shift'),
        row(2, 'observe', { verdict: 'pass' }),
        row(2, 'observe', { verdict: 'fail', canary: sample('8', 3), reason: '3 errors in 100 invocations of version 8' }),
        row(2, 'rollback'),
      ]),
    );
    expect(checks.map((c) => c.status)).toEqual(['pass', 'fail', 'fail']);
    expect(checks[1]).toMatchObject({ observed: 3, message: 'Step 2 (20%): 3 errors in 100 invocations of version 8' });
  });

  it('an inconclusive step fails a rollback, and only warns when it was passed by on-inconclusive promote', () => {
    const inconclusive = [row(1, 'shift'), row(1, 'observe', { verdict: 'continue' }), row(1, 'extend'), row(1, 'observe', { verdict: 'inconclusive' })];
    expect(rolloutResults(result('rolled-back', inconclusive))[0]?.status).toBe('fail');
    const promoted = rolloutResults(result('promoted', [...inconclusive, row(2, 'shift'), row(2, 'observe', { verdict: 'pass' }), row(2, 'promote')]));
    expect(promoted.map((c) => c.status)).toEqual(['warn', 'pass', 'pass']);
  });

  it('a step that ended and passed stays passed when the shift to the next step (or the promotion) is interrupted', () => {
    const timeline = [
      row(1, 'shift'),
      row(1, 'observe', { verdict: 'pass', canary: sample('8') }),
      row(2, 'abort', { reason: 'changed by someone else while shifting 20% of traffic to version 8 (step 2)' }),
    ];
    const error = new Error('conflict');
    const checks = rolloutResults(result('aborted', timeline, { completedSteps: [1], error }));
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['rollout.step-1', 'pass'],
      ['rollout.outcome', 'error'],
    ]);
    expect(checks[0]?.message).not.toMatch(/did not finish/);
    // Without the loop saying step 1 ended, the same timeline reads as interrupted.
    expect(rolloutResults(result('aborted', timeline, { completedSteps: [], error }))[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/^Step 1 \(10%\) did not finish/) });
  });

  it('a step interrupted before its verdict is skipped (cancelled) or an error (target failure)', () => {
    const timeline = [row(1, 'shift'), row(1, 'observe', { verdict: 'pass' }), row(1, 'rollback')];
    expect(rolloutResults(result('rolled-back', timeline))[0]?.status).toBe('skip');
    const failed = rolloutResults(result('rolled-back', timeline, { error: new Error('throttled') }));
    expect(failed[0]?.status).toBe('error');
    expect(failed[0]?.message).toContain('did not finish');
    expect(failed[1]?.details).toMatchObject({ error: 'throttled' });
  });

  it('a dry run has only the outcome, skipped; an abort is an error', () => {
    const planned = rolloutResults(result('planned', [row(0, 'preflight'), row(1, 'shift'), row(1, 'promote')]));
    expect(planned.map((c) => [c.id, c.status])).toEqual([['rollout.outcome', 'skip']]);
    expect(rolloutResults(result('aborted', [row(0, 'abort')])).map((c) => c.status)).toEqual(['error']);
  });
});

describe('rolloutOutputs', () => {
  it('outcome, version and previous-version', () => {
    expect(rolloutOutputs(result('rolled-back', []))).toEqual({ outcome: 'rolled-back', version: '8', 'previous-version': '7' });
    expect(rolloutOutputs(result('aborted', [], { stableVersion: null }))['previous-version']).toBe('');
  });
});
