import { MemoryStateStore } from '../../src/core/state.js';
import { runRollout } from '../../src/rollout/loop.js';
import type { RolloutRecord } from '../../src/rollout/recovery.js';
import { ROLLOUT_STATE_KEY, restoreSafety, saveRolloutRecord } from '../../src/rollout/recovery.js';
import type { MetricsWindow, VersionMetrics } from '../../src/targets/target.js';
import { FakeTarget } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { rolloutConfig } from '../support/rollout-config.js';


const rollout = rolloutConfig();

/** A target whose process "dies" (SIGKILL): from some metrics read on, calls never return. */
class DyingTarget extends FakeTarget {
  dieOnMetricsRead = Number.POSITIVE_INFINITY;
  private reads = 0;
  died: Promise<void>;
  private markDied: () => void = () => undefined;
  constructor(clock: VirtualClock) {
    super({ clock, version: '7' });
    this.died = new Promise((resolve) => (this.markDied = resolve));
  }
  override readMetrics(version: string, window: MetricsWindow): Promise<VersionMetrics> {
    this.reads += 1;
    if (this.reads >= this.dieOnMetricsRead) {
      this.markDied();
      return new Promise(() => undefined);
    }
    return super.readMetrics(version, window);
  }
}

/** Runs the real loop until the process "dies" mid-rollout; returns the state it left behind. */
async function crashMidRollout(): Promise<{ clock: VirtualClock; target: DyingTarget; state: MemoryStateStore }> {
  const clock = new VirtualClock();
  const target = new DyingTarget(clock);
  target.dieOnMetricsRead = 30; // well into the rollout
  const state = new MemoryStateStore();
  void runRollout({ target, clock, state }, { candidateVersion: '8', config: rollout, dryRun: false });
  await target.died;
  return { clock, target, state };
}

function record(state: MemoryStateStore): RolloutRecord {
  return JSON.parse(state.load(ROLLOUT_STATE_KEY) ?? 'null') as RolloutRecord;
}

describe('restoreSafety', () => {
  it('rolls back with the current RevisionId after the main process died mid-rollout', async () => {
    const { clock, target, state } = await crashMidRollout();
    const before = target.peek();
    expect(before.additionalWeights['8']).toBeGreaterThan(0);
    expect(record(state).phase).toBe('shifting');

    const lines: string[] = [];
    const restored = await restoreSafety({ target, state, clock, log: (l) => lines.push(l) });

    expect(restored.action).toBe('rolled-back');
    expect(restored.reason).toContain('version 8');
    expect(target.peek()).toMatchObject({ version: '7', additionalWeights: {} });
    expect(target.writes.at(-1)).toMatchObject({ op: 'rollBack', expectedRevisionId: before.revisionId, outcome: 'applied' });
    expect(record(state).phase).toBe('done');
    expect(lines.length).toBeGreaterThan(0);
    // A second post run has nothing left to do.
    expect((await restoreSafety({ target, state, clock })).action).toBe('none');
  });

  it('leaves the alias alone when someone else changed it after the crash', async () => {
    const { clock, target, state } = await crashMidRollout();
    target.externalChange({ version: '9', additionalWeights: {} });
    const writesBefore = target.writes.length;

    const restored = await restoreSafety({ target, state, clock });

    expect(restored.action).toBe('left-alone');
    expect(restored.reason).toContain('no longer routes traffic to version 8');
    expect(restored.reason).toContain('version 9');
    expect(target.writes).toHaveLength(writesBefore);
    expect(target.peek().version).toBe('9');
  });

  it('leaves a completed promotion alone even if the record was not marked done', async () => {
    const clock = new VirtualClock();
    const target = new FakeTarget({ clock, version: '8' });
    const state = new MemoryStateStore();
    await saveRolloutRecord(state, { functionTarget: target.describe(), candidateVersion: '8', stableVersion: '7', startedAtMs: 0, phase: 'shifting' });
    const restored = await restoreSafety({ target, state, clock });
    expect(restored.action).toBe('left-alone');
    expect(restored.reason).toContain('promotion completed');
    expect(target.writes).toHaveLength(0);
  });

  it('does nothing without a record or when the rollout finished', async () => {
    const clock = new VirtualClock();
    const target = new FakeTarget({ clock, version: '7', additionalWeights: { '8': 0.5 } });
    const state = new MemoryStateStore();
    expect((await restoreSafety({ target, state, clock })).action).toBe('none');
    await saveRolloutRecord(state, { functionTarget: target.describe(), candidateVersion: '8', stableVersion: '7', startedAtMs: 0, phase: 'done' });
    expect((await restoreSafety({ target, state, clock })).action).toBe('none');
    expect(target.writes).toHaveLength(0);
    expect(target.callCount('readAlias')).toBe(0);
  });

  it('refuses to act on another target or on an unreadable record', async () => {
    const clock = new VirtualClock();
    const target = new FakeTarget({ clock, version: '7', additionalWeights: { '8': 0.5 } });
    const state = new MemoryStateStore();
    await saveRolloutRecord(state, { functionTarget: 'lambda:other-fn:prod', candidateVersion: '8', stableVersion: '7', startedAtMs: 0, phase: 'shifting' });
    const other = await restoreSafety({ target, state, clock });
    expect(other).toMatchObject({ action: 'left-alone' });
    expect(other.reason).toContain('lambda:other-fn:prod');
    state.save(ROLLOUT_STATE_KEY, '{"phase":"shifting"}');
    expect((await restoreSafety({ target, state, clock })).action).toBe('left-alone');
    expect(target.writes).toHaveLength(0);
  });

  it('retries a failing rollback with a fresh read, and throws when every attempt fails', async () => {
    const clock = new VirtualClock();
    const state = new MemoryStateStore();
    const flaky = new FakeTarget({ clock, version: '7', additionalWeights: { '8': 0.3 } }).failOn('rollBack', 1);
    await saveRolloutRecord(state, { functionTarget: flaky.describe(), candidateVersion: '8', stableVersion: '7', startedAtMs: 0, phase: 'shifting' });
    expect((await restoreSafety({ target: flaky, state, clock })).action).toBe('rolled-back');
    expect(flaky.callCount('readAlias')).toBe(2);

    const broken = new FakeTarget({ clock, version: '7', additionalWeights: { '8': 0.3 } });
    for (let call = 1; call <= 4; call++) broken.failOn('rollBack', call);
    await saveRolloutRecord(state, { functionTarget: broken.describe(), candidateVersion: '8', stableVersion: '7', startedAtMs: 0, phase: 'shifting' });
    await expect(restoreSafety({ target: broken, state, clock })).rejects.toThrow(/Roll back by hand/);
    expect(record(state).phase).toBe('shifting');
  });
});
