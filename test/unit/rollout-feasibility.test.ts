import type { RolloutConfig } from '../../src/config/types.js';
import { analyzeFeasibility, feasibilityResults, readableMinutesBy } from '../../src/rollout/feasibility.js';
import { rolloutConfig } from '../support/rollout-config.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function check(overrides: Partial<RolloutConfig>) {
  const config = rolloutConfig(overrides);
  const analysis = analyzeFeasibility(config);
  return { analysis, results: feasibilityResults(analysis, config) };
}

describe('analyzeFeasibility: can each step be judged on its own traffic?', () => {
  it('the default plan can: a 1m step + 1m extension holds its first minute and its 1m publication delay', () => {
    const { analysis, results } = check({});
    expect(analysis.canNeverPass).toBe(false);
    expect(analysis.steps).toHaveLength(10);
    expect(analysis.steps.every((s) => s.status === 'pass' && s.readableMinutes >= 1)).toBe(true);
    // Step 1 at 10 % reads one minute by its deadline: 10 invocations need 100 req/min.
    expect(analysis.steps[0]).toMatchObject({ readableMinutes: 1, minimumRpm: 100 });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'rollout.plan', gate: 'rollout', status: 'pass' });
    expect(results[0]!.message).toContain('Every step can be judged on its own traffic before its deadline.');
    expect(results[0]!.message).toContain('expected duration 21m');
    expect(results[0]!.message).toContain('Needs at least 100 req/min on the alias (step 1, 10%); set rollout.expected-rpm');
  });

  it('is an error for a step that can never hold a published minute of its own (short steps), naming the numbers', () => {
    // 10 % for 1m with 30s of extension: its first whole minute is published 2m after it starts.
    const { analysis, results } = check({ maxExtensionMs: 30 * SECOND });
    expect(analysis.canNeverPass).toBe(true);
    expect(analysis.steps.filter((s) => s.status === 'error').map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The final bake settles (1m + metric delay after its end): it can always be judged.
    expect(analysis.steps[9]?.status).toBe('pass');
    const step1 = results.find((r) => r.id === 'rollout.plan.step-1');
    expect(step1).toMatchObject({ status: 'error', cause: 'input', observed: 0, expected: 1 });
    expect(step1?.message).toBe(
      'Step 1 (10%) can never be judged: it lasts 1m with up to 30s of extension, but the first whole minute of its own traffic is published only 2m after it starts (1m period + 1m metric-delay); it would always end inconclusive and roll back. Give it at least 2m of duration and max-extension together.',
    );
    expect(results[0]).toMatchObject({ id: 'rollout.plan', status: 'error' });
  });

  it('is an error when the metric delay outgrows the steps, a warning when on-inconclusive promotes them unjudged', () => {
    expect(check({ metricDelayMs: 2 * MINUTE }).analysis.canNeverPass).toBe(true);
    const promote = check({ metricDelayMs: 2 * MINUTE, onInconclusive: 'promote' });
    expect(promote.analysis.canNeverPass).toBe(false);
    expect(promote.results.find((r) => r.id === 'rollout.plan.step-1')).toMatchObject({ status: 'warn', message: expect.stringContaining('would always pass unjudged (on-inconclusive: promote)') });
    expect(promote.results[0]?.status).toBe('warn');
  });

  it('with expected-rpm, warns with the numbers for a step that depends on more traffic than expected', () => {
    const { analysis, results } = check({ expectedRpm: 50 });
    expect(analysis.canNeverPass).toBe(false);
    // 50 req/min × 10 % = 5 a minute, one minute readable by the deadline: 5 < 10.
    expect(analysis.steps[0]).toMatchObject({ status: 'warn', expectedInvocations: 5, minimumRpm: 100 });
    // 20 %: 10 a minute, enough.
    expect(analysis.steps[1]).toMatchObject({ status: 'pass', expectedInvocations: 10 });
    const step1 = results.find((r) => r.id === 'rollout.plan.step-1');
    expect(step1).toMatchObject({ status: 'warn', observed: 5, expected: 10 });
    expect(step1?.message).toBe(
      'Step 1 (10%) depends on traffic: at the expected 50 req/min, 10% is about 5 invocations a minute, and 1 whole minute of its own traffic is published before its deadline (2m after its first whole minute, extension included): about 5 invocations, fewer than min-invocations 10; it needs at least 100 req/min, or a longer step or max-extension, or it would always end inconclusive and roll back.',
    );
    expect(results[0]).toMatchObject({ id: 'rollout.plan', status: 'warn' });
    expect(check({ expectedRpm: 600 }).results.map((r) => r.status)).toEqual(['pass']);
  });

  it('counts the minutes a longer step publishes, within the judge window', () => {
    // A 10m canary with 5m extension: by 15m, minutes 0..12 are published; a 5m window keeps 4 of them.
    const { analysis } = check({ plan: { strategy: 'canary', percent: 5, intervalMs: 10 * MINUTE }, maxExtensionMs: 5 * MINUTE, expectedRpm: 20 });
    expect(analysis.steps[0]).toMatchObject({ readableMinutes: 4, minimumRpm: 50, expectedInvocations: 4, status: 'warn' });
    expect(readableMinutesBy(15 * MINUTE, { metricDelayMs: MINUTE, judge: { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 } })).toBe(4);
    expect(readableMinutesBy(2 * MINUTE - 1, { metricDelayMs: MINUTE, judge: { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 } })).toBe(0);
  });

  it('is an error for a judge window that can never hold a published minute', () => {
    const { analysis, results } = check({ judge: { type: 'threshold', windowMs: MINUTE, maxErrors: 0 } });
    expect(analysis.canNeverPass).toBe(true);
    expect(results.find((r) => r.id === 'rollout.plan.window')?.message).toMatch(/^judge.window 1m can never hold a published minute/);
  });

  it('checks only the first step of the compare judge, which accumulates evidence from the first shift', () => {
    const compare = { type: 'compare', alpha: 0.05, beta: 0.1, minEffect: { ratio: 2, absolute: 0.005 }, p99Tolerance: 0.2, finalLookShare: 0.5 } as const;
    const short = check({ judge: compare, maxExtensionMs: 30 * SECOND });
    expect(short.analysis.steps.filter((s) => s.status === 'error').map((s) => s.step)).toEqual([1]);
    expect(short.results.find((r) => r.id === 'rollout.plan.step-1')?.message).toContain('its first minute of metrics is published only 2m after it starts');
    expect(check({ judge: compare }).analysis.canNeverPass).toBe(false);
  });
});
