/**
 * The model gate end to end from YAML: each check passing and failing on the committed
 * fixtures, and bad input reported as an `error` that names the check and its config line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseConfigText } from '../../src/config/load.js';
import { evaluateCheck } from '../../src/model/checks.js';
import type { NonInferiorityCheck } from '../../src/model/config.js';
import { runModelGate } from '../../src/model/gate.js';
import type { CheckResult } from '../../src/report/result.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/model/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as any;

const PREDICTIONS = `  predictions:
    path: predictions.csv
    label: label
    candidate: score_candidate
    production: score_production
`;

/** Run the gate on a `model:` section; `checks` is the YAML of the list items (indented 4). */
async function gate(checks: string, head = `  metrics: metrics.json\n  baseline: baseline.json\n${PREDICTIONS}`, cwd = FIXTURES): Promise<CheckResult[]> {
  const loaded = parseConfigText(`model:\n${head}  checks:\n${checks}`, 'model-release.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return runModelGate(loaded.config.model!, { cwd });
}

async function one(check: string, head?: string, cwd?: string): Promise<CheckResult> {
  const [result] = await gate(check, head, cwd);
  return result!;
}

describe('metric', () => {
  const auc = expected.metrics.candidate.auc as number;
  it('passes and fails on a metric computed from predictions', async () => {
    const pass = await one(`    - type: metric\n      metric: auc\n      min: 0.74\n`);
    expect(pass).toMatchObject({ id: 'model.metric-1', gate: 'model', status: 'pass', location: { file: 'model-release.yml', line: 10 } });
    expect(pass.observed).toBeCloseTo(auc, 6);
    const fail = await one(`    - type: metric\n      metric: auc\n      min: 0.8\n`);
    expect(fail.status).toBe('fail');
    expect(fail.message).toMatch(/auc 0\.748\d* is not ≥ 0\.8 \(from predictions\.csv \(3000 rows\)\)/);
  });

  it('reads other names from the metrics file', async () => {
    expect((await one(`    - type: metric\n      metric: calibration_error\n      max: 0.05\n`)).status).toBe('pass');
    expect((await one(`    - type: metric\n      metric: calibration_error\n      max: 0.02\n`)).status).toBe('fail');
  });

  it('names the check, its line and the metrics the file has when the metric is missing', async () => {
    const result = await one(`    - name: brier\n      type: metric\n      metric: brier\n      max: 0.2\n`);
    expect(result).toMatchObject({ id: 'model.brier', status: 'error' });
    expect(result.message).toBe("model-release.yml:10 model.checks.0 (metric brier): metrics.json has no metric 'brier' (it has: auc, accuracy, calibration_error)");
  });
});

describe('baseline (point comparison)', () => {
  it('compares on the same predictions when both columns are given', async () => {
    const diff = expected.metrics.candidate.accuracy - expected.metrics.production.accuracy;
    const pass = await one(`    - type: baseline\n      metric: accuracy\n      margin: 0.01\n`);
    expect(pass.status).toBe('pass');
    expect(pass.details).toMatchObject({ difference: expect.closeTo(diff, 10) });
    expect((await one(`    - type: baseline\n      metric: auc\n      margin: 0\n`)).status).toBe('pass');
  });

  it('compares the metrics files when there are no predictions, lower-is-better with an absolute or relative margin', async () => {
    const head = '  metrics: metrics.json\n  baseline: baseline.json\n';
    // 0.031 vs 0.025: worse by 0.006.
    expect((await one(`    - type: baseline\n      metric: calibration_error\n      direction: lower\n      margin: 0.005\n`, head)).status).toBe('fail');
    expect((await one(`    - type: baseline\n      metric: calibration_error\n      direction: lower\n      margin: 0.3\n      relative: true\n`, head)).status).toBe('pass');
  });

  it('asks for a direction for a metric it does not know', async () => {
    const result = await one(`    - type: baseline\n      metric: calibration_error\n      margin: 0.01\n`, '  metrics: metrics.json\n  baseline: baseline.json\n');
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/model\.checks\.0 \(baseline calibration_error\): say which way 'calibration_error' is better/);
  });
});

