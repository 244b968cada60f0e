// The loop's tests are only as good as their fakes: pin down the behaviour they rely on.
import { RevisionConflictError } from '../../src/targets/target.js';
import { FakeTarget } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';

const MINUTE = 60_000;
const START = 1_700_000_040_000 - (1_700_000_040_000 % MINUTE); // a minute boundary

describe('VirtualClock', () => {
  it('advances instantly to the wake-up time, and parallel sleeps share the jump', async () => {
    const clock = new VirtualClock(START);
    await Promise.all([clock.sleep(100), clock.sleep(100), clock.sleep(40)]);
    expect(clock.now()).toBe(START + 100);
    await clock.sleep(5 * MINUTE);
    expect(clock.now()).toBe(START + 100 + 5 * MINUTE);
  });

  it('rejects with the abort reason, without advancing past the abort', async () => {
    const clock = new VirtualClock(START);
    const controller = new AbortController();
    clock.at(START + 1_000, () => controller.abort(new Error('SIGTERM')));
    await expect(clock.sleep(MINUTE, controller.signal)).rejects.toThrow('SIGTERM');
    expect(clock.now()).toBe(START + 1_000);
    await expect(clock.sleep(10, controller.signal)).rejects.toThrow('SIGTERM');
  });

  it('refuses to run past its limit, so a runaway loop fails the test', async () => {
    const clock = new VirtualClock(START, START + MINUTE);
    await expect(clock.sleep(2 * MINUTE)).rejects.toThrow(/time limit/);
  });
});

describe('FakeTarget', () => {
  it('rejects a write with a stale revision, reporting the current state', async () => {
    const clock = new VirtualClock(START);
    const target = new FakeTarget({ clock, version: '7' });
    const first = await target.shiftTraffic('8', 0.1, 'rev-1');
    expect(first).toMatchObject({ version: '7', additionalWeights: { '8': 0.1 }, revisionId: 'rev-2' });
    const conflict = target.shiftTraffic('8', 0.2, 'rev-1');
    await expect(conflict).rejects.toBeInstanceOf(RevisionConflictError);
    await expect(conflict).rejects.toMatchObject({ current: { revisionId: 'rev-2' } });
    expect(target.peek().additionalWeights).toEqual({ '8': 0.1 });
  });

  it('publishes a minute only after the metric delay, and splits traffic by the weights over time', async () => {
    const clock = new VirtualClock(START);
    const target = new FakeTarget({ clock, version: '7', requestsPerMinute: 600 });
    await clock.sleep(30_000);
    await target.shiftTraffic('8', 0.5, 'rev-1'); // half of the first minute at 50%
    const window = { startMs: START, endMs: START + 10 * MINUTE };

    await clock.sleep(89_999); // now START + 119.999 s: 1 ms before the first minute is published
    expect((await target.readMetrics('8', window)).invocations).toBe(0);
    await clock.sleep(1);
    const published = await target.readMetrics('8', window);
    expect(published.periods).toEqual([{ startMs: START, invocations: 150, errors: 0, throttles: 0, p99Ms: 100 }]);
    expect((await target.readMetrics('7', window)).invocations).toBe(450);
  });

  it('injects faults on the n-th call, optionally after the write landed', async () => {
    const clock = new VirtualClock(START);
    const target = new FakeTarget({ clock, version: '7' })
      .failOn('rollBack', 1, { error: new Error('lost') })
      .failOn('rollBack', 2, { applyFirst: true });
    await target.shiftTraffic('8', 0.3, 'rev-1');
    await expect(target.rollBack('rev-2')).rejects.toThrow('lost');
    expect(target.peek().additionalWeights).toEqual({ '8': 0.3 });
    await expect(target.rollBack('rev-2')).rejects.toThrow(/injected rollBack failure/);
    expect(target.peek().additionalWeights).toEqual({});
    expect(target.writes.map((w) => w.outcome)).toEqual(['applied', 'fault', 'applied']);
  });

  it('charges call latency on the clock', async () => {
    const clock = new VirtualClock(START);
    const target = new FakeTarget({ clock, version: '7', callLatencyMs: 250 });
    await target.readAlias();
    expect(clock.now()).toBe(START + 250);
  });
});
