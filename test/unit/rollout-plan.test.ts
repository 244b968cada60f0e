import { buildSteps, roundWeight } from '../../src/rollout/plan.js';

const MINUTE = 60_000;

describe('buildSteps', () => {
  it('linear 10% every minute: 0.1 … 0.9 for a minute each, then the final bake at 1.0', () => {
    const steps = buildSteps({ strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, 2 * MINUTE);
    expect(steps.map((s) => s.weight)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(steps.slice(0, 9).every((s) => s.durationMs === MINUTE && !s.final)).toBe(true);
    expect(steps[9]).toEqual({ weight: 1, durationMs: 2 * MINUTE, final: true });
  });

  it('has no float noise in linear weights (0.3, not 0.30000000000000004)', () => {
    const weights = buildSteps({ strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, 0).map((s) => s.weight);
    expect(weights[2]).toBe(0.3);
    expect(weights[6]).toBe(0.7);
    expect(0.1 * 3).not.toBe(0.3); // what the rounding protects against
    const thirds = buildSteps({ strategy: 'linear', stepPercent: 33.3, intervalMs: MINUTE }, 0).map((s) => s.weight);
    expect(thirds).toEqual([0.333, 0.666, 0.999]);
  });

  it('linear with a step that does not divide 100 stops below 100% and still ends with the bake', () => {
    const steps = buildSteps({ strategy: 'linear', stepPercent: 30, intervalMs: MINUTE }, MINUTE);
    expect(steps.map((s) => s.weight)).toEqual([0.3, 0.6, 0.9, 1]);
  });

  it('finalBakeMs 0 promotes right after the last partial step', () => {
    const steps = buildSteps({ strategy: 'linear', stepPercent: 25, intervalMs: MINUTE }, 0);
    expect(steps.map((s) => s.weight)).toEqual([0.25, 0.5, 0.75]);
    expect(steps.some((s) => s.final)).toBe(false);
  });

  it('canary: X% for T, then the final bake', () => {
    expect(buildSteps({ strategy: 'canary', percent: 5, intervalMs: 10 * MINUTE }, MINUTE)).toEqual([
      { weight: 0.05, durationMs: 10 * MINUTE, final: false },
      { weight: 1, durationMs: MINUTE, final: true },
    ]);
  });

  it('all-at-once (blue/green): one final step at 1.0 for bakeMs, finalBakeMs not added', () => {
    expect(buildSteps({ strategy: 'all-at-once', bakeMs: 5 * MINUTE }, MINUTE)).toEqual([
      { weight: 1, durationMs: 5 * MINUTE, final: true },
    ]);
    // bake 0 is still one observed step: the loop settles it (health check) before promoting.
    expect(buildSteps({ strategy: 'all-at-once', bakeMs: 0 }, MINUTE)).toEqual([{ weight: 1, durationMs: 0, final: true }]);
  });

  it('explicit steps: a 100% entry becomes the final bake, otherwise finalBakeMs is appended', () => {
    const withFull = buildSteps(
      { strategy: 'steps', steps: [{ percent: 1, durationMs: MINUTE }, { percent: 50, durationMs: 2 * MINUTE }, { percent: 100, durationMs: 3 * MINUTE }] },
      10 * MINUTE,
    );
    expect(withFull).toEqual([
      { weight: 0.01, durationMs: MINUTE, final: false },
      { weight: 0.5, durationMs: 2 * MINUTE, final: false },
      { weight: 1, durationMs: 3 * MINUTE, final: true },
    ]);
    const without = buildSteps({ strategy: 'steps', steps: [{ percent: 20, durationMs: MINUTE }] }, 4 * MINUTE);
    expect(without.at(-1)).toEqual({ weight: 1, durationMs: 4 * MINUTE, final: true });
  });

  it('rejects plans that cannot be walked safely', () => {
    expect(() => buildSteps({ strategy: 'linear', stepPercent: 0, intervalMs: MINUTE }, 0)).toThrow(RangeError);
    expect(() =>
      buildSteps({ strategy: 'steps', steps: [{ percent: 50, durationMs: MINUTE }, { percent: 20, durationMs: MINUTE }] }, 0),
    ).toThrow(/increase/);
    expect(() =>
      buildSteps({ strategy: 'steps', steps: [{ percent: 100, durationMs: MINUTE }, { percent: 100, durationMs: MINUTE }] }, 0),
    ).toThrow(/must be last/);
    expect(() => buildSteps({ strategy: 'canary', percent: 120, intervalMs: MINUTE }, 0)).toThrow(/\(0, 100\]/);
    expect(() => buildSteps({ strategy: 'canary', percent: 10, intervalMs: 0 }, 0)).toThrow(/duration/);
  });

  it('roundWeight keeps 6 decimals', () => {
    expect(roundWeight(0.1 + 0.2)).toBe(0.3);
    expect(roundWeight(0.1234567)).toBe(0.123457);
  });
});
