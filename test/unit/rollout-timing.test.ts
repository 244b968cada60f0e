import type { RolloutConfig } from '../../src/config/types.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { runRollout } from '../../src/rollout/loop.js';
import { buildSteps } from '../../src/rollout/plan.js';
import {
  METRIC_PERIOD_MS,
  SHIFT_TOLERANCE_MS,
  expectedDurationMs,
  firstWholeMinuteMs,
  formatDuration,
  maxDurationMs,
  minimumJudgeWindowMs,
  planSchedule,
  timeToInconclusiveMs,
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

const THRESHOLD = rolloutConfig().judge;

describe('durations', () => {
  it('expected: a step passes at its planned end, or when its first own minute is published if that is later; the last step settles', () => {
    const steps = buildSteps({ strategy: 'linear', stepPercent: 25, intervalMs: 2 * MINUTE }, MINUTE);
    // Metric delay 2m: each 2m step's first whole minute is readable 1m + 2m = 3m after it starts,
    // within its 2m + 2m extension; the final bake (1m) settles 1m + 2m.
    const config = { metricDelayMs: 2 * MINUTE, maxExtensionMs: 2 * MINUTE, judge: THRESHOLD };
    expect(expectedDurationMs(steps, config)).toBe(3 * 3 * MINUTE + MINUTE + 3 * MINUTE);
    // Longest: every step runs to its deadline.
    expect(maxDurationMs(steps, config)).toBe(3 * 4 * MINUTE + 4 * MINUTE + 2 * MINUTE);
    // The default plan: 1m steps with the 1m metric delay take 2m each (the bug was 1m: a step
    // "passed" on the previous step's minutes), then 1m of final bake and 2m of settling.
    const linear10 = buildSteps({ strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, MINUTE);
    expect(expectedDurationMs(linear10, { metricDelayMs: MINUTE, maxExtensionMs: MINUTE, judge: THRESHOLD })).toBe(9 * 2 * MINUTE + 3 * MINUTE);
    expect(maxDurationMs(linear10, { metricDelayMs: MINUTE, maxExtensionMs: MINUTE, judge: THRESHOLD })).toBe(9 * 2 * MINUTE + 4 * MINUTE);
  });

  it('counts a step from its first whole minute only when it could not read it otherwise', () => {
    const config = { metricDelayMs: MINUTE, maxExtensionMs: MINUTE, judge: THRESHOLD };
    const linear = buildSteps({ strategy: 'linear', stepPercent: 50, intervalMs: MINUTE }, MINUTE);
    // Shifted at :20, a 1m step (+1m extension) could read its first whole minute (from 1m,
    // published at 3m) only after its deadline (2m20s): it counts from 1m, and passes at 3m.
    expect(planSchedule(linear, config, { firstShiftAtMs: 20 * SECOND })[0]).toMatchObject({ clockStartMs: MINUTE, firstReadableAtMs: 3 * MINUTE, plannedEndMs: 2 * MINUTE, deadlineMs: 3 * MINUTE, endMs: 3 * MINUTE });
    // Shifted on the minute, or within the tolerance after it, nothing to wait for.
    expect(planSchedule(linear, config, { firstShiftAtMs: SHIFT_TOLERANCE_MS })[0]).toMatchObject({ clockStartMs: SHIFT_TOLERANCE_MS, firstReadableAtMs: 2 * MINUTE, endMs: 2 * MINUTE });
    // A step with time to spare counts from its shift: its first minute is read before its end anyway.
    const canary = buildSteps({ strategy: 'canary', percent: 10, intervalMs: 5 * MINUTE }, MINUTE);
    expect(planSchedule(canary, config, { firstShiftAtMs: 20 * SECOND })[0]).toMatchObject({ clockStartMs: 20 * SECOND, firstReadableAtMs: 3 * MINUTE, endMs: 5 * MINUTE + 20 * SECOND });
  });

  it('schedules a step too short to read a minute from its shift, to its deadline', () => {
    const steps = buildSteps({ strategy: 'steps', steps: [{ percent: 10, durationMs: 30 * SECOND }, { percent: 50, durationMs: 90 * SECOND }] }, MINUTE);
    const config = { metricDelayMs: MINUTE, maxExtensionMs: 30 * SECOND, judge: THRESHOLD };
    const schedule = planSchedule(steps, config, { firstShiftAtMs: 20 * SECOND });
    // Step 1: 30s + 30s can never hold 1m + 1m: counted from its shift, inconclusive at its deadline.
    expect(schedule[0]).toMatchObject({ clockStartMs: 20 * SECOND, judgeable: false, endMs: 80 * SECOND });
    // Step 2 shifts at 1m20s, mid-minute, and has 1m30s + 30s: its clock starts at its first
    // whole minute (2m), which is readable at 4m, its deadline.
    expect(schedule[1]).toMatchObject({ shiftAtMs: 80 * SECOND, clockStartMs: 2 * MINUTE, firstReadableAtMs: 4 * MINUTE, plannedEndMs: 3.5 * MINUTE, judgeable: true, endMs: 4 * MINUTE });
    // The compare judge accumulates evidence from the first shift: no step waits for a whole minute.
    const compare = planSchedule(steps, { ...config, judge: { type: 'compare', alpha: 0.05, beta: 0.1, minEffect: { ratio: 2, absolute: 0.005 }, p99Tolerance: 0.2, finalLookShare: 0.5 } }, { firstShiftAtMs: 20 * SECOND });
    expect(compare.map((s) => s.clockStartMs)).toEqual([20 * SECOND, 80 * SECOND, 80 * SECOND + 90 * SECOND]);
  });

  it("counts a minute as the step's own when the shift completed within the tolerance after its start", () => {
    expect(firstWholeMinuteMs(BASE_MS)).toBe(BASE_MS);
    expect(firstWholeMinuteMs(BASE_MS + SHIFT_TOLERANCE_MS)).toBe(BASE_MS);
    expect(firstWholeMinuteMs(BASE_MS + SHIFT_TOLERANCE_MS + 1)).toBe(BASE_MS + MINUTE);
    expect(firstWholeMinuteMs(BASE_MS - 1)).toBe(BASE_MS);
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

describe('timeToInconclusiveMs', () => {
  it('matches the measured time from the first shift to the rollback write when no traffic arrives, and the worst case bounds it', async () => {
    const apiCallMs = 300;
    for (const rollout of [config(), config({ plan: { strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, maxExtensionMs: 2 * MINUTE, pollMs: 20 * SECOND })]) {
      const steps = buildSteps(rollout.plan, rollout.finalBakeMs);
      for (const startOffsetMs of [0, 7 * SECOND, 59 * SECOND]) {
        const { rollbackAtMs, firstShiftAtMs } = await rollbackCompletedAt(BASE_MS + startOffsetMs, { requestsPerMinute: 0, callLatencyMs: apiCallMs }, rollout);
        expect(rollbackAtMs - firstShiftAtMs).toBe(timeToInconclusiveMs(steps, rollout, { apiCallMs }, firstShiftAtMs));
        expect(rollbackAtMs - firstShiftAtMs).toBeLessThanOrEqual(worstCaseTimeToInconclusiveMs(steps, rollout, { apiCallMs }));
      }
    }
    // The 30m canary has time to spare: it counts from its shift. The 1m linear step with 2m of
    // extension (3m ≥ 1m + 1m delay + up to 1m to its first whole minute) too.
    expect(worstCaseTimeToInconclusiveMs(buildSteps(config().plan, MINUTE), config(), { apiCallMs })).toBe(31 * MINUTE + 2 * apiCallMs);
    // A 1m step with 1m of extension, shifted 7 s (+ the preflight read and the write) into a
    // minute, counts from the next one: the rest of the shift's minute comes first.
    const tight = config({ plan: { strategy: 'linear', stepPercent: 10, intervalMs: MINUTE } });
    const steps = buildSteps(tight.plan, tight.finalBakeMs);
    const { rollbackAtMs, firstShiftAtMs } = await rollbackCompletedAt(BASE_MS + 7 * SECOND, { requestsPerMinute: 0, callLatencyMs: apiCallMs }, tight);
    expect(rollbackAtMs - firstShiftAtMs).toBe(firstWholeMinuteMs(firstShiftAtMs) - firstShiftAtMs + 2 * MINUTE + 2 * apiCallMs);
    expect(rollbackAtMs - firstShiftAtMs).toBe(timeToInconclusiveMs(steps, tight, { apiCallMs }, firstShiftAtMs));
    expect(worstCaseTimeToInconclusiveMs(steps, tight, { apiCallMs })).toBe(MINUTE - SHIFT_TOLERANCE_MS + 2 * MINUTE + 2 * apiCallMs);
  });

  it('is 0 for a plan without steps', () => {
    expect(timeToInconclusiveMs([], rolloutConfig(), { apiCallMs: 100 })).toBe(0);
    expect(worstCaseTimeToInconclusiveMs([], rolloutConfig(), { apiCallMs: 100 })).toBe(0);
  });
});
