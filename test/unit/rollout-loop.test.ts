import type { RolloutConfig } from '../../src/config/types.js';
import { MemoryStateStore } from '../../src/core/state.js';
import type { RolloutResult } from '../../src/rollout/loop.js';
import { runRollout } from '../../src/rollout/loop.js';
import type { RolloutRecord } from '../../src/rollout/recovery.js';
import { ROLLOUT_STATE_KEY } from '../../src/rollout/recovery.js';
import { RevisionConflictError } from '../../src/targets/target.js';
import type { FakeTargetOptions } from '../support/fake-target.js';
import { FakeTarget } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { rolloutConfig } from '../support/rollout-config.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;


/** A state store that remembers every save, and how many writes the target had seen then. */
class RecordingStateStore extends MemoryStateStore {
  readonly saves: Array<{ record: RolloutRecord; writesBefore: number }> = [];
  constructor(private readonly target: () => FakeTarget) {
    super();
  }
  override save(key: string, value: string): void {
    super.save(key, value);
    if (key === ROLLOUT_STATE_KEY) this.saves.push({ record: JSON.parse(value) as RolloutRecord, writesBefore: this.target().writes.length });
  }
}

function setup(options: Partial<FakeTargetOptions> = {}, clockStartMs?: number) {
  const clock = new VirtualClock(clockStartMs);
  const target = new FakeTarget({ clock, version: '7', ...options });
  const state = new RecordingStateStore(() => target);
  const lines: string[] = [];
  const controller = new AbortController();
  const run = (config: Partial<RolloutConfig> = {}, dryRun = false): Promise<RolloutResult> =>
    runRollout(
      { target, clock, state, signal: controller.signal, log: (line) => lines.push(line) },
      { candidateVersion: '8', config: rolloutConfig(config), dryRun },
    );
  return { clock, target, state, lines, controller, run };
}

function shiftedWeights(target: FakeTarget): number[] {
  return target.appliedWrites().filter((w) => w.op === 'shiftTraffic').map((w) => w.weight ?? NaN);
}

function savedRecord(state: MemoryStateStore): RolloutRecord {
  return JSON.parse(state.load(ROLLOUT_STATE_KEY) ?? 'null') as RolloutRecord;
}

