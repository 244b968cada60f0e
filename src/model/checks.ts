/**
 * The model checks as pure functions: inputs (metrics files, predictions) in, a verdict with
 * the numbers that justify it out. Bad input throws CheckInputError; the gate turns it into an
 * `error` result that names the check and its config line.
 */
import { didYouMean } from '../config/suggest.js';
import type { AgreementCheck, BaselineCheck, MetricCheck, ModelCheck, NonInferiorityCheck, OverfittingCheck, SegmentCheck, StabilityCheck } from './config.js';
import type { MetricsFile } from './io/metrics-file.js';
import type { Predictions } from './io/predictions.js';
import { cohensKappa, pearson, psi, spearman } from './stats/agreement.js';
import { bootstrapMetricAsync, pairedBootstrapAsync, percentileInterval, shareAtOrAbove, shareAtOrBelow } from './stats/bootstrap.js';
import { delong } from './stats/delong.js';
import { normCdf, normQuantile, normSf } from './stats/distributions.js';
import { holmAdjust } from './stats/holm.js';
import { computeMetric, confusion, isKnownMetric, METRIC_INFO } from './stats/metrics.js';
import type { Direction, KnownMetric } from './stats/metrics.js';
import { pairedAccuracyNonInferiority } from './stats/mcnemar.js';
import { minimumDetectableEffect, nonInferiorityVerdict } from './stats/power.js';
import type { NonInferiorityVerdict } from './stats/power.js';
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
  /** How often a bootstrap lets the event loop run (ms); default stats/bootstrap.ts's. */
  yieldEveryMs?: number;
}

export interface Verdict {
  /** pass, fail, or inconclusive (fails unless the check says warn). */
  outcome: 'pass' | 'fail' | 'inconclusive';
  observed: number | string | null;
  expected: string;
  message: string;
  details: Record<string, unknown>;
  /**
   * A segment's comparison with production, one of a family: the gate adjusts the p-values of
   * all segment comparisons together (Holm) and re-settles each verdict with `settle`. The
   * verdict as returned is settled as a family of one.
   */
  family?: { pWorse: number; settle: (adjusted: number, size: number) => Verdict };
}

/** Round for messages: 4 significant decimals is what a reader compares. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toFixed(digits)).toString();
}

export async function evaluateCheck(check: ModelCheck, inputs: CheckInputs): Promise<Verdict> {
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
    throw new CheckInputError(`${file.path} has no metric '${metric}' (it has: ${names.length > 0 ? names.join(', ') : 'none'})${didYouMean(metric, names)}`);
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

/** Candidate − production on the same rows, with one interval and the two one-sided p-values of the same test. */
interface Comparison {
  method: 'mcnemar' | 'delong' | 'bootstrap';
  /** The test's name in messages: tango-score, delong, paired-bootstrap. */
  test: string;
  candidate: number;
  production: number;
  estimate: number;
  /** Two-sided (1 − 2α) interval of candidate − production: each end is a one-sided (1 − α) bound. */
  interval: [number, number];
  /** H0 "worse by at least the margin": small when the candidate is shown non-inferior. */
  pValue: number;
  /** H0 "not worse by more than the margin": small when the candidate is shown worse by more than the margin. */
  pWorse: number;
  standardError: number;
  n: number;
  extra: Record<string, unknown>;
}

interface PairedRows {
  label: ArrayLike<number>;
  candidate: ArrayLike<number>;
  production: ArrayLike<number>;
}

/**
 * The paired comparison behind `non-inferiority` and a segment's `margin`: McNemar/Tango for
 * accuracy, DeLong for AUC, the paired bootstrap otherwise (or as asked). Differences are
 * candidate − production; `sign` puts them on the "higher is better" scale for the p-values.
 */
