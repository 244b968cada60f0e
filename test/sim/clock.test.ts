import { RealClock, VirtualClock } from './clock.js';

describe('VirtualClock', () => {
  it('jumps forward on sleep and tells listeners which interval elapsed', async () => {
    const clock = new VirtualClock(1_000);
    const jumps: Array<[number, number]> = [];
    clock.onAdvance((from, to) => jumps.push([from, to]));
    await clock.sleep(60_000);
    clock.advance(500);
    expect(clock.now()).toBe(61_500);
    expect(jumps).toEqual([
      [1_000, 61_000],
      [61_000, 61_500],
    ]);
  });

  it('does not add up concurrent sleeps: each only moves time to its own deadline', async () => {
    const clock = new VirtualClock(0);
    await Promise.all([clock.sleep(1_000), clock.sleep(500)]);
    expect(clock.now()).toBe(1_000);
  });

  it('rejects with the abort reason and leaves time untouched', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const pending = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('rollout cancelled'));
    await expect(pending).rejects.toThrow('rollout cancelled');
    expect(clock.now()).toBe(0);
    await expect(clock.sleep(1, controller.signal)).rejects.toThrow('rollout cancelled');
  });

  it('stops notifying a listener after it unsubscribes', () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    const unsubscribe = clock.onAdvance(() => calls++);
    clock.advance(1);
    unsubscribe();
    clock.advance(1);
    expect(calls).toBe(1);
  });
});

describe('RealClock', () => {
  it('sleeps in wall time', async () => {
    const clock = new RealClock();
    const start = clock.now();
    await clock.sleep(20);
    expect(clock.now() - start).toBeGreaterThanOrEqual(15);
  });
});
