/**
 * The model checks as pure functions: inputs (metrics files, predictions) in, a verdict with
 * the numbers that justify it out. Bad input throws CheckInputError; the gate turns it into an
 * `error` result that names the check and its config line.
 */
import type { AgreementCheck, BaselineCheck, MetricCheck, ModelCheck, NonInferiorityCheck, OverfittingCheck, SegmentCheck, StabilityCheck } from './config.js';
import type { MetricsFile } from './io/metrics-file.js';
import type { Predictions } from './io/predictions.js';
import { cohensKappa, pearson, psi, spearman } from './stats/agreement.js';
import { bootstrapMetric, pairedBootstrap, percentileInterval, shareAtOrAbove, shareAtOrBelow } from './stats/bootstrap.js';
import { delong } from './stats/delong.js';
import { normQuantile, normSf } from './stats/distributions.js';
import { computeMetric, confusion, isKnownMetric, METRIC_INFO } from './stats/metrics.js';
import type { Direction, KnownMetric } from './stats/metrics.js';
import { pairedAccuracyNonInferiority } from './stats/mcnemar.js';
import { minimumDetectableEffect, nonInferiorityVerdict } from './stats/power.js';
import { slopeTest } from './stats/trend.js';
import { wilsonLowerBound, wilsonUpperBound } from './stats/wilson.js';

export class CheckInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckInputError';
  }
}

export interface CheckInputs {
  metrics?: MetricsFile;
  baseline?: MetricsFile;
  predictions?: Predictions;
  predictionsPath?: string;
  columns: ColumnNames;
  threshold: number;
}

export interface Verdict {
  /** pass, fail, or inconclusive (fails unless the check says warn). */
  outcome: 'pass' | 'fail' | 'inconclusive';
  observed: number | string | null;
  expected: string;
  message: string;
  details: Record<string, unknown>;
}

/** Round for messages: 4 significant decimals is what a reader compares. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toFixed(digits)).toString();
}

export function evaluateCheck(check: ModelCheck, inputs: CheckInputs): Verdict {
  switch (check.type) {
    case 'metric':
      return metricCheck(check, inputs);
    case 'baseline':
      return baselineCheck(check, inputs);
    case 'non-inferiority':
      return nonInferiorityCheck(check, inputs);
    case 'segment':
      return segmentCheck(check, inputs);
    case 'stability':
      return stabilityCheck(check, inputs);
    case 'overfitting':
      return overfittingCheck(check, inputs);
    case 'agreement':
      return agreementCheck(check, inputs);
  }
}

function directionOf(metric: string, explicit: Direction | undefined): Direction {
  if (explicit) return explicit;
  if (isKnownMetric(metric)) return METRIC_INFO[metric].direction;
  throw new CheckInputError(`say which way '${metric}' is better: add direction: higher or direction: lower`);
}

/** 0/1 labels for a binary metric; a clear error with the first offending value otherwise. */
export function requireBinaryLabels(metric: string, p: Predictions, column: string): void {
  let bad = 0;
  let first: number | undefined;
  for (let i = 0; i < p.rows; i++) {
    const y = p.label[i]!;
    if (y !== 0 && y !== 1) {
      bad++;
      if (first === undefined) first = i;
    }
  }
  if (bad > 0) {
    throw new CheckInputError(
      `${metric} needs labels 0 or 1, but label column '${column}' has ${bad} other value${bad === 1 ? '' : 's'} (first: ${p.label[first!]} on data row ${first! + 1})`,
    );
  }
}

function requireProbabilities(metric: string, scores: Float64Array, column: string): void {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s < 0 || s > 1) throw new CheckInputError(`${metric} needs probabilities in [0, 1], but column '${column}' has ${s} on data row ${i + 1}`);
  }
}

