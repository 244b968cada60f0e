/**
 * "Did you mean" for misspelt values (issue #17): a value outside a fixed list (a check type, a
 * method, a strategy...) gets the same suggestion as a misspelt key, by the same rule
 * (src/config/suggest.ts), and every message still names the file, line and column.
 */
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../src/config/load.js';
import { closestKey, didYouMean, editDistance } from '../../src/config/suggest.js';
import { runModelGate } from '../../src/model/gate.js';
import { CONFIG_FILE, configErrors, yaml } from '../support/config-errors.js';

const FILE = CONFIG_FILE;
const errors = configErrors;

const DATA = ['data:', '  dataset: train.csv', '  reference: prod.csv', '  checks:'];

describe('the suggestion rule', () => {
  it('counts a swap of two neighbouring characters as one edit, as well as insertions, deletions and substitutions', () => {
    expect(editDistance('acu', 'auc')).toBe(1);
    expect(editDistance('atuo', 'auto')).toBe(1);
    expect(editDistance('strat', 'start')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('abc', 'ca')).toBe(3);
  });

  it('suggests a value only when it is close enough, and never the value itself or a non-string', () => {
    expect(didYouMean('overfiting', ['metric', 'overfitting'])).toBe("; did you mean 'overfitting'?");
    expect(didYouMean('Canary', ['linear', 'canary'])).toBe("; did you mean 'canary'?");
    expect(didYouMean('zzzzzz', ['metric', 'overfitting'])).toBe('');
    expect(didYouMean('ture', ['auto', true, false])).toBe('');
    expect(didYouMean(7, ['auto'])).toBe('');
    expect(closestKey('atuo', ['match', 'auto'])).toBe('auto');
  });
});

describe('a misspelt value in a fixed list', () => {
  it('model.checks type', () => {
    expect(errors(yaml('model:', '  checks:', '    - type: overfiting'))).toEqual([
      "model-release.yml:3:13 model.checks.0.type: must be one of: metric, baseline, non-inferiority, segment, stability, overfitting, agreement; did you mean 'overfitting'?",
    ]);
    expect(errors(yaml('model:', '  metrics: m.json', '  checks:', '    - type: metrc', '      metric: auc', '      min: 0.8'))).toEqual([
      "model-release.yml:4:13 model.checks.0.type: must be one of: metric, baseline, non-inferiority, segment, stability, overfitting, agreement; did you mean 'metric'?",
    ]);
  });

  it('model.checks method and direction', () => {
    const text = yaml(
      'model:',
      '  metrics: m.json',
      '  baseline: b.json',
      '  checks:',
      '    - type: baseline',
      '      metric: auc',
      '      margin: 0.01',
      '      direction: hihger',
      '    - type: segment',
      '      metric: auc',
      '      where: { plan: pro }',
      '      min: 0.7',
      '      method: bootstrp',
    );
    expect(errors(text)).toEqual([
      "model-release.yml:8:18 model.checks.0.direction: must be one of: higher, lower; did you mean 'higher'?",
      "model-release.yml:9:7 model.checks.1: a 'segment' check reads predictions: set model.predictions",
      "model-release.yml:13:15 model.checks.1.method: must be one of: mcnemar, bootstrap, delong, wilson; did you mean 'bootstrap'?",
    ]);
  });

  it('data drift method and correction, and a schema type', () => {
    const text = yaml(
      ...DATA,
      '    - drift: { columns: all, method: jenson-shannon }', //    5
      '    - drift: { columns: [age], method: kss, correction: holms }', // 6
      '    - schema: { required: { age: numberic } }', //             7
    );
    expect(errors(text)).toEqual([
      "model-release.yml:5:38 data.checks.0.drift.method: must be one of: auto, psi, ks, chi2, jensen-shannon, wasserstein; did you mean 'jensen-shannon'?",
      "model-release.yml:6:40 data.checks.1.drift.method: must be one of: auto, psi, ks, chi2, jensen-shannon, wasserstein; did you mean 'ks'?",
      "model-release.yml:6:57 data.checks.1.drift.correction: must be one of: holm, bh, none; did you mean 'holm'?",
      "model-release.yml:7:34 data.checks.2.schema.required.age: must be one of: numeric, integer, text, boolean, date, timestamp; did you mean 'numeric'?",
    ]);
  });

  it('data.format', () => {
    expect(errors(yaml('data:', '  dataset: train.csv', '  format: parket', '  checks:', '    - row_count: { min: 1 }'))).toEqual([
      "model-release.yml:3:11 data.format: must be one of: auto, csv, parquet, json; did you mean 'parquet'?",
    ]);
  });

  it('rollout strategy (case counts in YAML, so Canary gets canary), judge type and on-inconclusive', () => {
    expect(errors(yaml('rollout:', '  strategy: lienar'))).toEqual([
      "model-release.yml:2:13 rollout.strategy: must be one of: linear, canary, all-at-once, steps, ab; did you mean 'linear'?",
    ]);
    expect(errors(yaml('rollout:', '  strategy: Canary'))).toEqual([
      "model-release.yml:2:13 rollout.strategy: must be one of: linear, canary, all-at-once, steps, ab; did you mean 'canary'?",
    ]);
    expect(errors(yaml('rollout:', '  judge: { type: compre }', '  on-inconclusive: rollbak'))).toEqual([
      "model-release.yml:2:18 rollout.judge.type: must be one of: threshold, compare; did you mean 'compare'?",
      "model-release.yml:3:20 rollout.on-inconclusive: must be one of: rollback, promote; did you mean 'rollback'?",
    ]);
  });

  it('target.type', () => {
    expect(errors(yaml('target:', '  type: lamda', '  function-name: churn-model', '  alias: prod'))).toEqual([
      "model-release.yml:2:9 target.type: must be one of: lambda, sagemaker; did you mean 'lambda'?",
    ]);
  });

  it('keeps a list written in the schema’s own words, and adds the guess', () => {
    expect(errors(yaml('model:', '  registry:', '    type: mlfow', '    name: churn', '    version: 3'))).toEqual([
      "model-release.yml:3:11 model.registry.type: must be mlflow or sagemaker; did you mean 'mlflow'?",
    ]);
    expect(errors(yaml('notify:', '  webhooks:', '    - url: https://hooks.example.com/x', '      events: [strat, finish]'))).toEqual([
      "model-release.yml:4:16 notify.webhooks.0.events.0: must be start, step, rollback, promotion or finish; did you mean 'start'?",
    ]);
  });

  it('a word or a number: the word is guessed among the words allowed', () => {
    expect(errors(yaml('target:', '  type: sagemaker', '  endpoint-name: churn', '  version: churn-model-7', '  instances: atuo'))).toEqual([
      "model-release.yml:5:14 target.instances: must be match, auto or a whole number of instances from 1 to 100; did you mean 'auto'?",
    ]);
    expect(errors(yaml('rollout:', '  judge: { type: compare, dispersion: aut }'))).toEqual([
      "model-release.yml:2:39 rollout.judge.dispersion: must be auto or a number of at least 1; did you mean 'auto'?",
    ]);
  });

  it('lists the allowed values alone when nothing is close', () => {
    expect(errors(yaml('model:', '  checks:', '    - type: accuracy'))).toEqual([
      'model-release.yml:3:13 model.checks.0.type: must be one of: metric, baseline, non-inferiority, segment, stability, overfitting, agreement',
    ]);
    expect(errors(yaml(...DATA, '    - missing: { column: age, severity: warning }'))).toEqual([
      'model-release.yml:5:41 data.checks.0.missing.severity: must be one of: error, warn',
    ]);
    expect(errors(yaml('rollout:', '  strategy: 5'))).toEqual(['model-release.yml:2:13 rollout.strategy: must be one of: linear, canary, all-at-once, steps, ab']);
  });
});

