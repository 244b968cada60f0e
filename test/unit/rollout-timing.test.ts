import type { RolloutConfig } from '../../src/config/types.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { runRollout } from '../../src/rollout/loop.js';
import { buildSteps } from '../../src/rollout/plan.js';
import {
  METRIC_PERIOD_MS,
  expectedDurationMs,
  formatDuration,
  maxDurationMs,
  minimumJudgeWindowMs,
  worstCaseTimeToInconclusiveMs,
  worstCaseTimeToRollbackMs,
} from '../../src/rollout/timing.js';
import type { FakeTargetOptions } from '../support/fake-target.js';
import { FakeTarget } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { rolloutConfig } from '../support/rollout-config.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const BASE_MS = 1_700_000_040_000 - (1_700_000_040_000 % MINUTE); // a minute boundary

function config(overrides: Partial<RolloutConfig> = {}): RolloutConfig {
  return rolloutConfig({ plan: { strategy: 'canary', percent: 10, intervalMs: 30 * MINUTE }, ...overrides });
}

/** Runs a rollout and returns when the rollback write completed (virtual epoch ms). */
async function rollbackCompletedAt(clockStartMs: number, options: Partial<FakeTargetOptions>, rollout: RolloutConfig): Promise<{ rollbackAtMs: number; firstShiftAtMs: number }> {
  const clock = new VirtualClock(clockStartMs);
  const target = new FakeTarget({ clock, version: '7', ...options });
  const result = await runRollout({ target, clock, state: new MemoryStateStore() }, { candidateVersion: '8', config: rollout, dryRun: false });
  expect(result.outcome).toBe('rolled-back');
  const applied = target.appliedWrites();
  return { rollbackAtMs: applied.find((w) => w.op === 'rollBack')!.atMs, firstShiftAtMs: applied[0]!.atMs };
}

describe('durations', () => {
  it('expected = sum of step durations plus the last step settling; max adds a full extension per step', () => {
    const steps = buildSteps({ strategy: 'linear', stepPercent: 25, intervalMs: 2 * MINUTE }, MINUTE);
    // settling = one metric period (1m) + metric delay (2m)
    expect(expectedDurationMs(steps, { metricDelayMs: 2 * MINUTE })).toBe(3 * 2 * MINUTE + MINUTE + 3 * MINUTE);
    expect(maxDurationMs(steps, { maxExtensionMs: 30 * SECOND, metricDelayMs: 2 * MINUTE })).toBe(10 * MINUTE + 4 * 30 * SECOND);
  });

  it('formats durations as people write them', () => {
    expect(formatDuration(5 * MINUTE)).toBe('5m');
    expect(formatDuration(90 * SECOND)).toBe('1m30s');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(2 * 3_600_000 + MINUTE)).toBe('2h1m');
  });
});

describe('worstCaseTimeToRollbackMs', () => {
  const assumptions = { metricDelayMs: 60 * SECOND, apiCallMs: 250 };

  it('is period + publication delay + poll + two API calls', () => {
    expect(worstCaseTimeToRollbackMs({ pollMs: 15 * SECOND }, assumptions)).toBe(METRIC_PERIOD_MS + 60 * SECOND + 15 * SECOND + 500);
    expect(minimumJudgeWindowMs({ pollMs: 15 * SECOND }, assumptions)).toBe(135 * SECOND);
  });

  it('bounds, tightly, the measured time from fault onset to the rollback write', async () => {
    const rollout = config();
    const bound = worstCaseTimeToRollbackMs(rollout, assumptions);
    const measured: number[] = [];
    // Vary the rollout's phase against the minute boundaries, and the fault's place in its minute.
    for (let startOffsetMs = 0; startOffsetMs < MINUTE; startOffsetMs += SECOND) {
      for (const faultOffsetMs of [0, 30 * SECOND, 59 * SECOND]) {
        const clockStartMs = BASE_MS + startOffsetMs;
        const faultAtMs = BASE_MS + 4 * MINUTE + faultOffsetMs;
        const { rollbackAtMs } = await rollbackCompletedAt(
          clockStartMs,
          {
            callLatencyMs: assumptions.apiCallMs,
            metricDelayMs: assumptions.metricDelayMs,
            behaviour: (p) => (p.version === '8' && p.endMs > faultAtMs ? { errors: 1 } : {}),
          },
          rollout,
        );
        const elapsed = rollbackAtMs - faultAtMs;
        measured.push(elapsed);
        // Never before the datapoint holding the fault can be read.
        const publishedAtMs = Math.floor(faultAtMs / MINUTE) * MINUTE + METRIC_PERIOD_MS + assumptions.metricDelayMs;
        expect(rollbackAtMs).toBeGreaterThanOrEqual(publishedAtMs);
      }
    }
    expect(Math.max(...measured)).toBeLessThanOrEqual(bound);
    // Tight: some phase comes within a second of the bound (the sweep's resolution).
    expect(Math.max(...measured)).toBeGreaterThan(bound - SECOND);
    // The poll term matters: faults at the same place in the minute differ by up to a poll.
    expect(Math.max(...measured) - Math.min(...measured)).toBeGreaterThan(rollout.pollMs);
  });
});

describe('worstCaseTimeToInconclusiveMs', () => {
  it('matches the measured time from the first shift to the rollback write when no traffic arrives', async () => {
    const apiCallMs = 300;
    for (const rollout of [config(), config({ plan: { strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, maxExtensionMs: 2 * MINUTE, pollMs: 20 * SECOND })]) {
      const steps = buildSteps(rollout.plan, rollout.finalBakeMs);
      const { rollbackAtMs, firstShiftAtMs } = await rollbackCompletedAt(BASE_MS + 7 * SECOND, { requestsPerMinute: 0, callLatencyMs: apiCallMs }, rollout);
      expect(rollbackAtMs - firstShiftAtMs).toBe(worstCaseTimeToInconclusiveMs(steps, rollout, { apiCallMs }));
    }
  });

  it('is 0 for a plan without steps', () => {
    expect(worstCaseTimeToInconclusiveMs([], { maxExtensionMs: MINUTE }, { apiCallMs: 100 })).toBe(0);
  });
});