function predictionsOrThrow(inputs: CheckInputs, needProduction: boolean): Predictions & { production: Float64Array } {
  const p = inputs.predictions;
  if (!p) throw new CheckInputError('this check needs model.predictions');
  if (needProduction && !p.production) throw new CheckInputError("this check needs the production model's column: set model.predictions.production");
  return p as Predictions & { production: Float64Array };
}

function validateForMetric(metric: KnownMetric, p: Predictions, columns: { label: string; scores: Array<[Float64Array, string]> }): void {
  if (METRIC_INFO[metric].binary) requireBinaryLabels(metric, p, columns.label);
  if (metric === 'logloss') for (const [s, c] of columns.scores) requireProbabilities(metric, s, c);
}

/** Column names of the predictions file, for messages. */
export interface ColumnNames {
  label: string;
  candidate: string;
  production?: string;
}

function candidateValue(metric: string, inputs: CheckInputs): { value: number; source: string } {
  if (inputs.predictions && isKnownMetric(metric)) {
    const p = inputs.predictions;
    validateForMetric(metric, p, { label: inputs.columns.label, scores: [[p.candidate, inputs.columns.candidate]] });
    return { value: computeMetric(metric, p.label, p.candidate, inputs.threshold), source: `${inputs.predictionsPath ?? 'predictions'} (${p.rows} rows)` };
  }
  return fromFile(metric, inputs.metrics, 'model.metrics');
}

function fromFile(metric: string, file: MetricsFile | undefined, key: string): { value: number; source: string } {
  if (!file) throw new CheckInputError(`'${metric}' is not computed from predictions here, so it must come from a metrics file: set ${key}`);
  const value = file.metrics[metric];
  if (value === undefined) {
    const names = Object.keys(file.metrics);
    throw new CheckInputError(`${file.path} has no metric '${metric}' (it has: ${names.length > 0 ? names.join(', ') : 'none'})`);
  }
  return { value, source: file.path };
}

function metricCheck(check: MetricCheck, inputs: CheckInputs): Verdict {
  const { value, source } = candidateValue(check.metric, inputs);
  const low = check.min !== undefined && !(value >= check.min);
  const high = check.max !== undefined && !(value <= check.max);
  const bounds = [check.min !== undefined ? `≥ ${check.min}` : '', check.max !== undefined ? `≤ ${check.max}` : ''].filter(Boolean).join(' and ');
  const ok = !low && !high && Number.isFinite(value);
  return {
    outcome: ok ? 'pass' : 'fail',
    observed: Number(fmt(value, 6)),
    expected: bounds,
    message: `${check.metric} ${fmt(value)} ${ok ? 'is' : 'is not'} ${bounds} (from ${source}).`,
    details: { metric: check.metric, value, source },
  };
}

function baselineCheck(check: BaselineCheck, inputs: CheckInputs): Verdict {
  const direction = directionOf(check.metric, check.direction);
  let candidate: number;
  let production: number;
  let source: string;
  const p = inputs.predictions;
  if (p?.production && isKnownMetric(check.metric)) {
    validateForMetric(check.metric, p, { label: inputs.columns.label, scores: [[p.candidate, inputs.columns.candidate], [p.production, inputs.columns.production ?? 'production']] });
    candidate = computeMetric(check.metric, p.label, p.candidate, inputs.threshold);
    production = computeMetric(check.metric, p.label, p.production, inputs.threshold);
    source = `${inputs.predictionsPath ?? 'predictions'} (${p.rows} rows, both models)`;
  } else {
    candidate = fromFile(check.metric, inputs.metrics, 'model.metrics').value;
    production = fromFile(check.metric, inputs.baseline, 'model.baseline').value;
    source = `${inputs.metrics?.path ?? ''} vs ${inputs.baseline?.path ?? ''}`;
  }
  const allowed = check.relative ? check.margin * Math.abs(production) : check.margin;
  // Shortfall: how much worse the candidate is (positive = worse), whichever way is better.
  const shortfall = direction === 'higher' ? production - candidate : candidate - production;
  const ok = shortfall <= allowed;
  const marginText = check.relative ? `${fmt(check.margin * 100, 2)}% of production = ${fmt(allowed)}` : fmt(allowed);
  return {
    outcome: ok ? 'pass' : 'fail',
    observed: Number(fmt(candidate, 6)),
    expected: `${direction === 'higher' ? '≥' : '≤'} ${fmt(direction === 'higher' ? production - allowed : production + allowed, 6)}`,
    message: `${check.metric} ${fmt(candidate)} vs production ${fmt(production)} (${direction} is better): ${shortfall > 0 ? `worse by ${fmt(shortfall)}` : 'not worse'}, allowed ${marginText} (point comparison, from ${source}).`,
    details: { metric: check.metric, candidate, production, difference: candidate - production, direction, allowedShortfall: allowed, source },
  };
}