describe('a misspelt check name', () => {
  it('a data check is named by its key: the key gets the suggestion', () => {
    expect(errors(yaml(...DATA, '    - missng: { column: age }', '    - unseen_category: { column: plan }'))).toEqual([
      "model-release.yml:5:7 data.checks.0.missng: unknown key 'missng'; did you mean 'missing'?",
      "model-release.yml:6:7 data.checks.1.unseen_category: unknown key 'unseen_category'; did you mean 'unseen_categories'?",
    ]);
  });

  it("a data check written like a model check (type: …) is shown the form, with the name spelt right", () => {
    expect(errors(yaml(...DATA, '    - { type: missng, column: age }'))).toEqual([
      "model-release.yml:5:7 data.checks.0: must be a map with one key naming the check, e.g. '- missing: { columns: [age] }'",
      "model-release.yml:5:9 data.checks.0.type: unknown key 'type'; a data check is named by its key, with its settings inside: '- missing: { ... }'",
      "model-release.yml:5:23 data.checks.0.column: unknown key 'column'; allowed keys: row_count, schema, missing, range, allowed, unique, duplicates, unseen_categories, drift",
    ]);
    expect(errors(yaml(...DATA, '    - type: nulls'))).toEqual([
      "model-release.yml:5:7 data.checks.0.type: unknown key 'type'; a data check is named by its key, with its settings inside, like '- missing: { ... }'; checks: row_count, schema, missing, range, allowed, unique, duplicates, unseen_categories, drift",
    ]);
  });
});

describe('a misspelt metric where the metrics are known', () => {
  it('a check that computes the metric from predictions (config time)', () => {
    const text = yaml(
      'model:',
      '  predictions: { path: p.csv, label: y, candidate: score, production: prod_score }',
      '  checks:',
      '    - type: non-inferiority',
      '      metric: acu',
      '      margin: 0.01',
    );
    expect(errors(text)).toEqual([
      "model-release.yml:5:15 model.checks.0.metric: a 'non-inferiority' check computes the metric from predictions: use one of accuracy, precision, recall, f1, auc, logloss, rmse, mae; did you mean 'auc'?",
    ]);
  });

  it('a metric read from the metrics file (run time): the names the file has', async () => {
    const loaded = parseConfigText(yaml('model:', '  metrics: metrics.json', '  checks:', '    - type: metric', '      metric: acu', '      min: 0.7', '    - type: metric', '      metric: calibraton_error', '      max: 0.1'), FILE);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const results = await runModelGate(loaded.config.model!, { cwd: fileURLToPath(new URL('../fixtures/model/', import.meta.url)) });
    expect(results.map((r) => [r.status, r.message])).toEqual([
      ['error', "model-release.yml:4 model.checks.0 (metric acu): metrics.json has no metric 'acu' (it has: auc, accuracy, calibration_error); did you mean 'auc'?"],
      ['error', "model-release.yml:7 model.checks.1 (metric calibraton_error): metrics.json has no metric 'calibraton_error' (it has: auc, accuracy, calibration_error); did you mean 'calibration_error'?"],
    ]);
  });
});