describe('runRollout: healthy candidate', () => {
  it('walks every weight, promotes, and leaves version=candidate with no weights', async () => {
    const { target, state, run } = setup();
    const result = await run();

    expect(result.outcome).toBe('promoted');
    expect(shiftedWeights(target)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(target.appliedWrites().map((w) => w.op).at(-1)).toBe('promote');
    expect(target.peek()).toMatchObject({ version: '8', additionalWeights: {} });
    expect(result.finalAlias).toMatchObject({ version: '8', additionalWeights: {} });
    expect(result.stableVersion).toBe('7');
    expect(savedRecord(state).phase).toBe('done');
  });

  it('passes the revision of the previous verified write to every write', async () => {
    const { target, run } = setup();
    await run();
    const writes = target.writes;
    expect(writes.every((w) => w.outcome === 'applied')).toBe(true);
    expect(writes[0]?.expectedRevisionId).toBe('rev-1');
    for (let i = 1; i < writes.length; i++) expect(writes[i]?.expectedRevisionId).toBe(writes[i - 1]?.after?.revisionId);
  });

  it('records preflight, shifts, observations with samples, the extensions and the promotion', async () => {
    const { run } = setup();
    const { timeline } = await run();
    expect(timeline[0]?.event).toBe('preflight');
    expect(timeline.filter((r) => r.event === 'shift')).toHaveLength(10);
    // The first whole minute of a 1m step is published 1m after the step's planned end (60 s
    // delay): every partial step is extended until its own minute can be read (it used to pass
    // steps 2–9 on time, on the minutes of the step before). The final bake settles instead.
    const extend = timeline.filter((r) => r.event === 'extend');
    expect(extend.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const observation = timeline.find((r) => r.event === 'observe' && r.verdict === 'pass');
    expect(observation?.canary).toMatchObject({ version: '8', errors: 0 });
    expect(observation?.stable?.version).toBe('7');
    expect(observation?.canary?.invocations).toBeGreaterThanOrEqual(10);
    expect(timeline.at(-1)?.event).toBe('promote');
    // Rows are in time order and never claim a step before the first shift.
    for (let i = 1; i < timeline.length; i++) expect(timeline[i]!.atMs).toBeGreaterThanOrEqual(timeline[i - 1]!.atMs);
  });

  it('saves the rollout record before the first write, per step, and done at the end', async () => {
    const { state, run } = setup();
    await run();
    const first = state.saves[0];
    expect(first?.writesBefore).toBe(0);
    expect(first?.record).toMatchObject({ functionTarget: 'fake:model-fn:prod', candidateVersion: '8', stableVersion: '7', phase: 'shifting' });
    expect(state.saves.filter((s) => s.record.phase === 'shifting').map((s) => s.record.step)).toEqual([
      undefined, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(state.saves.at(-1)?.record.phase).toBe('done');
  });

  it('promotes when only the STABLE version errors', async () => {
    const { target, run } = setup({ behaviour: (p) => (p.version === '7' ? { errors: 5 } : {}) });
    const result = await run();
    expect(result.outcome).toBe('promoted');
    expect(target.peek().version).toBe('8');
    expect(result.timeline.some((r) => (r.stable?.errors ?? 0) > 0)).toBe(true);
  });

  it('skips, writing nothing, when the candidate is already the primary version', async () => {
    const { target, state, run } = setup({ version: '8' });
    const result = await run();
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain('already the primary version');
    expect(target.writes).toHaveLength(0);
    expect(state.saves).toHaveLength(0);
  });
});

describe('runRollout: failing candidate', () => {
  it('rolls back within one poll of the first error datapoint being published', async () => {
    const clockStart = 1_700_000_000_000;
    const faultAtMs = clockStart + 4 * MINUTE + 10 * SECOND;
    const { target, run } = setup(
      { behaviour: (p) => (p.version === '8' && p.endMs > faultAtMs ? { errors: 2 } : {}) },
      clockStart,
    );
    const result = await run();

    expect(result.outcome).toBe('rolled-back');
    const publishedAtMs = Math.floor(faultAtMs / MINUTE) * MINUTE + MINUTE + 60 * SECOND;
    const rollback = target.appliedWrites().find((w) => w.op === 'rollBack');
    expect(rollback).toBeDefined();
    expect(rollback!.atMs).toBeGreaterThanOrEqual(publishedAtMs);
    expect(rollback!.atMs).toBeLessThanOrEqual(publishedAtMs + 15 * SECOND);
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
    expect(target.appliedWrites().some((w) => w.op === 'promote')).toBe(false);
    expect(target.writes.at(-1)?.op).toBe('rollBack');
    const failed = result.timeline.find((r) => r.verdict === 'fail');
    expect(failed?.reason).toMatch(/^\d+ errors? in \d+ invocations of version 8/);
    expect(result.reason).toContain('Rolled back');
  });

  it('catches errors that start in the last seconds of the final bake, before promoting', async () => {
    // Minute-aligned start: the final bake (weight 1.0) runs from 9m to 10m. The fault starts at
    // 9m40s; its datapoint is published at 11m (end of minute + 1m delay). Promoting at 10m,
    // when the plan's time is up, would promote a failing version: the last step must settle.
    const clockStart = Math.ceil(1_700_000_000_000 / MINUTE) * MINUTE;
    const faultAtMs = clockStart + 9 * MINUTE + 40 * SECOND;
    const { target, run } = setup({ behaviour: (p) => (p.version === '8' && p.endMs > faultAtMs ? { errors: 3 } : {}) }, clockStart);
    const result = await run();

    expect(result.outcome).toBe('rolled-back');
    expect(target.appliedWrites().some((w) => w.op === 'promote')).toBe(false);
    const rollbackAtMs = target.appliedWrites().find((w) => w.op === 'rollBack')!.atMs;
    expect(rollbackAtMs).toBeGreaterThanOrEqual(clockStart + 11 * MINUTE);
    expect(rollbackAtMs).toBeLessThanOrEqual(clockStart + 11 * MINUTE + 15 * SECOND);
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
  });

  it('promotes a healthy candidate once the final bake has settled (plan time + one period + metric delay)', async () => {
    const clockStart = Math.ceil(1_700_000_000_000 / MINUTE) * MINUTE;
    const { target, run } = setup({}, clockStart);
    // With a 2m metric delay a 1m step needs 2m of extension to read its own first minute.
    const result = await run({ metricDelayMs: 2 * MINUTE, maxExtensionMs: 2 * MINUTE });
    expect(result.outcome).toBe('promoted');
    const writes = target.appliedWrites();
    const promoteAtMs = writes.find((w) => w.op === 'promote')!.atMs;
    const finalShiftAtMs = writes.find((w) => w.op === 'shiftTraffic' && w.weight === 1)!.atMs;
    // The 1m final bake, then 1m (one metric period) + 2m (metric delay) of settling.
    expect(promoteAtMs - finalShiftAtMs).toBe(4 * MINUTE);
  });

  it('rolls back in the middle of a step, not only at its end', async () => {
    const clockStart = 1_700_000_000_000;
    const { target, run } = setup(
      { behaviour: (p) => (p.version === '8' ? { errors: 1 } : {}) },
      clockStart,
    );
    const result = await run({ plan: { strategy: 'canary', percent: 10, intervalMs: 30 * MINUTE } });
    expect(result.outcome).toBe('rolled-back');
    const rollbackAt = target.appliedWrites().find((w) => w.op === 'rollBack')!.atMs;
    expect(rollbackAt - clockStart).toBeLessThan(3 * MINUTE);
  });

  it('rolls back when a metrics read throws after traffic moved', async () => {
    const { target, run } = setup();
    target.failOn('readMetrics', 5, { error: new Error('CloudWatch: service unavailable') });
    const result = await run();
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.message).toBe('CloudWatch: service unavailable');
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
  });

  it('cancels the other metrics read when one fails, instead of leaving it retrying in the background', async () => {
    const { target, run } = setup();
    // The stable version's read gives up; the candidate's is still retrying (it never answers).
    const pending: AbortSignal[] = [];
    target.readMetrics = (version, _window, signal) => {
      if (version === '7') return Promise.reject(new Error('Rate exceeded (retries exhausted)'));
      if (!signal) return Promise.reject(new Error('the loop gave the read no way to cancel it'));
      pending.push(signal);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    };
    const result = await run();
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.message).toBe('Rate exceeded (retries exhausted)');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.aborted).toBe(true);
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
  });
});

describe('runRollout: judge window', () => {
  it("does not hold a previous attempt's errors against a retry of the same version", async () => {
    let retryStartedAtMs = Number.POSITIVE_INFINITY;
    // Version 8 failed during the first attempt (a dependency was down), healthy afterwards.
    const { clock, target, run } = setup({
      behaviour: (p) => (p.version === '8' && p.endMs <= retryStartedAtMs ? { errors: 2 } : {}),
    });
    const first = await run();
    expect(first.outcome).toBe('rolled-back');
    retryStartedAtMs = clock.now();
    const readsOfFirstAttempt = target.metricReads.length;

    const retry = await run();
    expect(retry.outcome).toBe('promoted');
    // Every window of the retry starts no earlier than its first shift.
    const retryShiftAt = target.writes.filter((w) => w.op === 'shiftTraffic')[1]!.atMs;
    const retryReads = target.metricReads.slice(readsOfFirstAttempt);
    expect(retryReads.length).toBeGreaterThan(0);
    expect(Math.min(...retryReads.map((r) => r.window.startMs))).toBeGreaterThanOrEqual(retryStartedAtMs);
    expect(retryShiftAt).toBeGreaterThanOrEqual(retryStartedAtMs);
  });
});

describe('runRollout: each step is judged on its own traffic', () => {
  /** 1_700_000_000_000 is 20 s into a minute; the next minute starts 40 s later. */
  const FIRST_WHOLE_MINUTE = 1_700_000_040_000;

  it("never passes a step on an earlier step's minutes: no traffic of its own is inconclusive", async () => {
    // Step 1 (10 %, 5m) gets traffic; from step 2's shift on nobody calls the alias. The old
    // loop passed step 2 and the final bake on step 1's minutes still in the 5m window, and promoted.
    const step2ShiftAtMs = FIRST_WHOLE_MINUTE + 5 * MINUTE;
    const { target, run } = setup({ requestsPerMinute: (start) => (start < step2ShiftAtMs ? 600 : 0) }, FIRST_WHOLE_MINUTE);
    const result = await run({ plan: { strategy: 'steps', steps: [{ percent: 10, durationMs: 5 * MINUTE }, { percent: 50, durationMs: MINUTE }] } });

    expect(result.outcome).toBe('rolled-back');
    expect(shiftedWeights(target)).toEqual([0.1, 0.5]);
    expect(target.appliedWrites().find((w) => w.op === 'shiftTraffic' && w.weight === 0.5)?.atMs).toBe(step2ShiftAtMs);
    expect(result.reason).toMatch(/^Step 2 \(50%\) inconclusive/);
    const verdicts = result.timeline.filter((r) => r.step === 2 && r.event === 'observe');
    expect(verdicts.some((r) => r.verdict === 'pass')).toBe(false);
    // Step 1's invocations are still in the window, and the reason says they do not count.
    expect(verdicts.at(-1)?.canary?.invocations).toBeGreaterThan(10);
    expect(verdicts.at(-1)?.reason).toMatch(/^Only 0 invocations of version 8 in the 1 published whole minute of step 2's own traffic \(the other \d+ invocations over the last 5m were served before its first whole minute\)/);
  });

  it("still fails on errors of an earlier step's last minute that are published during the next step", async () => {
    // Step 1 passes at its end, when its last minute (errors) is not published yet; the errors
    // come out during step 2, whose window still holds that minute.
    const lastMinuteOfStep1 = FIRST_WHOLE_MINUTE + 4 * MINUTE;
    const { target, run } = setup({ behaviour: (p) => (p.version === '8' && p.startMs === lastMinuteOfStep1 ? { errors: 2 } : {}) }, FIRST_WHOLE_MINUTE);
    const result = await run({ plan: { strategy: 'steps', steps: [{ percent: 10, durationMs: 5 * MINUTE }, { percent: 50, durationMs: 5 * MINUTE }] } });

    expect(result.outcome).toBe('rolled-back');
    expect(shiftedWeights(target)).toEqual([0.1, 0.5]);
    const rollbackAt = target.appliedWrites().find((w) => w.op === 'rollBack')!.atMs;
    expect(rollbackAt).toBeGreaterThanOrEqual(lastMinuteOfStep1 + 2 * MINUTE);
    expect(rollbackAt).toBeLessThanOrEqual(lastMinuteOfStep1 + 2 * MINUTE + 15 * SECOND);
    expect(result.timeline.find((r) => r.verdict === 'fail')).toMatchObject({ step: 2 });
  });

  it('counts a step shifted late in a minute from its first whole minute, so a healthy release is not inconclusive', async () => {
    // 55 s into a minute: the shift's minute holds 5 s of 10 % (5 calls < min-invocations 10) and
    // the next minute is published at +2m05s, after the 1m step + 1m extension the old loop allowed.
    const clockStart = FIRST_WHOLE_MINUTE - 5 * SECOND;
    const { target, run } = setup({}, clockStart);
    const result = await run();

    expect(result.outcome).toBe('promoted');
    expect(result.timeline.some((r) => r.verdict === 'inconclusive')).toBe(false);
    const step1 = result.timeline.filter((r) => r.step === 1 && r.event === 'observe').at(-1);
    expect(step1).toMatchObject({ verdict: 'pass', atMs: 5 * SECOND + 2 * MINUTE });
    expect(step1?.reason).toContain("(60 in step 1's own 1 minute)");
    expect(result.timeline.find((r) => r.event === 'shift')?.reason).toContain('from its first whole minute (in 5s)');
    // Every later shift is on a minute boundary.
    const shifts = target.appliedWrites().filter((w) => w.op === 'shiftTraffic').map((w) => w.atMs);
    expect(shifts.slice(1).every((at) => at % MINUTE === 0)).toBe(true);
  });

  it('reads as soon as an extended step\'s first minute is published, not a poll later', async () => {
    const clockStart = FIRST_WHOLE_MINUTE;
    const { target, run } = setup({}, clockStart);
    await run({ plan: { strategy: 'canary', percent: 10, intervalMs: MINUTE }, maxExtensionMs: 5 * MINUTE, pollMs: 45 * SECOND });
    // Step 1's first minute [0, 1m) is readable at 2m: it passes right then (the old loop waited
    // for its next poll, at 2m30s), and the final bake starts on a minute boundary.
    expect(target.appliedWrites().filter((w) => w.op === 'shiftTraffic').map((w) => w.atMs - clockStart)).toEqual([0, 2 * MINUTE]);
  });

  it('says that CloudWatch has not published the step\'s first minute yet, rather than reporting 0 invocations like a fault', async () => {
    const { run } = setup();
    const { timeline } = await run();
    const first = timeline.find((r) => r.event === 'observe');
    expect(first).toMatchObject({ step: 1, verdict: 'continue', atMs: 15 * SECOND });
    expect(first?.reason).toBe(
      "Waiting for CloudWatch: step 1's first whole minute (from +40s) is published at about +2m40s (1m period + 1m metric delay), so no datapoint of it can exist yet: expected, not a fault. 10 invocations of version 8 needed before the step may pass.",
    );
    expect(timeline.find((r) => r.event === 'extend')?.reason).toBe("Step 1's first minute of metrics is published only at about +2m40s; extending it by up to 1m.");
  });
});

describe('runRollout: not enough traffic', () => {
  it('extends the step, then rolls back as inconclusive, never promotes', async () => {
    const { target, run } = setup({ requestsPerMinute: 0 });
    const result = await run();

    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/inconclusive/);
    expect(shiftedWeights(target)).toEqual([0.1]);
    expect(target.appliedWrites().some((w) => w.op === 'promote')).toBe(false);
    expect(result.timeline.map((r) => r.event)).toContain('extend');
    expect(result.timeline.some((r) => r.verdict === 'inconclusive')).toBe(true);
    const shiftAt = target.appliedWrites()[0]!.atMs;
    const rollbackAt = target.appliedWrites().at(-1)!.atMs;
    // The step counts from its first whole minute (the clock starts 20 s into one), then step + extension, latency 0.
    expect(rollbackAt - shiftAt).toBe(40 * SECOND + MINUTE + MINUTE);
  });

  it('with on-inconclusive promote, advances through inconclusive steps and promotes', async () => {
    const { target, run } = setup({ requestsPerMinute: 0 });
    const result = await run({ plan: { strategy: 'canary', percent: 10, intervalMs: MINUTE }, onInconclusive: 'promote' });
    expect(result.outcome).toBe('promoted');
    expect(shiftedWeights(target)).toEqual([0.1, 1]);
    expect(result.reason).toContain('inconclusive');
    expect(result.timeline.filter((r) => r.event === 'extend').map((r) => r.step)).toEqual([1, 2]);
  });

  it('still rolls back on errors in a later step under on-inconclusive promote', async () => {
    const { run } = setup({
      requestsPerMinute: (start) => (start > 1_700_000_000_000 + 3 * MINUTE ? 600 : 0),
      behaviour: (p) => (p.version === '8' ? { errors: 1 } : {}),
    });
    const result = await run({ plan: { strategy: 'canary', percent: 10, intervalMs: MINUTE }, finalBakeMs: 5 * MINUTE, onInconclusive: 'promote' });
    expect(result.outcome).toBe('rolled-back');
  });
});

describe('runRollout: existing canary on the alias', () => {
  it("refuses, writing nothing and naming the versions and weights, with on-existing-canary 'refuse'", async () => {
    const { target, state, run } = setup({ additionalWeights: { '9': 0.2 } });
    const result = await run();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toContain('20% on version 9');
    expect(result.reason).toContain('version 7');
    expect(target.writes).toHaveLength(0);
    expect(state.saves).toHaveLength(0);
  });

  it("clears it first with its RevisionId, then rolls out, with on-existing-canary 'rollback'", async () => {
    const { target, run } = setup({ additionalWeights: { '9': 0.2 } });
    const result = await run({ onExistingCanary: 'rollback' });
    expect(result.outcome).toBe('promoted');
    expect(target.writes[0]).toMatchObject({ op: 'rollBack', expectedRevisionId: 'rev-1', outcome: 'applied' });
    expect(target.writes[0]?.after?.additionalWeights).toEqual({});
    expect(target.writes[1]).toMatchObject({ op: 'shiftTraffic', weight: 0.1 });
  });
});

describe('runRollout: someone else changes the alias', () => {
  it('stops on a revision conflict, reports what changed, and writes nothing after it', async () => {
    const { target, state, run } = setup();
    target.beforeCall('shiftTraffic', 3, (t) => t.externalChange({ additionalWeights: {} }));
    const result = await run();

    expect(result.outcome).toBe('aborted');
    expect(result.error).toBeInstanceOf(RevisionConflictError);
    expect(result.reason).toContain('expected version 7, 20% on version 8');
    expect(result.reason).toContain('found version 7, no additional weights');
    const conflictIndex = target.writes.findIndex((w) => w.outcome === 'conflict');
    expect(conflictIndex).toBe(target.writes.length - 1);
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {}, revisionId: 'rev-4' });
    expect(savedRecord(state).phase).toBe('done');
  });
});