function defaultMethod(metric: KnownMetric): 'mcnemar' | 'delong' | 'bootstrap' {
  return metric === 'accuracy' ? 'mcnemar' : metric === 'auc' ? 'delong' : 'bootstrap';
}

/**
 * The statistical comparison with production on the same rows. Everything is reported on the
 * candidate − production scale; for lower-is-better metrics "worse by more than the margin"
 * means a difference above +margin, and the upper bound is the one that decides.
 */
function nonInferiorityCheck(check: NonInferiorityCheck, inputs: CheckInputs): Verdict {
  const p = predictionsOrThrow(inputs, true);
  const metric = check.metric as KnownMetric;
  validateForMetric(metric, p, { label: inputs.columns.label, scores: [[p.candidate, inputs.columns.candidate], [p.production, inputs.columns.production ?? 'production']] });
  const direction = directionOf(metric, check.direction);
  const method = check.method ?? defaultMethod(metric);
  const { alpha, margin, power } = check;
  const sign = direction === 'higher' ? 1 : -1;
  let estimate: number;
  let interval: [number, number];
  let pValue: number;
  let standardError: number;
  let candidate: number;
  let production: number;
  const extra: Record<string, unknown> = {};

  if (method === 'mcnemar') {
    let b = 0;
    let c = 0;
    for (let i = 0; i < p.rows; i++) {
      const y = p.label[i];
      const rc = (p.candidate[i]! >= inputs.threshold ? 1 : 0) === y;
      const rp = (p.production[i]! >= inputs.threshold ? 1 : 0) === y;
      if (rc && !rp) b++;
      else if (!rc && rp) c++;
    }
    const test = pairedAccuracyNonInferiority(b, c, p.rows, margin, alpha);
    ({ estimate, interval, pValue, standardError } = test);
    candidate = computeMetric('accuracy', p.label, p.candidate, inputs.threshold);
    production = computeMetric('accuracy', p.label, p.production, inputs.threshold);
    Object.assign(extra, { discordant: { candidateOnlyCorrect: b, productionOnlyCorrect: c }, test: test.method, mcnemar: test.mcnemar });
  } else if (method === 'delong') {
    const test = delong(p.label, p.candidate, p.production);
    estimate = test.estimate;
    standardError = test.standardError;
    candidate = test.aucCandidate;
    production = test.aucProduction;
    const z = standardError > 0 ? (estimate + margin) / standardError : estimate + margin > 0 ? Infinity : -Infinity;
    pValue = normSf(z);
    const half = standardError * normQuantile(1 - alpha);
    interval = [estimate - half, estimate + half];
    Object.assign(extra, { test: 'delong', z, positives: test.positives, negatives: test.negatives });
  } else {
    const boot = pairedBootstrap(metric, { label: p.label, candidate: p.candidate, production: p.production, threshold: inputs.threshold }, { resamples: check.resamples, seed: check.seed });
    estimate = boot.estimate;
    candidate = boot.candidate;
    production = boot.production;
    standardError = boot.standardError;
    interval = percentileInterval(boot.differences, alpha);
    pValue = sign === 1 ? shareAtOrBelow(boot.differences, -margin) : shareAtOrAbove(boot.differences, margin);
    Object.assign(extra, { test: 'paired-bootstrap', resamples: check.resamples, usedResamples: boot.differences.length, seed: check.seed });
  }
  const mde = minimumDetectableEffect(standardError, alpha, power);
  const verdict = nonInferiorityVerdict(pValue, alpha, mde, margin);
  const confidence = fmt((1 - 2 * alpha) * 100, 2);
  const bound = sign === 1 ? `lower bound ${fmt(interval[0])} ${interval[0] > -margin ? '>' : '≤'} −${fmt(margin)}` : `upper bound ${fmt(interval[1])} ${interval[1] < margin ? '<' : '≥'} +${fmt(margin)}`;
  const head = `${metric} candidate ${fmt(candidate)} vs production ${fmt(production)}: difference ${fmt(estimate)}, ${confidence}% CI [${fmt(interval[0])}, ${fmt(interval[1])}] (${bound}), p = ${fmtP(pValue)} (${String(extra.test)}), MDE ${fmt(mde)} at n = ${p.rows}, power ${power}`;
  const tail =
    verdict === 'non-inferior'
      ? `non-inferior within margin ${fmt(margin)}.`
      : verdict === 'inconclusive'
        ? `inconclusive: the test set is too small to detect a margin of ${fmt(margin)} (MDE ${fmt(mde)} > margin).`
        : `not shown non-inferior within margin ${fmt(margin)}.`;
  return {
    outcome: verdict === 'non-inferior' ? 'pass' : verdict === 'inconclusive' ? 'inconclusive' : 'fail',
    observed: Number(fmt(estimate, 6)),
    expected: `${sign === 1 ? '>' : '<'} ${sign === 1 ? -margin : margin} (p < ${alpha})`,
    message: `${head} → ${tail}`,
    details: { metric, method, direction, candidate, production, estimate, interval, confidence: 1 - 2 * alpha, pValue, alpha, margin, standardError, mde, power, n: p.rows, verdict, ...extra },
  };
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : fmt(p);
}