async function compareWithProduction(
  metric: KnownMetric,
  method: 'mcnemar' | 'delong' | 'bootstrap',
  direction: Direction,
  rows: PairedRows,
  settings: { threshold: number; margin: number; alpha: number; resamples: number; seed: number; yieldEveryMs?: number },
): Promise<Comparison> {
  const { threshold, margin, alpha } = settings;
  const sign = direction === 'higher' ? 1 : -1;
  const n = rows.label.length;
  if (method === 'mcnemar') {
    let b = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = rows.label[i];
      const rc = (rows.candidate[i]! >= threshold ? 1 : 0) === y;
      const rp = (rows.production[i]! >= threshold ? 1 : 0) === y;
      if (rc && !rp) b++;
      else if (!rc && rp) c++;
    }
    // Tango's statistic at Δ0 = −sign·margin: the line "worse by the margin" on the accuracy scale.
    const test = pairedAccuracyNonInferiority(b, c, n, sign * margin, alpha);
    return {
      method,
      test: test.method,
      candidate: computeMetric('accuracy', rows.label, rows.candidate, threshold),
      production: computeMetric('accuracy', rows.label, rows.production, threshold),
      estimate: test.estimate,
      interval: test.interval,
      pValue: sign === 1 ? test.pValue : test.pWorse,
      pWorse: sign === 1 ? test.pWorse : test.pValue,
      standardError: test.standardError,
      n,
      extra: { discordant: { candidateOnlyCorrect: b, productionOnlyCorrect: c }, z: test.z, mcnemar: test.mcnemar },
    };
  }
  if (method === 'delong') {
    const test = delong(rows.label, rows.candidate, rows.production);
    const shifted = sign * test.estimate + margin;
    const z = test.standardError > 0 ? shifted / test.standardError : shifted > 0 ? Infinity : shifted < 0 ? -Infinity : 0;
    const half = test.standardError * normQuantile(1 - alpha);
    return {
      method,
      test: 'delong',
      candidate: test.aucCandidate,
      production: test.aucProduction,
      estimate: test.estimate,
      interval: [test.estimate - half, test.estimate + half],
      pValue: normSf(z),
      pWorse: normCdf(z),
      standardError: test.standardError,
      n,
      extra: { z, positives: test.positives, negatives: test.negatives },
    };
  }
  const boot = await pairedBootstrapAsync(
    metric,
    { ...rows, threshold },
    { resamples: settings.resamples, seed: settings.seed, ...(settings.yieldEveryMs !== undefined ? { yieldEveryMs: settings.yieldEveryMs } : {}) },
  );
  if (boot.differences.length === 0) throw new CheckInputError(`${metric} is undefined on every bootstrap resample of these ${n} rows (e.g. no predicted or actual positive)`);
  const d = boot.differences;
  return {
    method,
    test: 'paired-bootstrap',
    candidate: boot.candidate,
    production: boot.production,
    estimate: boot.estimate,
    interval: percentileInterval(d, alpha),
    pValue: sign === 1 ? shareAtOrBelow(d, -margin) : shareAtOrAbove(d, margin),
    pWorse: sign === 1 ? shareAtOrAbove(d, -margin) : shareAtOrBelow(d, margin),
    standardError: boot.standardError,
    n,
    extra: { resamples: settings.resamples, usedResamples: d.length, seed: settings.seed },
  };
}

/** `lower bound −0.051 > −0.01`, the end of the interval that decided, on the metric's scale. */
function boundText(interval: readonly [number, number], margin: number, direction: Direction, verdict: NonInferiorityVerdict): string {
  const [lo, hi] = interval;
  if (direction === 'higher') {
    if (verdict === 'non-inferior') return `lower bound ${fmt(lo)} > −${fmt(margin)}`;
    if (verdict === 'inferior') return `upper bound ${fmt(hi)} < −${fmt(margin)}`;
    return `the interval contains −${fmt(margin)}`;
  }
  if (verdict === 'non-inferior') return `upper bound ${fmt(hi)} < +${fmt(margin)}`;
  if (verdict === 'inferior') return `lower bound ${fmt(lo)} > +${fmt(margin)}`;
  return `the interval contains +${fmt(margin)}`;
}

/** Why an interval straddles the margin: too few rows for this margin (MDE > margin), or a difference close to it. */
function inconclusiveReason(mde: number, margin: number): string {
  return mde > margin ? `the test set is too small to tell at this margin (MDE ${fmt(mde)} > margin ${fmt(margin)})` : `the difference is too close to the margin to tell (MDE ${fmt(mde)} ≤ margin ${fmt(margin)})`;
}

/**
 * The statistical comparison with production on the same rows. Everything is reported on the
 * candidate − production scale; for lower-is-better metrics "worse by more than the margin"
 * means a difference above +margin. The verdict reads the interval alone (stats/power.ts):
 * non-inferior above the line, inferior below it, inconclusive across it.
 */
