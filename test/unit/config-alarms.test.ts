import { parseConfigText } from '../../src/config/load.js';

const parse = (rollout: string) => parseConfigText(`target:\n  function-name: churn-model\n  alias: prod\nrollout:\n${rollout}`, 'model-release.yml');
const errors = (rollout: string) => {
  const loaded = parse(rollout);
  return loaded.ok ? [] : loaded.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('rollout.alarms and rollout.alarms-ignore-initial', () => {
  it('builds the names, alarms-ignore-initial defaulting to false', () => {
    const loaded = parse('  alarms: [churn-5xx, "churn p99 / prod"]\n');
    expect(loaded.ok && loaded.config.rollout?.alarms).toEqual({ names: ['churn-5xx', 'churn p99 / prod'], ignoreInitial: false });
    const ignoring = parse('  alarms: [churn-5xx]\n  alarms-ignore-initial: true\n');
    expect(ignoring.ok && ignoring.config.rollout?.alarms).toEqual({ names: ['churn-5xx'], ignoreInitial: true });
    const none = parse('  poll: 15s\n');
    expect(none.ok && none.config.rollout?.alarms).toBeUndefined();
  });

  it('refuses an empty list, duplicates, more than 100 names and names CloudWatch would refuse', () => {
    expect(errors('  alarms: []\n').join()).toMatch(/at least one/);
    expect(errors('  alarms: [a, a]\n').join()).toMatch(/"a" more than once/);
    expect(errors(`  alarms: [${Array.from({ length: 101 }, (_, i) => `a${i}`).join(', ')}]\n`)).not.toEqual([]);
    expect(errors(`  alarms: [${'x'.repeat(256)}]\n`).join()).toMatch(/CloudWatch alarm name/);
    expect(errors('  alarms: ["tab\\there"]\n').join()).toMatch(/CloudWatch alarm name/);
    expect(errors('  alarms: [""]\n').join()).toMatch(/CloudWatch alarm name/);
  });

  it('refuses alarms-ignore-initial without alarms (it would be silently ignored)', () => {
    expect(errors('  alarms-ignore-initial: true\n').join()).toMatch(/applies only with rollout.alarms/);
  });
});