function segmentRows(check: SegmentCheck, p: Predictions): Uint32Array {
  const filters = Object.entries(check.where).map(([column, values]) => ({ values: new Set(values), column: p.segments.get(column)! }));
  const rows: number[] = [];
  for (let i = 0; i < p.rows; i++) if (filters.every((f) => f.values.has(f.column[i]!))) rows.push(i);
  return Uint32Array.from(rows);
}

function segmentCheck(check: SegmentCheck, inputs: CheckInputs): Verdict {
  const p = predictionsOrThrow(inputs, false);
  const metric = check.metric as KnownMetric;
  validateForMetric(metric, p, { label: inputs.columns.label, scores: [[p.candidate, inputs.columns.candidate]] });
  const rows = segmentRows(check, p);
  const where = Object.entries(check.where)
    .map(([k, v]) => `${k} = ${v.join('|')}`)
    .join(' and ');
  if (rows.length === 0) throw new CheckInputError(`the segment ${where} has no rows in ${inputs.predictionsPath ?? 'the predictions'}`);
  const label = new Float64Array(rows.length);
  const score = new Float64Array(rows.length);
  rows.forEach((r, k) => {
    label[k] = p.label[r]!;
    score[k] = p.candidate[r]!;
  });
  const value = computeMetric(metric, label, score, inputs.threshold);
  const tooSmall = rows.length < check.minSize;
  const method = check.method ?? (['accuracy', 'precision', 'recall'].includes(metric) ? 'wilson' : 'bootstrap');
  let lower: number;
  let upper: number;
  let trials: number;
  if (method === 'wilson') {
    const c = confusion(label, score, inputs.threshold);
    const [successes, total] = metric === 'precision' ? [c.tp, c.tp + c.fp] : metric === 'recall' ? [c.tp, c.tp + c.fn] : [c.tp + c.tn, rows.length];
    trials = total;
    if (total === 0) {
      throw new CheckInputError(`${metric} is undefined on the segment ${where}: ${metric === 'precision' ? 'the candidate predicts no positive' : 'there is no positive label'} among its ${rows.length} rows`);
    }
    lower = wilsonLowerBound(successes, total, check.alpha);
    upper = wilsonUpperBound(successes, total, check.alpha);
  } else {
    const boot = bootstrapMetric(metric, { label, score, threshold: inputs.threshold }, { resamples: check.resamples, seed: check.seed });
    [lower, upper] = percentileInterval(boot.values, check.alpha);
    trials = rows.length;
  }
  const confidence = fmt((1 - check.alpha) * 100, 2);
  const failsMin = check.min !== undefined && !(lower >= check.min);
  const failsMax = check.max !== undefined && !(upper <= check.max);
  const boundsText = [check.min !== undefined ? `${confidence}% lower bound ${fmt(lower)} ${failsMin ? '<' : '≥'} min ${check.min}` : '', check.max !== undefined ? `${confidence}% upper bound ${fmt(upper)} ${failsMax ? '>' : '≤'} max ${check.max}` : '']
    .filter(Boolean)
    .join(', ');
  const sizeText = tooSmall ? `; the segment has ${rows.length} rows, fewer than min-size ${check.minSize}` : '';
  return {
    outcome: failsMin || failsMax || tooSmall ? 'fail' : 'pass',
    observed: Number(fmt(value, 6)),
    expected: [check.min !== undefined ? `lower bound ≥ ${check.min}` : '', check.max !== undefined ? `upper bound ≤ ${check.max}` : ''].filter(Boolean).join(', '),
    message: `${metric} where ${where}: ${fmt(value)} on ${rows.length} rows (${method}${method === 'wilson' ? `, ${trials} in the denominator` : ''}); ${boundsText}${sizeText}.`,
    details: { metric, where: check.where, rows: rows.length, value, lower, upper, confidence: 1 - check.alpha, method, denominator: trials, minSize: check.minSize },
  };
}