describe('runRollout: target failures', () => {
  it('rolls back when a shift throws after traffic moved', async () => {
    const { target, run } = setup();
    target.failOn('shiftTraffic', 2, { error: new Error('Lambda: TooManyRequestsException') });
    const result = await run();
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toContain('TooManyRequestsException');
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
    // A fresh read preceded the rollback: the failed call may have landed.
    const rollback = target.writes.find((w) => w.op === 'rollBack');
    expect(rollback?.expectedRevisionId).toBe(target.writes.find((w) => w.op === 'shiftTraffic')?.after?.revisionId);
  });

  it('rolls back when the first shift landed but its response was lost', async () => {
    const { target, run } = setup();
    target.failOn('shiftTraffic', 1, { applyFirst: true, error: new Error('socket hang up') });
    const result = await run();
    expect(result.outcome).toBe('rolled-back');
    expect(target.appliedWrites().map((w) => w.op)).toEqual(['shiftTraffic', 'rollBack']);
    expect(target.peek().additionalWeights).toEqual({});
  });

  it('leaves the alias alone when the first shift failed without landing', async () => {
    const { target, state, run } = setup();
    target.failOn('shiftTraffic', 1, { error: new Error('AccessDenied') });
    const result = await run();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toContain('nothing to undo');
    expect(target.appliedWrites()).toHaveLength(0);
    expect(savedRecord(state).phase).toBe('done');
  });

  it('aborts before any write when the alias cannot be read', async () => {
    const { target, state, run } = setup();
    target.failOn('readAlias', 1, { error: new Error('ResourceNotFoundException: alias prod') });
    const result = await run();
    expect(result.outcome).toBe('aborted');
    expect(result.stableVersion).toBeNull();
    expect(result.reason).toContain('No traffic was moved');
    expect(target.writes).toHaveLength(0);
    expect(state.saves).toHaveLength(0);
  });

  it('retries the rollback with a fresh revision: fails twice, then succeeds', async () => {
    const { target, state, run } = setup({ behaviour: (p) => (p.version === '8' ? { errors: 1 } : {}) });
    target.failOn('rollBack', 1).failOn('rollBack', 2);
    const readsBefore = () => target.callCount('readAlias');
    const result = await run();
    expect(result.outcome).toBe('rolled-back');
    expect(target.writes.filter((w) => w.op === 'rollBack').map((w) => w.outcome)).toEqual(['fault', 'fault', 'applied']);
    expect(readsBefore()).toBe(1 + 2); // preflight + one fresh read before each retry
    expect(target.peek().additionalWeights).toEqual({});
    expect(savedRecord(state).phase).toBe('done');
  });

  it('reports a failed rollback loudly and leaves the record unfinished for the post step', async () => {
    const { target, state, run } = setup({ behaviour: (p) => (p.version === '8' ? { errors: 1 } : {}) });
    for (let call = 1; call <= 4; call++) target.failOn('rollBack', call);
    const result = await run();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toContain('ROLLBACK FAILED after 4 attempts');
    expect(target.callCount('rollBack')).toBe(4);
    expect(savedRecord(state).phase).toBe('shifting');
  });

  it('stops retrying the rollback once someone else has taken our candidate out', async () => {
    const { target, run } = setup({ behaviour: (p) => (p.version === '8' ? { errors: 1 } : {}) });
    target.failOn('rollBack', 1, { error: new Error('throttled') });
    target.beforeCall('readAlias', 2, (t) => t.externalChange({ version: '6', additionalWeights: {} }));
    const result = await run();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toContain('left alone');
    expect(target.callCount('rollBack')).toBe(1);
    expect(target.peek().version).toBe('6');
  });
});