describe('non-inferiority', () => {
  it('McNemar/Tango on accuracy: passes with a wide margin, reports estimate, CI, p and MDE', async () => {
    const result = await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: 0.02\n`);
    expect(result.status).toBe('pass');
    const d = result.details as Record<string, number | string | number[]>;
    expect(d.pValue).toBeCloseTo(expected.nonInferiorityAccuracy.cases[3].pValue, 9);
    expect(d.test).toBe('tango-score-corrected');
    expect(result.message).toMatch(/difference 0\.0017, 90% CI \[-0\.0\d+, 0\.0\d+\] \(lower bound .* > −0\.02\), p = 0\.0063 \(tango-score-corrected\), MDE 0\.02\d* at n = 3000, power 0\.8 → non-inferior/);
  });

  it('is inconclusive (and fails) when the test set cannot detect the margin; warn on request', async () => {
    const result = await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: 0.005\n`);
    expect(result.status).toBe('fail');
    expect(result.details).toMatchObject({ verdict: 'inconclusive' });
    expect(result.message).toMatch(/inconclusive: the test set is too small to detect a margin of 0\.005 \(MDE 0\.02\d* > margin\)/);
    const warned = await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: 0.005\n      on-inconclusive: warn\n`);
    expect(warned.status).toBe('warn');
  });

  it('DeLong on AUC', async () => {
    const wide = await one(`    - type: non-inferiority\n      metric: auc\n      margin: 0.03\n`);
    expect(wide.status).toBe('pass');
    expect((wide.details as { standardError: number }).standardError).toBeCloseTo(Math.sqrt(expected.delong.variance), 9);
    const narrow = await one(`    - type: non-inferiority\n      metric: auc\n      margin: 0.01\n`);
    expect(narrow.details).toMatchObject({ verdict: 'inconclusive' });
  });

  it('paired bootstrap for a lower-is-better metric, reproducible by seed', async () => {
    const check = `    - type: non-inferiority\n      metric: logloss\n      margin: 0.02\n      resamples: 500\n      seed: 5\n`;
    const a = await one(check);
    const b = await one(check);
    expect(a.status).toBe('pass');
    expect(a.details).toEqual(b.details);
    expect(a.message).toMatch(/upper bound .* < \+0\.02/);
  });

  it('fails a candidate that is clearly worse on a test set large enough to tell', () => {
    const n = 4000;
    const label = new Float64Array(n);
    const production = new Float64Array(n);
    const candidate = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      label[i] = i % 2;
      production[i] = i % 10 === 0 ? 1 - label[i]! : label[i]!; // 90% accurate
      candidate[i] = i % 10 === 0 || i % 10 === 3 || i % 10 === 5 ? 1 - label[i]! : label[i]!; // 70% accurate
    }
    const check: NonInferiorityCheck = { type: 'non-inferiority', path: 'model.checks.0', id: 'model.x', title: 'x', severity: 'error', metric: 'accuracy', margin: 0.05, alpha: 0.05, power: 0.8, resamples: 500, seed: 1, onInconclusive: 'fail' };
    const verdict = evaluateCheck(check, { predictions: { rows: n, label, candidate, production, segments: new Map() }, columns: { label: 'y', candidate: 'c' }, threshold: 0.5 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.details).toMatchObject({ verdict: 'inferior', estimate: expect.closeTo(-0.2, 10) });
  });
});

describe('segment', () => {
  const vip = expected.segmentVIP;
  it('judges the Wilson lower bound of precision on the segment', async () => {
    const pass = await one(`    - type: segment\n      metric: precision\n      where: { tier: VIP }\n      min: 0.4\n`);
    expect(pass.status).toBe('pass');
    expect(pass.observed).toBeCloseTo(vip.precision, 6);
    expect(pass.details).toMatchObject({ rows: vip.rows, method: 'wilson', denominator: vip.confusion.tp + vip.confusion.fp });
    // The point estimate clears the bar, its lower confidence bound does not.
    const fail = await one(`    - type: segment\n      metric: precision\n      where: { tier: VIP }\n      min: ${(vip.precision - 0.01).toFixed(3)}\n`);
    expect(fail.status).toBe('fail');
    expect(fail.message).toMatch(/95% lower bound 0\.\d+ < min/);
  });

  it('fails a segment smaller than min-size, and bootstraps metrics without a Wilson bound', async () => {
    expect((await one(`    - type: segment\n      metric: recall\n      where: { tier: VIP, region: eu }\n      min: 0.1\n      min-size: 1000\n`)).message).toMatch(/fewer than min-size 1000/);
    const f1 = await one(`    - type: segment\n      metric: f1\n      where: { tier: [VIP, standard] }\n      min: 0.4\n      resamples: 300\n`);
    expect(f1).toMatchObject({ status: 'pass', details: { method: 'bootstrap', rows: 3000 } });
  });

  it('reports an empty segment as an error at the check', async () => {
    const result = await one(`    - type: segment\n      metric: precision\n      where: { tier: Gold }\n      min: 0.9\n`);
    expect(result.status).toBe('error');
    expect(result.message).toBe('model-release.yml:10 model.checks.0 (segment precision where tier = Gold): the segment tier = Gold has no rows in predictions.csv');
  });
});

describe('stability and overfitting', () => {
  it('stability: sample standard deviation across folds', async () => {
    expect((await one(`    - type: stability\n      metric: auc\n      max-std: 0.02\n`)).status).toBe('pass');
    const fail = await one(`    - type: stability\n      metric: accuracy\n      max-std: 0.02\n`);
    expect(fail.status).toBe('fail');
    expect(fail.observed).toBeCloseTo(0.0311448230047949, 6);
    expect((fail.details as { std: number }).std).toBeCloseTo(0.0311448230047949, 12); // numpy std(ddof=1)
    expect((await one(`    - type: stability\n      metric: f1\n      max-std: 0.02\n`)).message).toMatch(/has no folds\.f1 \(folds it has: auc, accuracy\)/);
  });

  it('overfitting: a significant rise of validation loss while training loss falls', async () => {
    const ok = await one(`    - type: overfitting\n      last-epochs: 5\n`);
    expect(ok.status).toBe('pass');
    const bad = await one(`    - type: overfitting\n      last-epochs: 5\n`, '  metrics: metrics-overfit.json\n');
    expect(bad.status).toBe('fail');
    // scipy.stats.linregress on the last 5 val_loss values: slope 0.014, two-sided p 0.000432.
    expect((bad.details as { val: { slope: number; pIncreasing: number } }).val.slope).toBeCloseTo(0.014, 9);
    expect((bad.details as { val: { pIncreasing: number } }).val.pIncreasing).toBeCloseTo(0.0004321726435081031 / 2, 9);
    const gap = await one(`    - type: overfitting\n      max-gap: 0.1\n`);
    expect(gap.status).toBe('fail');
    expect(gap.message).toMatch(/mean val − train gap 0\.1\d+ > 0\.1/);
  });
});

describe('agreement', () => {
  it('passes on correlated scores and fails on a PSI limit', async () => {
    const pass = await one(`    - type: agreement\n      min-pearson: 0.5\n      min-spearman: 0.5\n      min-kappa: 0.3\n      max-psi: 0.2\n`);
    expect(pass.status).toBe('pass');
    expect(pass.details).toMatchObject({ pearson: expect.closeTo(expected.agreement.pearson, 9), kappa: expect.closeTo(expected.agreement.kappa, 9), psi: expect.closeTo(expected.agreement.psi10, 9) });
    const fail = await one(`    - type: agreement\n      max-psi: 0.0001\n`);
    expect(fail).toMatchObject({ status: 'fail', observed: 'psi' });
  });
});

describe('bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-model-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing column names the column, the file\'s columns, the check and its line', async () => {
    const head = PREDICTIONS.replace('score_production', 'score_prod');
    const result = await one(`    - type: non-inferiority\n      metric: auc\n      margin: 0.01\n`, head);
    expect(result.status).toBe('error');
    expect(result.message).toBe(
      "model-release.yml:8 model.checks.0 (non-inferiority auc): predictions.csv has no column 'score_prod' (its columns: label, score_candidate, score_production, tier, region)".replace('predictions.csv', join(FIXTURES, 'predictions.csv')),
    );
  });

  it('labels that are not 0/1 for a binary metric', async () => {
    writeFileSync(join(dir, 'p.csv'), 'y,c,p\n0,0.1,0.2\n1,0.8,0.7\n2,0.4,0.5\n');
    const head = '  predictions:\n    path: p.csv\n    label: y\n    candidate: c\n    production: p\n';
    const result = await one(`    - type: metric\n      metric: precision\n      min: 0.5\n`, head, dir);
    expect(result.message).toBe("model-release.yml:8 model.checks.0 (metric precision): precision needs labels 0 or 1, but label column 'y' has 1 other value (first: 2 on data row 3)");
    // rmse is not a binary metric: the same file is fine for it.
    expect((await one(`    - type: metric\n      metric: rmse\n      max: 1\n`, head, dir)).status).toBe('pass');
  });

  it('empty and non-numeric values are named per column', async () => {
    writeFileSync(join(dir, 'q.csv'), 'y,c\n0,0.1\n1,\n1,high\n');
    const result = await one(`    - type: metric\n      metric: auc\n      min: 0.5\n`, '  predictions:\n    path: q.csv\n    label: y\n    candidate: c\n', dir);
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/column 'c' has 1 empty value; column 'c' has 1 value that is not a number/);
  });

  it('reads Parquet too', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${join(FIXTURES, 'predictions.csv')}')) TO '${join(dir, 'p.parquet')}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const head = PREDICTIONS.replace('predictions.csv', join(dir, 'p.parquet'));
    const result = await one(`    - type: metric\n      metric: auc\n      min: 0.7\n`, head);
    expect(result.observed).toBeCloseTo(expected.metrics.candidate.auc, 6);
  });

  it('a missing metrics file is the error of the checks that read it', async () => {
    const results = await gate(`    - type: stability\n      metric: auc\n      max-std: 0.1\n    - type: metric\n      metric: auc\n      min: 0.5\n`, `  metrics: nope.json\n${PREDICTIONS}`);
    expect(results.map((r) => r.status)).toEqual(['error', 'pass']);
    expect(results[0]!.message).toMatch(/^model-release\.yml:9 model\.checks\.0 \(stability auc\): metrics file not found: .*nope\.json$/);
  });
});

describe('config', () => {
  it('rejects keys of another check type and methods that do not fit the metric, at their line', () => {
    const loaded = parseConfigText(
      `model:\n${PREDICTIONS}  checks:\n    - type: stability\n      metric: auc\n      max-std: 0.1\n      margin: 3\n    - type: non-inferiority\n      metric: auc\n      method: mcnemar\n      margin: 0.01\n`,
      'model-release.yml',
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.map((e) => `${e.line} ${e.path}: ${e.message}`)).toEqual([
      "8 model.checks.0: a 'stability' check reads the metrics file: set model.metrics",
      "11 model.checks.0.margin: does not apply to a 'stability' check (its keys: metric, max-std)",
      '14 model.checks.1.method: mcnemar compares paired accuracy; for auc use bootstrap or delong',
    ]);
  });
});
