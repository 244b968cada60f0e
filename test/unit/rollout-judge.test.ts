import type { ThresholdJudgeConfig } from '../../src/config/types.js';
import { judgeThreshold } from '../../src/rollout/judge.js';
import type { VersionMetrics } from '../../src/targets/target.js';

const seedRule: ThresholdJudgeConfig = { type: 'threshold', windowMs: 5 * 60_000, maxErrors: 0 };

function metrics(version: string, values: Partial<Omit<VersionMetrics, 'version' | 'periods'>>): VersionMetrics {
  return { version, invocations: 0, errors: 0, throttles: 0, p99Ms: null, periods: [], ...values };
}

describe('judgeThreshold', () => {
  it('fails on a single error under the seed rule, with the numbers in one sentence', () => {
    const v = judgeThreshold({ canary: metrics('8', { invocations: 412, errors: 3 }), config: seedRule, minInvocations: 10 });
    expect(v.verdict).toBe('fail');
    expect(v.reason).toBe('3 errors in 412 invocations of version 8 over the last 5m; allowed 0.');
    expect(v.observed).toMatchObject({ invocations: 412, errors: 3 });
    expect(v.observed.errorRate).toBeCloseTo(3 / 412);
  });

  it('fails on errors even below min invocations: an error is evidence by itself', () => {
    const v = judgeThreshold({ canary: metrics('8', { invocations: 2, errors: 1 }), config: seedRule, minInvocations: 10 });
    expect(v.verdict).toBe('fail');
  });

  it('allows errors up to maxErrors', () => {
    const config = { ...seedRule, maxErrors: 2 };
    expect(judgeThreshold({ canary: metrics('8', { invocations: 100, errors: 2 }), config, minInvocations: 10 }).verdict).toBe('pass');
    expect(judgeThreshold({ canary: metrics('8', { invocations: 100, errors: 3 }), config, minInvocations: 10 }).verdict).toBe('fail');
  });

  it('fails when the error rate exceeds maxErrorRate', () => {
    const config = { ...seedRule, maxErrors: 1_000, maxErrorRate: 0.01 };
    expect(judgeThreshold({ canary: metrics('8', { invocations: 1000, errors: 10 }), config, minInvocations: 10 }).verdict).toBe('pass');
    const v = judgeThreshold({ canary: metrics('8', { invocations: 1000, errors: 11 }), config, minInvocations: 10 });
    expect(v.verdict).toBe('fail');
    expect(v.reason).toContain('Error rate 1.1%');
  });

  it('does not judge a rate on fewer than min invocations (1 error in 2 calls says nothing)', () => {
    const config = { ...seedRule, maxErrors: 1_000, maxErrorRate: 0.01 };
    expect(judgeThreshold({ canary: metrics('8', { invocations: 2, errors: 1 }), config, minInvocations: 10 }).verdict).toBe('continue');
  });

  it('rounds CloudWatch percentiles in reasons to what a person reads', () => {
    const config = { ...seedRule, p99Ms: 200 };
    expect(judgeThreshold({ canary: metrics('8', { invocations: 50, p99Ms: 262.1150931505126 }), config, minInvocations: 10 }).reason).toMatch(/^p99 262.1 ms in 50 invocations .* exceeds 200 ms\.$/);
    expect(judgeThreshold({ canary: metrics('8', { invocations: 50, p99Ms: 3.14159 }), config: seedRule, minInvocations: 10 }).reason).toContain('p99 3.14 ms;');
  });

  it('fails when p99 exceeds p99Ms, only once there is enough traffic', () => {
    const config = { ...seedRule, p99Ms: 500 };
    const slow = judgeThreshold({ canary: metrics('8', { invocations: 50, p99Ms: 750 }), config, minInvocations: 10 });
    expect(slow.verdict).toBe('fail');
    expect(slow.reason).toContain('p99 750 ms');
    expect(judgeThreshold({ canary: metrics('8', { invocations: 50, p99Ms: 500 }), config, minInvocations: 10 }).verdict).toBe('pass');
    expect(judgeThreshold({ canary: metrics('8', { invocations: 3, p99Ms: 3000 }), config, minInvocations: 10 }).verdict).toBe('continue');
  });

  it('fails when throttles exceed maxThrottles', () => {
    const config = { ...seedRule, maxThrottles: 5 };
    expect(judgeThreshold({ canary: metrics('8', { invocations: 50, throttles: 5 }), config, minInvocations: 10 }).verdict).toBe('pass');
    expect(judgeThreshold({ canary: metrics('8', { invocations: 50, throttles: 6 }), config, minInvocations: 10 }).verdict).toBe('fail');
  });

  it('never passes without data: zero or too few invocations → continue', () => {
    const none = judgeThreshold({ canary: metrics('8', {}), config: seedRule, minInvocations: 10 });
    expect(none.verdict).toBe('continue');
    expect(none.observed.errorRate).toBeNull();
    expect(judgeThreshold({ canary: metrics('8', { invocations: 9 }), config: seedRule, minInvocations: 10 }).verdict).toBe('continue');
    // Even with min-invocations 0, zero invocations is no evidence.
    expect(judgeThreshold({ canary: metrics('8', {}), config: seedRule, minInvocations: 0 }).verdict).toBe('continue');
    expect(judgeThreshold({ canary: metrics('8', { invocations: 10 }), config: seedRule, minInvocations: 10 }).verdict).toBe('pass');
  });

  it('ignores errors of the stable version, and says so', () => {
    const v = judgeThreshold({
      canary: metrics('8', { invocations: 40 }),
      stable: metrics('7', { invocations: 400, errors: 25 }),
      config: seedRule,
      minInvocations: 10,
    });
    expect(v.verdict).toBe('pass');
    expect(v.observed.stableErrors).toBe(25);
    expect(v.reason).toContain('stable version 7 had 25 errors');
  });

  it('names the effective window when given', () => {
    const v = judgeThreshold({ canary: metrics('8', { invocations: 1, errors: 1 }), config: seedRule, minInvocations: 1, windowMs: 90_000 });
    expect(v.reason).toBe('1 error in 1 invocation of version 8 over the last 1m30s; allowed 0.');
  });

  describe("with the step's own evidence", () => {
    it("passes only on the step's own minutes, however many invocations earlier minutes in the window hold", () => {
      const canary = metrics('8', { invocations: 500 });
      const waiting = judgeThreshold({ canary, config: seedRule, minInvocations: 10, step: { step: 2, invocations: 0, minutes: 0 } });
      expect(waiting.verdict).toBe('continue');
      expect(waiting.reason).toBe(
        "No whole minute of step 2's own traffic is published yet (the other 500 invocations over the last 5m were served before its first whole minute); at least 10 invocations of version 8 needed before the step may pass.",
      );
      const thin = judgeThreshold({ canary, config: seedRule, minInvocations: 10, step: { step: 2, invocations: 4, minutes: 1 } });
      expect(thin).toMatchObject({ verdict: 'continue', observed: { stepInvocations: 4, stepMinutes: 1 } });
      expect(thin.reason).toMatch(/^Only 4 invocations of version 8 in the 1 published whole minute of step 2's own traffic/);
      const enough = judgeThreshold({ canary, config: seedRule, minInvocations: 10, step: { step: 2, invocations: 60, minutes: 1 } });
      expect(enough.verdict).toBe('pass');
      expect(enough.reason).toBe("0 errors in 500 invocations of version 8 over the last 5m (60 in step 2's own 1 minute); within thresholds.");
    });

    it('still fails on errors, a rate or a p99 anywhere in the window, before its own minutes are published', () => {
      const own = { step: 3, invocations: 0, minutes: 0 };
      expect(judgeThreshold({ canary: metrics('8', { invocations: 300, errors: 1 }), config: seedRule, minInvocations: 10, step: own }).verdict).toBe('fail');
      const rate = { ...seedRule, maxErrors: 1_000, maxErrorRate: 0.01 };
      expect(judgeThreshold({ canary: metrics('8', { invocations: 300, errors: 30 }), config: rate, minInvocations: 10, step: own }).verdict).toBe('fail');
      const p99 = { ...seedRule, p99Ms: 500 };
      expect(judgeThreshold({ canary: metrics('8', { invocations: 300, p99Ms: 900 }), config: p99, minInvocations: 10, step: own }).verdict).toBe('fail');
      // A rate is still not judged on fewer than min-invocations in the whole window.
      expect(judgeThreshold({ canary: metrics('8', { invocations: 2, errors: 1 }), config: rate, minInvocations: 10, step: own }).verdict).toBe('continue');
    });
  });
});

describe('counts in reasons read right at 1', () => {
  it('says "1 invocation", never "1 invocations"', () => {
    const v = judgeThreshold({
      canary: metrics('8', { invocations: 0 }),
      config: seedRule,
      minInvocations: 1,
      step: { step: 2, invocations: 0, minutes: 0 },
    });
    expect(v.verdict).toBe('continue');
    expect(v.reason).toContain('at least 1 invocation of version 8 needed before the step may pass');
    expect(v.reason).not.toMatch(/\b1 [a-z]+s\b/);
  });
});
