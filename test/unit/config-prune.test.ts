/**
 * withoutRefusedValues: what the schema refused is set aside so the rules after the schema
 * still check the rest (one run, every error), without shifting list indexes.
 */
import { namesRemovedValue, withoutRefusedValues } from '../../src/config/prune.js';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { validateAgainstSchema } from '../../src/config/schema.js';

function checkable(data: unknown): unknown {
  return withoutRefusedValues(data, validateAgainstSchema(data), validateAgainstSchema)?.value;
}

describe('withoutRefusedValues', () => {
  it('removes refused values and unknown keys, keeps the rest, and leaves the input untouched', () => {
    const data = { 'dry-run': 'yes', rollout: { stepp: 2, strategy: 'linear', step: 20 }, report: { json: 'r.json' } };
    expect(checkable(data)).toEqual({ rollout: { strategy: 'linear', step: 20 }, report: { json: 'r.json' } });
    expect(data['dry-run']).toBe('yes');
  });

  it('removes a map that lost a required key, and a whole list rather than one of its items', () => {
    expect(checkable({ target: { 'function-name': 'f', alias: 7 } })).toEqual({});
    expect(checkable({ rollout: { steps: [{ percent: 10, duration: '1m' }, { percent: 'x', duration: '1m' }] } })).toEqual({ rollout: {} });
  });

  it('keeps a value refused by a rule that leaves it readable, so its neighbours are still checked', () => {
    expect(checkable({ rollout: { poll: '0s', strategy: 'linear' } })).toEqual({ rollout: { poll: '0s', strategy: 'linear' } });
  });

  it('says what it removed', () => {
    const data = { rollout: { steps: [{ percent: 'x', duration: '1m' }] }, model: { metrics: 5 } };
    expect(withoutRefusedValues(data, validateAgainstSchema(data), validateAgainstSchema)?.removed).toEqual([
      ['rollout', 'steps', '0', 'percent'],
      ['model', 'metrics'],
      // The item lost a required key; a list goes as a whole.
      ['rollout', 'steps'],
    ]);
    expect(namesRemovedValue('set model.metrics', [['model', 'metrics']])).toBe(true);
    expect(namesRemovedValue('set model.predictions.production (its column)', [['model', 'predictions']])).toBe(true);
    expect(namesRemovedValue('set model.metrics-file', [['model', 'metrics']])).toBe(false);
    expect(namesRemovedValue('set model.baseline', [['model', 'metrics']])).toBe(false);
  });

  it('gives up on a document that is not a map', () => {
    expect(checkable(['feat'])).toBeUndefined();
  });

  it('does not follow a refused value with "set it" from a later rule', () => {
    const text = 'model:\n  metrics: 5\n  checks:\n    - { type: stability, metric: auc, max-std: 0.1 }\n';
    const result = parseConfigText(text, 'f.yml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual(['f.yml:2:12 model.metrics: must be a string']);
  });

  it('lets the loader report a schema error and a rule found after the schema together', () => {
    const result = parseConfigText('rollout:\n  steps:\n    - { percent: 25, duration: 2m }\n    - { percent: 25, duration: 0s }\ndry-run: maybe\n', 'f.yml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      "f.yml:4:18 rollout.steps.1.percent: must be greater than the previous step's percent (25); steps only move traffic forward",
      'f.yml:4:32 rollout.steps.1.duration: must be longer than 0s: a step needs time to be judged',
      'f.yml:5:10 dry-run: must be true or false',
    ]);
  });
});