async function nonInferiorityCheck(check: NonInferiorityCheck, inputs: CheckInputs): Promise<Verdict> {
  const p = predictionsOrThrow(inputs, true);
  const metric = check.metric as KnownMetric;
  validateForMetric(metric, p, { label: inputs.columns.label, scores: [[p.candidate, inputs.columns.candidate], [p.production, inputs.columns.production ?? 'production']] });
  const direction = directionOf(metric, check.direction);
  const method = check.method ?? defaultMethod(metric);
  const { alpha, margin, power } = check;
  const sign = direction === 'higher' ? 1 : -1;
  const comparison = await compareWithProduction(metric, method, direction, p, {
    threshold: inputs.threshold,
    margin,
    alpha,
    resamples: check.resamples,
    seed: check.seed,
    ...(inputs.yieldEveryMs !== undefined ? { yieldEveryMs: inputs.yieldEveryMs } : {}),
  });
  const { estimate, interval, pValue, pWorse, standardError, candidate, production } = comparison;
  const mde = minimumDetectableEffect(standardError, alpha, power);
  const verdict = nonInferiorityVerdict(interval, margin, direction);
  const confidence = fmt((1 - 2 * alpha) * 100, 2);
  const line = `${sign === 1 ? '−' : '+'}${fmt(margin)}`;
  const head = `${metric} candidate ${fmt(candidate)} vs production ${fmt(production)}: difference ${fmt(estimate)}, ${confidence}% CI [${fmt(interval[0])}, ${fmt(interval[1])}] (${boundText(interval, margin, direction, verdict)}), p = ${fmtP(pValue)} (${comparison.test}), MDE ${fmt(mde)} at n = ${p.rows}, power ${power}`;
  const tail =
    verdict === 'non-inferior'
      ? `non-inferior within margin ${fmt(margin)}.`
      : verdict === 'inferior'
        ? `inferior: the whole ${confidence}% CI lies ${sign === 1 ? 'below' : 'above'} ${line}: the candidate is worse than production by more than the margin (one-sided p = ${fmtP(pWorse)}).`
        : `inconclusive: the ${confidence}% CI contains ${line}; ${inconclusiveReason(mde, margin)}.`;
  return {
    outcome: verdict === 'non-inferior' ? 'pass' : verdict === 'inconclusive' ? 'inconclusive' : 'fail',
    observed: Number(fmt(estimate, 6)),
    expected: `${sign === 1 ? '>' : '<'} ${sign === 1 ? -margin : margin} (p < ${alpha})`,
    message: `${head} → ${tail}`,
    details: {
      metric,
      method,
      direction,
      candidate,
      production,
      estimate,
      interval,
      confidence: 1 - 2 * alpha,
      pValue,
      pWorse,
      alpha,
      margin,
      standardError,
      mde,
      power,
      n: p.rows,
      verdict,
      test: comparison.test,
      ...comparison.extra,
    },
  };
}

function fmtP(p: number): string {
  return p > 0 && p < 1e-4 ? p.toExponential(1) : fmt(p);
}

function segmentRows(check: SegmentCheck, p: Predictions): Uint32Array {
  const filters = Object.entries(check.where).map(([column, values]) => ({ values: new Set(values), column: p.segments.get(column)! }));
  const rows: number[] = [];
  for (let i = 0; i < p.rows; i++) if (filters.every((f) => f.values.has(f.column[i]!))) rows.push(i);
  return Uint32Array.from(rows);
}

/**
 * What a metric divides by, counted on a segment: the size `min-size` is about. A precision on 38
 * predicted positives rests on 38 units whatever the segment's row count.
 */
export function metricDenominator(metric: KnownMetric, label: ArrayLike<number>, score: ArrayLike<number>, threshold: number): { count: number; units: string; note?: string; none: string } {
  const c = confusion(label, score, threshold);
  switch (metric) {
    case 'precision':
      return { count: c.tp + c.fp, units: 'predicted positives', none: 'the candidate predicts no positive' };
    case 'recall':
      return { count: c.tp + c.fn, units: 'actual positives', none: 'there is no positive label' };
    case 'f1':
      return { count: c.tp + c.fp + c.fn, units: 'rows predicted or labelled positive', none: 'no row is predicted or labelled positive' };
    case 'auc': {
      const positives = c.tp + c.fn;
      const negatives = c.fp + c.tn;
      return { count: Math.min(positives, negatives), units: 'rows of the smaller class', note: ` (${positives} positive, ${negatives} negative)`, none: 'it needs both classes' };
    }
    default:
      return { count: label.length, units: 'rows', none: 'it has no rows' };
  }
}

/** The floor part of a segment check: the one-sided confidence bound against min/max. */
interface Floor {
  method: 'wilson' | 'bootstrap';
  lower: number;
  upper: number;
  failsMin: boolean;
  failsMax: boolean;
}