function stabilityCheck(check: StabilityCheck, inputs: CheckInputs): Verdict {
  if (!inputs.metrics) throw new CheckInputError('stability reads per-fold values from model.metrics');
  const values = inputs.metrics.folds[check.metric];
  if (!values) {
    const names = Object.keys(inputs.metrics.folds);
    throw new CheckInputError(`${inputs.metrics.path} has no folds.${check.metric} (folds it has: ${names.length > 0 ? names.join(', ') : 'none'})`);
  }
  if (values.length < 2) throw new CheckInputError(`${inputs.metrics.path}: folds.${check.metric} needs at least 2 values for a standard deviation (has ${values.length})`);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  const ok = std <= check.maxStd;
  return {
    outcome: ok ? 'pass' : 'fail',
    observed: Number(fmt(std, 6)),
    expected: `≤ ${check.maxStd}`,
    message: `${check.metric} across ${values.length} folds: mean ${fmt(mean)}, standard deviation ${fmt(std)} ${ok ? '≤' : '>'} ${check.maxStd}.`,
    details: { metric: check.metric, values, mean, std, maxStd: check.maxStd },
  };
}

function overfittingCheck(check: OverfittingCheck, inputs: CheckInputs): Verdict {
  const file = inputs.metrics;
  if (!file) throw new CheckInputError('overfitting reads learning curves from model.metrics');
  const { trainLoss, valLoss } = file.curves;
  if (!trainLoss || !valLoss) throw new CheckInputError(`${file.path} has no learning_curves.train_loss and learning_curves.val_loss`);
  const k = check.lastEpochs;
  if (trainLoss.length < k || valLoss.length < k) {
    throw new CheckInputError(`${file.path}: the learning curves have ${Math.min(trainLoss.length, valLoss.length)} epochs, fewer than last-epochs ${k}`);
  }
  const train = slopeTest(trainLoss.slice(-k));
  const val = slopeTest(valLoss.slice(-k));
  const trainFalling = train.slope < 0;
  const valRising = val.pIncreasing < check.alpha;
  const diverging = trainFalling && valRising;
  let gap: number | undefined;
  if (check.maxGap !== undefined) {
    let sum = 0;
    for (let i = 1; i <= k; i++) sum += valLoss[valLoss.length - i]! - trainLoss[trainLoss.length - i]!;
    gap = sum / k;
  }
  const gapFails = gap !== undefined && check.maxGap !== undefined && gap > check.maxGap;
  const parts = [
    `over the last ${k} epochs train_loss slope ${fmt(train.slope, 5)}/epoch (p falling = ${fmtP(train.pDecreasing)}), val_loss slope ${fmt(val.slope, 5)}/epoch (p rising = ${fmtP(val.pIncreasing)}, OLS t-test, ${val.df} df)`,
  ];
  if (diverging) parts.push(`validation loss rises while training loss falls (p ${fmtP(val.pIncreasing)} < ${check.alpha})`);
  if (gap !== undefined) parts.push(`mean val − train gap ${fmt(gap)} ${gapFails ? '>' : '≤'} ${check.maxGap}`);
  return {
    outcome: diverging || gapFails ? 'fail' : 'pass',
    observed: gap !== undefined ? Number(fmt(gap, 6)) : Number(fmt(val.slope, 6)),
    expected: gap !== undefined ? `val slope not significantly > 0, gap ≤ ${check.maxGap}` : 'val slope not significantly > 0',
    message: `${diverging || gapFails ? 'Overfitting' : 'No overfitting'}: ${parts.join('; ')}.`,
    details: { lastEpochs: k, alpha: check.alpha, train, val, gap, maxGap: check.maxGap },
  };
}

