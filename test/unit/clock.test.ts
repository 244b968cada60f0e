import { systemClock } from '../../src/core/clock.js';

describe('systemClock', () => {
  it('rejects a sleep with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });

  it('resolves after the delay', async () => {
    const start = systemClock.now();
    await systemClock.sleep(20);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(15);
    expect(process.version.startsWith('v24.')).toBe(true);
  });
});
