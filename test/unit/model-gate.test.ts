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
import { SeededRandom } from '../../src/model/stats/random.js';
import { runModelGate } from '../../src/model/gate.js';
import type { CheckResult } from '../../src/report/result.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/model/', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const paired = JSON.parse(readFileSync(join(FIXTURES, 'paired-reference.json'), 'utf8')) as any;

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
  it("McNemar/Tango on accuracy: passes with a wide margin, reports estimate, Tango's CI, p and MDE", async () => {
    const result = await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: 0.02\n`);
    expect(result.status).toBe('pass');
    const d = result.details as Record<string, number | string | number[]>;
    const ref = paired.tango.fixture;
    expect(d.pValue).toBeCloseTo(ref.margins[3].pValue, 9);
    expect(d.pWorse).toBeCloseTo(ref.margins[3].pWorse, 9);
    expect((d.interval as number[])[0]).toBeCloseTo(ref.interval[0], 9);
    expect((d.interval as number[])[1]).toBeCloseTo(ref.interval[1], 9);
    expect(d.test).toBe('tango-score');
    expect(result.message).toMatch(/difference 0\.0017, 90% CI \[-0\.0124, 0\.0157\] \(lower bound -0\.0124 > −0\.02\), p = 0\.0057 \(tango-score\), MDE 0\.0212 at n = 3000, power 0\.8 → non-inferior/);
  });

  it('reports the same interval whatever the margin', async () => {
    const intervals = await Promise.all([0, 0.005, 0.02].map(async (margin) => ((await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: ${margin}\n`)).details as { interval: number[] }).interval));
    expect(intervals[1]).toEqual(intervals[0]);
    expect(intervals[2]).toEqual(intervals[0]);
  });

  it('is inconclusive (and fails) when the interval straddles −margin, the MDE saying why; warn on request', async () => {
    const result = await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: 0.005\n`);
    expect(result.status).toBe('fail');
    expect(result.details).toMatchObject({ verdict: 'inconclusive' });
    expect(result.message).toMatch(/inconclusive: the 90% CI contains −0\.005; the test set is too small to tell at this margin \(MDE 0\.0212 > margin 0\.005\)/);
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

  it('fails a candidate that is clearly worse on a test set large enough to tell', async () => {
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
    const verdict = await evaluateCheck(check, { predictions: { rows: n, label, candidate, production, segments: new Map() }, columns: { label: 'y', candidate: 'c' }, threshold: 0.5 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.details).toMatchObject({ verdict: 'inferior', estimate: expect.closeTo(-0.2, 10) });
  });
});

/** Rows of y,c,p where the candidate alone is right on `b`, production alone on `c`, both on `same` (0/1 scores). */
function accuracyRows(b: number, c: number, same: number, extra = ''): string[] {
  const rows: string[] = [];
  const n = b + c + same;
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const candidateRight = i < b || i >= b + c;
    const productionRight = i >= b;
    rows.push(`${y},${candidateRight ? y : 1 - y},${productionRight ? y : 1 - y}${extra}`);
  }
  return rows;
}

/** Two models on one hold-out set: production's scores carry less noise than the candidate's. */
function worseScores(n: number, seed: number) {
  const random = new SeededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat());
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const label = new Float64Array(n);
  const candidate = new Float64Array(n);
  const production = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const signal = gauss();
    label[i] = signal + 0.8 * gauss() > 0 ? 1 : 0;
    production[i] = sigmoid(2 * signal + 0.5 * gauss());
    candidate[i] = sigmoid(2 * signal + 1.6 * gauss());
  }
  return { rows: n, label, candidate, production, segments: new Map<string, string[]>() };
}

describe('a conclusively worse candidate is inferior, whatever the MDE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-model-worse-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accuracy −6.3 points, 90% CI [−7.4, −5.1], margin 1 point: fails even with on-inconclusive: warn', async () => {
    // b − c = 266 − 518 = −252 of 4000 rows: the MDE (0.017) is above the margin, the interval is far below it.
    writeFileSync(join(dir, 'worse.csv'), ['y,c,p', ...accuracyRows(266, 518, 4000 - 266 - 518)].join('\n') + '\n');
    const head = '  predictions:\n    path: worse.csv\n    label: y\n    candidate: c\n    production: p\n';
    const result = await one(`    - type: non-inferiority\n      metric: accuracy\n      margin: 0.01\n      on-inconclusive: warn\n`, head, dir);
    const ref = paired.tango.clearlyWorse;
    expect(result.status).toBe('fail');
    expect(result.details).toMatchObject({ verdict: 'inferior', estimate: expect.closeTo(-0.063, 12), pWorse: expect.closeTo(ref.margins[0].pWorse, 9) });
    expect((result.details as { mde: number }).mde).toBeGreaterThan(0.01);
    expect(result.message).toContain('difference -0.063, 90% CI [-0.0745, -0.0516] (upper bound -0.0516 < −0.01)');
    expect(result.message).toMatch(/→ inferior: the whole 90% CI lies below −0\.01: the candidate is worse than production by more than the margin \(one-sided p = \d\.\de-\d+\)\.$/);
  });

  it.each([
    ['auc', 'delong'],
    ['f1', 'paired-bootstrap'],
  ])('%s (%s): an interval wholly below −margin fails though MDE > margin', async (metric, test) => {
    const check: NonInferiorityCheck = { type: 'non-inferiority', path: 'model.checks.0', id: 'model.x', title: 'x', severity: 'error', metric, margin: 0.01, alpha: 0.05, power: 0.8, resamples: 1000, seed: 1, onInconclusive: 'warn' };
    const verdict = await evaluateCheck(check, { predictions: worseScores(1500, 42), columns: { label: 'y', candidate: 'c', production: 'p' }, threshold: 0.5 });
    const d = verdict.details as { interval: [number, number]; mde: number; verdict: string; test: string };
    expect(d.test).toBe(test);
    expect(d.mde).toBeGreaterThan(0.01);
    expect(d.interval[1]).toBeLessThan(-0.01);
    expect(verdict.outcome).toBe('fail');
    expect(d.verdict).toBe('inferior');
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

describe('segment min-size counts what the metric divides by', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-model-segment-'));
    // Segment VIP: 120 rows, the candidate predicts 38 positives (36 right), 60 actual positives.
    const rows: string[] = [];
    for (let i = 0; i < 120; i++) {
      const y = i < 60 ? 1 : 0;
      const predicted = i < 36 || (i >= 60 && i < 62) ? 1 : 0;
      rows.push(`${y},${predicted ? 0.9 : 0.1},${y ? 0.8 : 0.2},VIP`);
    }
    for (let i = 0; i < 200; i++) rows.push(`${i % 2},${i % 2 ? 0.7 : 0.3},${i % 2 ? 0.8 : 0.2},standard`);
    writeFileSync(join(dir, 'seg.csv'), ['y,c,p,tier', ...rows].join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const head = '  predictions:\n    path: seg.csv\n    label: y\n    candidate: c\n    production: p\n';

  it('precision on 38 predicted positives fails min-size 50 although the segment has 120 rows', async () => {
    const result = await one(`    - type: segment\n      metric: precision\n      where: { tier: VIP }\n      min: 0.5\n      min-size: 50\n`, head, dir);
    expect(result.status).toBe('fail');
    expect(result.details).toMatchObject({ rows: 120, denominator: 38, denominatorUnits: 'predicted positives', minSize: 50 });
    expect(result.message).toBe(
      'precision where tier = VIP: 0.9474 on 120 rows, 38 predicted positives; 95% lower bound 0.8528 ≥ min 0.5 (wilson); 38 predicted positives, fewer than min-size 50.',
    );
  });

  it('recall counts actual positives, accuracy rows, AUC the smaller class', async () => {
    const recall = await one(`    - type: segment\n      metric: recall\n      where: { tier: VIP }\n      min: 0.3\n      min-size: 50\n`, head, dir);
    expect(recall).toMatchObject({ status: 'pass', details: { denominator: 60, denominatorUnits: 'actual positives' } });
    const accuracy = await one(`    - type: segment\n      metric: accuracy\n      where: { tier: VIP }\n      min: 0.5\n      min-size: 121\n`, head, dir);
    expect(accuracy).toMatchObject({ status: 'fail', details: { denominator: 120, denominatorUnits: 'rows' } });
    const auc = await one(`    - type: segment\n      metric: auc\n      where: { tier: VIP }\n      min: 0.5\n      min-size: 61\n      resamples: 200\n`, head, dir);
    expect(auc).toMatchObject({ status: 'fail', details: { denominator: 60, denominatorUnits: 'rows of the smaller class' } });
    expect(auc.message).toContain('60 rows of the smaller class (60 positive, 60 negative), fewer than min-size 61');
  });
});

describe('segments compared with production (Holm across the segment comparisons)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-model-holm-'));
    // A: clearly worse (b 20, c 120 of 1000); B: worse alone (b 30, c 57: upper bound −0.0118, p 0.033); C: the same model.
    const rows = [...accuracyRows(20, 120, 860, ',A'), ...accuracyRows(30, 57, 913, ',B'), ...accuracyRows(0, 0, 1000, ',C')];
    writeFileSync(join(dir, 'three.csv'), ['y,c,p,tier', ...rows].join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const head = '  predictions:\n    path: three.csv\n    label: y\n    candidate: c\n    production: p\n';
  const segment = (tier: string) => `    - name: seg-${tier}\n      type: segment\n      metric: accuracy\n      where: { tier: ${tier} }\n      margin: 0.01\n`;

  it('one segment alone: its interval below −margin is inferior', async () => {
    const result = await one(segment('B'), head, dir);
    expect(result.status).toBe('fail');
    expect(result.details).toMatchObject({ production: { verdict: 'inferior', test: 'tango-score', holm: { family: 1 } } });
    expect(result.message).toBe(
      'accuracy where tier = B: 0.943 on 1000 rows; vs production 0.97: difference -0.027, 90% CI [-0.0428, -0.0118] (tango-score) → inferior: worse than production by more than 0.01 (one-sided p 0.0327 < 0.05, the only segment comparison).',
    );
  });

  it('three segments: Holm keeps A inferior, makes B inconclusive, C passes; the message states the family', async () => {
    const results = await gate(segment('A') + segment('B') + segment('C'), head, dir);
    expect(results.map((r) => [r.id, r.status, (r.details as { production: { verdict: string } }).production.verdict])).toEqual([
      ['model.seg-A', 'fail', 'inferior'],
      ['model.seg-B', 'fail', 'inconclusive'],
      ['model.seg-C', 'pass', 'non-inferior'],
    ]);
    expect(results[0]!.message).toMatch(/→ inferior: worse than production by more than 0\.01 \(Holm-adjusted one-sided p \d\.\de-\d+ < 0\.05 over 3 segment comparisons\)\.$/);
    expect(results[1]!.message).toContain('→ inconclusive: the 90% CI lies below −0.01, but Holm-adjusted one-sided p 0.0653 ≥ 0.05 over 3 segment comparisons.');
    expect(results[2]!.message).toContain('→ non-inferior within margin 0.01 (one of 3 segment comparisons; a "worse" verdict is Holm-adjusted across them).');
    expect(results[1]!.details).toMatchObject({ production: { holm: { family: 3, adjustedPWorse: expect.closeTo(2 * (results[1]!.details as { production: { pWorse: number } }).production.pWorse, 12) } } });
    // Inconclusive fails by default; on-inconclusive: warn makes it a warning, an inferior segment still fails.
    const warned = await gate(segment('A') + `${segment('B')}      on-inconclusive: warn\n` + segment('C'), head, dir);
    expect(warned.map((r) => r.status)).toEqual(['fail', 'warn', 'pass']);
  });

  it('needs the production column, and its comparison keys need margin (config errors at their line)', () => {
    const loaded = parseConfigText(
      'model:\n  predictions:\n    path: p.csv\n    label: y\n    candidate: c\n  checks:\n    - type: segment\n      metric: accuracy\n      where: { tier: A }\n      margin: 0.01\n    - type: segment\n      metric: accuracy\n      where: { tier: A }\n      min: 0.5\n      on-inconclusive: warn\n    - type: segment\n      metric: accuracy\n      where: { tier: A }\n',
      'model-release.yml',
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.map((e) => `${e.line} ${e.path}: ${e.message}`)).toEqual([
      "10 model.checks.0.margin: compares the segment with production: set model.predictions.production (the production model's column)",
      "15 model.checks.1.on-inconclusive: applies to a segment's comparison with production: set margin too",
      "16 model.checks.2: a 'segment' check needs min or max (a floor), margin (a comparison with production), or both",
    ]);
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
      "8 model.checks.0: a 'stability' check reads the metrics file: set model.metrics, or model.registry (the candidate's run)",
      "11 model.checks.0.margin: does not apply to a 'stability' check (its keys: metric, max-std)",
      '14 model.checks.1.method: mcnemar compares paired accuracy; for auc use bootstrap or delong',
    ]);
  });
});