function agreementCheck(check: AgreementCheck, inputs: CheckInputs): Verdict {
  const p = predictionsOrThrow(inputs, true);
  const failures: string[] = [];
  const parts: string[] = [];
  const details: Record<string, unknown> = { n: p.rows };
  const judge = (name: string, value: number, limit: number | undefined, kind: 'min' | 'max') => {
    if (limit === undefined) return;
    const ok = kind === 'min' ? value >= limit : value <= limit;
    parts.push(`${name} ${fmt(value)} ${ok ? (kind === 'min' ? '≥' : '≤') : kind === 'min' ? '<' : '>'} ${limit}`);
    if (!ok) failures.push(name);
    details[name] = value;
  };
  if (check.minPearson !== undefined) judge('pearson', pearson(p.candidate, p.production), check.minPearson, 'min');
  if (check.minSpearman !== undefined) judge('spearman', spearman(p.candidate, p.production), check.minSpearman, 'min');
  if (check.minKappa !== undefined) {
    const lab = (s: Float64Array) => s.map((v) => (v >= inputs.threshold ? 1 : 0));
    judge('kappa', cohensKappa(lab(p.candidate), lab(p.production)), check.minKappa, 'min');
  }
  if (check.maxPsi !== undefined) {
    const result = psi(p.production, p.candidate, check.bins);
    judge('psi', result.psi, check.maxPsi, 'max');
    details.psiBins = { cuts: result.cuts, production: result.expectedShares, candidate: result.actualShares };
  }
  return {
    outcome: failures.length === 0 ? 'pass' : 'fail',
    observed: failures.length === 0 ? 'agree' : failures.join(', '),
    expected: [
      check.minPearson !== undefined ? `pearson ≥ ${check.minPearson}` : '',
      check.minSpearman !== undefined ? `spearman ≥ ${check.minSpearman}` : '',
      check.minKappa !== undefined ? `kappa ≥ ${check.minKappa}` : '',
      check.maxPsi !== undefined ? `psi ≤ ${check.maxPsi}` : '',
    ]
      .filter(Boolean)
      .join(', '),
    message: `Candidate vs production on ${p.rows} rows: ${parts.join(', ')}.`,
    details,
  };
}
