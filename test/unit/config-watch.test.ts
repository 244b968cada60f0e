import { parseConfigText } from '../../src/config/load.js';

const parse = (rollout: string) => parseConfigText(`target:\n  function-name: churn-model\n  alias: prod\nrollout:\n${rollout}`, 'model-release.yml');
const errors = (rollout: string) => {
  const loaded = parse(rollout);
  return loaded.ok ? [] : loaded.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('rollout.watch', () => {
  it('is off by default and builds whole minutes', () => {
    const none = parse('  poll: 15s\n');
    expect(none.ok && none.config.rollout?.watchMs).toBeUndefined();
    const watching = parse('  watch: 30m\n');
    expect(watching.ok && watching.config.rollout?.watchMs).toBe(30 * 60_000);
    const hour = parse('  watch: 1h\n');
    expect(hour.ok && hour.config.rollout?.watchMs).toBe(3_600_000);
  });

  it('refuses less than a minute, parts of a minute and non-durations', () => {
    expect(errors('  watch: 30s\n').join()).toMatch(/whole minutes, at least 1m/);
    expect(errors('  watch: 0s\n').join()).toMatch(/whole minutes, at least 1m/);
    expect(errors('  watch: 1m30s\n').join()).toMatch(/whole minutes/);
    expect(errors('  watch: 30\n')).not.toEqual([]);
    expect(errors('  watch: soon\n')).not.toEqual([]);
  });
});