async function segmentCheck(check: SegmentCheck, inputs: CheckInputs): Promise<Verdict> {
  const comparing = check.margin !== undefined;
  const p = predictionsOrThrow(inputs, comparing);
  const metric = check.metric as KnownMetric;
  validateForMetric(metric, p, {
    label: inputs.columns.label,
    scores: [[p.candidate, inputs.columns.candidate], ...(comparing ? [[p.production, inputs.columns.production ?? 'production'] as [Float64Array, string]] : [])],
  });
  const rows = segmentRows(check, p);
  const where = Object.entries(check.where)
    .map(([k, v]) => `${k} = ${v.join('|')}`)
    .join(' and ');
  if (rows.length === 0) throw new CheckInputError(`the segment ${where} has no rows in ${inputs.predictionsPath ?? 'the predictions'}`);
  const label = new Float64Array(rows.length);
  const score = new Float64Array(rows.length);
  const production = new Float64Array(comparing ? rows.length : 0);
  rows.forEach((r, k) => {
    label[k] = p.label[r]!;
    score[k] = p.candidate[r]!;
    if (comparing) production[k] = p.production[r]!;
  });
  const value = computeMetric(metric, label, score, inputs.threshold);
  const denominator = metricDenominator(metric, label, score, inputs.threshold);
  if (denominator.count === 0) throw new CheckInputError(`${metric} is undefined on the segment ${where}: ${denominator.none} among its ${rows.length} rows`);
  const tooSmall = denominator.count < check.minSize;
  const yieldOption = inputs.yieldEveryMs !== undefined ? { yieldEveryMs: inputs.yieldEveryMs } : {};

  let floor: Floor | undefined;
  if (check.min !== undefined || check.max !== undefined) {
    const method = check.method ?? (['accuracy', 'precision', 'recall'].includes(metric) ? 'wilson' : 'bootstrap');
    let lower: number;
    let upper: number;
    if (method === 'wilson') {
      const c = confusion(label, score, inputs.threshold);
      // Wilson bounds a proportion: its successes over what the metric divides by.
      const successes = metric === 'precision' || metric === 'recall' ? c.tp : c.tp + c.tn;
      lower = wilsonLowerBound(successes, denominator.count, check.alpha);
      upper = wilsonUpperBound(successes, denominator.count, check.alpha);
    } else {
      const boot = await bootstrapMetricAsync(metric, { label, score, threshold: inputs.threshold }, { resamples: check.resamples, seed: check.seed, ...yieldOption });
      if (boot.values.length === 0) throw new CheckInputError(`${metric} is undefined on every bootstrap resample of the segment ${where}`);
      [lower, upper] = percentileInterval(boot.values, check.alpha);
    }
    floor = { method, lower, upper, failsMin: check.min !== undefined && !(lower >= check.min), failsMax: check.max !== undefined && !(upper <= check.max) };
  }

  let comparison: Comparison | undefined;
  let mde = NaN;
  const direction = comparing ? directionOf(metric, check.direction) : 'higher';
  if (comparing) {
    comparison = await compareWithProduction(metric, defaultMethod(metric), direction, { label, candidate: score, production }, {
      threshold: inputs.threshold,
      margin: check.margin!,
      alpha: check.alpha,
      resamples: check.resamples,
      seed: check.seed,
      ...yieldOption,
    });
    mde = minimumDetectableEffect(comparison.standardError, check.alpha, check.power);
  }

  const confidence = fmt((1 - check.alpha) * 100, 2);
  const settle = (adjusted: number, size: number): Verdict => {
    const parts: string[] = [];
    const expected: string[] = [];
    const details: Record<string, unknown> = {
      metric,
      where: check.where,
      rows: rows.length,
      value,
      denominator: denominator.count,
      denominatorUnits: denominator.units,
      minSize: check.minSize,
    };
    if (floor) {
      parts.push(
        [
          check.min !== undefined ? `${confidence}% lower bound ${fmt(floor.lower)} ${floor.failsMin ? '<' : '≥'} min ${check.min}` : '',
          check.max !== undefined ? `${confidence}% upper bound ${fmt(floor.upper)} ${floor.failsMax ? '>' : '≤'} max ${check.max}` : '',
        ]
          .filter(Boolean)
          .join(', ') + ` (${floor.method})`,
      );
      if (check.min !== undefined) expected.push(`lower bound ≥ ${check.min}`);
      if (check.max !== undefined) expected.push(`upper bound ≤ ${check.max}`);
      Object.assign(details, { lower: floor.lower, upper: floor.upper, confidence: 1 - check.alpha, method: floor.method });
    }
    let compared: NonInferiorityVerdict | undefined;
    if (comparison) {
      const margin = check.margin!;
      const sign = direction === 'higher' ? 1 : -1;
      const line = `${sign === 1 ? '−' : '+'}${fmt(margin)}`;
      // Non-inferior needs no adjustment: every segment must show it for the release to pass
      // (an intersection–union test). "Inferior" is the claim many segments multiply, so it
      // needs Holm's adjusted p across the segment comparisons.
      const byInterval = nonInferiorityVerdict(comparison.interval, margin, direction);
      compared = byInterval === 'non-inferior' ? 'non-inferior' : byInterval === 'inferior' && adjusted < check.alpha ? 'inferior' : 'inconclusive';
      const twoSided = fmt((1 - 2 * check.alpha) * 100, 2);
      const pText = (relation: '<' | '≥') =>
        size > 1
          ? `Holm-adjusted one-sided p ${fmtP(adjusted)} ${relation} ${check.alpha} over ${size} segment comparisons`
          : `one-sided p ${fmtP(adjusted)} ${relation} ${check.alpha}, the only segment comparison`;
      const others = size > 1 ? ` (one of ${size} segment comparisons; a "worse" verdict is Holm-adjusted across them)` : '';
      const outcomeText =
        compared === 'non-inferior'
          ? `non-inferior within margin ${fmt(margin)}${others}`
          : compared === 'inferior'
            ? `inferior: worse than production by more than ${fmt(margin)} (${pText('<')})`
            : byInterval === 'inferior'
              ? `inconclusive: the ${twoSided}% CI lies ${sign === 1 ? 'below' : 'above'} ${line}, but ${pText('≥')}`
              : `inconclusive: the ${twoSided}% CI contains ${line}; ${inconclusiveReason(mde, margin)}${others}`;
      parts.push(
        `vs production ${fmt(comparison.production)}: difference ${fmt(comparison.estimate)}, ${twoSided}% CI [${fmt(comparison.interval[0])}, ${fmt(comparison.interval[1])}] (${comparison.test}) → ${outcomeText}`,
      );
      expected.push(`not worse than production by more than ${margin}`);
      details.production = {
        value: comparison.production,
        estimate: comparison.estimate,
        interval: comparison.interval,
        confidence: 1 - 2 * check.alpha,
        margin,
        direction,
        test: comparison.test,
        pValue: comparison.pValue,
        pWorse: comparison.pWorse,
        holm: { family: size, adjustedPWorse: adjusted },
        standardError: comparison.standardError,
        mde,
        power: check.power,
        verdict: compared,
        ...comparison.extra,
      };
    }
    if (tooSmall) parts.push(`${denominator.count} ${denominator.units}${denominator.note ?? ''}, fewer than min-size ${check.minSize}`);
    const failed = (floor !== undefined && (floor.failsMin || floor.failsMax)) || tooSmall || compared === 'inferior';
    return {
      outcome: failed ? 'fail' : compared === 'inconclusive' ? 'inconclusive' : 'pass',
      observed: Number(fmt(value, 6)),
      expected: [...expected, `${denominator.units} ≥ ${check.minSize}`].join(', '),
      message: `${metric} where ${where}: ${fmt(value)} on ${rows.length} rows${denominator.units === 'rows' ? '' : `, ${denominator.count} ${denominator.units}${denominator.note ?? ''}`}; ${parts.join('; ')}.`,
      details,
      ...(comparison ? { family: { pWorse: comparison.pWorse, settle } } : {}),
    };
  };
  return settle(comparison?.pWorse ?? NaN, 1);
}

/**
 * Holm's adjustment across the segment checks that compare with production (those whose
 * verdict has a `family`): each is re-settled with its adjusted p-value and the family's size.
 * Verdicts without a family, and missing ones (checks in error), are left as they are.
 */
export function settleSegmentFamily<T extends Verdict | undefined>(verdicts: T[]): Array<T | Verdict> {
  const members = verdicts.flatMap((v, i) => (v?.family ? [i] : []));
  const adjusted = holmAdjust(members.map((i) => verdicts[i]!.family!.pWorse));
  const settled: Array<T | Verdict> = [...verdicts];
  members.forEach((i, k) => {
    settled[i] = verdicts[i]!.family!.settle(adjusted[k]!, members.length);
  });
  return settled;
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