describe('runRollout: cancellation', () => {
  it('stops sleeping at once and rolls back when the signal aborts mid-bake', async () => {
    const clockStart = 1_700_000_000_000;
    const { clock, target, controller, run } = setup({ callLatencyMs: 200 }, clockStart);
    const abortAtMs = clockStart + 2 * MINUTE + 7 * SECOND;
    clock.at(abortAtMs, () => controller.abort(new Error('SIGTERM')));
    const result = await run();

    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/^cancelled \(SIGTERM\)/);
    const rollback = target.appliedWrites().find((w) => w.op === 'rollBack')!;
    expect(rollback.atMs - abortAtMs).toBeLessThanOrEqual(200); // one write, no further sleep
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
    expect(clock.now()).toBe(rollback.atMs);
  });

  it('aborts without writing when cancelled before the run', async () => {
    const { target, controller, run } = setup();
    controller.abort(new Error('SIGINT'));
    const result = await run();
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/^cancelled \(SIGINT\) before any traffic moved/);
    expect(target.writes).toHaveLength(0);
  });
});

describe('runRollout: dry run', () => {
  it('reads the alias, lists the planned steps with the expected duration, writes nothing', async () => {
    const { target, state, run } = setup();
    const result = await run({}, true);
    expect(result.outcome).toBe('planned');
    expect(target.writes).toHaveLength(0);
    expect(state.saves).toHaveLength(0);
    expect(target.callCount('readAlias')).toBe(1);
    const planned = result.timeline.filter((r) => r.event === 'shift');
    expect(planned.map((r) => r.weight)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    // The schedule the run keeps: a 1m step is judged on its own first minute, published 2m
    // after it starts (1m period + 1m metric delay), so each partial step takes 2m (the old
    // dry run promised 1m, a schedule only the bug — passing on the previous step's minutes — kept).
    expect(planned.map((r) => r.atMs)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((m) => m * MINUTE));
    expect(planned[0]?.reason).toContain('judged until +2m when its first whole minute is published');
    expect(result.timeline.at(-1)).toMatchObject({ event: 'promote', atMs: 21 * MINUTE });
    // 9 steps of 2m, the 1m final bake, plus the last step settling: one metric period + the 1m metric delay.
    expect(result.reason).toContain('expected duration 21m');
    expect(result.reason).toContain('up to 1m more');
    expect(result.reason).toContain('up to 22m with extensions');
  });

  it('plans the same schedule the run keeps', async () => {
    const clockStart = Math.ceil(1_700_000_000_000 / MINUTE) * MINUTE;
    const planned = await setup({}, clockStart).run({}, true);
    const { target, run } = setup({}, clockStart);
    await run();
    const shifts = target.appliedWrites().filter((w) => w.op === 'shiftTraffic').map((w) => w.atMs - clockStart);
    expect(shifts).toEqual(planned.timeline.filter((r) => r.event === 'shift').map((r) => r.atMs));
    expect(target.appliedWrites().find((w) => w.op === 'promote')!.atMs - clockStart).toBe(planned.timeline.at(-1)!.atMs);
  });
});

describe('runRollout: onTrafficMoving (release records)', () => {
  function runWithHook(options: { version?: string; dryRun?: boolean; throws?: boolean } = {}) {
    const clock = new VirtualClock();
    const target = new FakeTarget({ clock, version: options.version ?? '7' });
    const calls: number[] = [];
    const result = runRollout(
      {
        target,
        clock,
        state: new MemoryStateStore(),
        onTrafficMoving: () => {
          // How many writes the target had seen when the hook ran.
          calls.push(target.writes.length);
          if (options.throws) throw new Error('records are down');
        },
      },
      { candidateVersion: '8', config: rolloutConfig({ plan: { strategy: 'canary', percent: 20, intervalMs: MINUTE } }), dryRun: options.dryRun ?? false },
    );
    return { result, calls, target };
  }

  it('is called once, just before the first write that routes traffic to the candidate', async () => {
    const { result, calls, target } = runWithHook();
    expect((await result).outcome).toBe('promoted');
    expect(calls).toEqual([0]);
    expect(target.appliedWrites().map((w) => w.op)).toEqual(['shiftTraffic', 'shiftTraffic', 'promote']);
  });

  it('is not called when no traffic moves (dry run, candidate already primary), and a throwing hook changes nothing', async () => {
    const dry = runWithHook({ dryRun: true });
    expect((await dry.result).outcome).toBe('planned');
    const same = runWithHook({ version: '8' });
    expect((await same.result).outcome).toBe('skipped');
    expect([...dry.calls, ...same.calls]).toEqual([]);
    const throwing = runWithHook({ throws: true });
    expect((await throwing.result).outcome).toBe('promoted');
    expect(throwing.calls).toEqual([0]);
  });
});
