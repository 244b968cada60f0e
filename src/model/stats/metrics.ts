/**
 * Model metrics computed from predictions: label metrics (from a confusion matrix at a score
 * threshold), ranking (AUC), probabilistic (log loss) and regression (RMSE, MAE) metrics.
 * Pure functions over typed arrays; the bootstrap reuses the same definitions with weights.
 */

export const KNOWN_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc', 'logloss', 'rmse', 'mae'] as const;
export type KnownMetric = (typeof KNOWN_METRICS)[number];

export type Direction = 'higher' | 'lower';

export interface MetricInfo {
  /** Which way is better. */
  direction: Direction;
  /** Needs labels in {0, 1}. */
  binary: boolean;
  /** label: thresholded prediction; score: uses the raw score; regression: numeric target. */
  kind: 'label' | 'score' | 'regression';
}

export const METRIC_INFO: Readonly<Record<KnownMetric, MetricInfo>> = {
  accuracy: { direction: 'higher', binary: true, kind: 'label' },
  precision: { direction: 'higher', binary: true, kind: 'label' },
  recall: { direction: 'higher', binary: true, kind: 'label' },
  f1: { direction: 'higher', binary: true, kind: 'label' },
  auc: { direction: 'higher', binary: true, kind: 'score' },
  logloss: { direction: 'lower', binary: true, kind: 'score' },
  rmse: { direction: 'lower', binary: false, kind: 'regression' },
  mae: { direction: 'lower', binary: false, kind: 'regression' },
};

export function isKnownMetric(name: string): name is KnownMetric {
  return (KNOWN_METRICS as readonly string[]).includes(name);
}

/** Probabilities are clipped to [ε, 1 − ε] before the log, as scikit-learn does. */
export const LOGLOSS_EPSILON = 1e-15;

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Confusion matrix of `score ≥ threshold` against 0/1 labels. */
export function confusion(label: ArrayLike<number>, score: ArrayLike<number>, threshold: number): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < label.length; i++) {
    const predicted = (score[i] as number) >= threshold;
    if (label[i] === 1) {
      if (predicted) c.tp++;
      else c.fn++;
    } else if (predicted) c.fp++;
    else c.tn++;
  }
  return c;
}

/** A label metric from confusion counts; NaN when its denominator is 0 (no predicted positives for precision...). */
export function labelMetric(metric: 'accuracy' | 'precision' | 'recall' | 'f1', c: Confusion): number {
  switch (metric) {
    case 'accuracy':
      return (c.tp + c.tn) / (c.tp + c.tn + c.fp + c.fn);
    case 'precision':
      return c.tp / (c.tp + c.fp);
    case 'recall':
      return c.tp / (c.tp + c.fn);
    case 'f1':
      return (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
  }
}

/** Indices that sort `values` ascending. */
export function argsort(values: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  return order;
}

/**
 * ROC AUC = P(score of a positive > score of a negative) + ½ P(tie): the Mann–Whitney U
 * divided by n₁·n₀. NaN without both classes.
 */
export function auc(label: ArrayLike<number>, score: ArrayLike<number>): number {
  return aucSorted(argsort(score), label, score);
}

/**
 * AUC from a precomputed ascending order; optional integer weights (bootstrap counts). NaN when
 * a score is NaN: it has no place in a ranking. Every pass of the outer loop consumes at least
 * one row, so the sweep ends whatever the scores are (NaN !== NaN would otherwise leave a tie
 * group empty and the loop where it was).
 */
export function aucSorted(order: Uint32Array, label: ArrayLike<number>, score: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let negBelow = 0;
  let positives = 0;
  let sum = 0;
  let k = 0;
  const n = order.length;
  while (k < n) {
    const value = score[order[k] as number] as number;
    if (Number.isNaN(value)) return NaN;
    let pos = 0;
    let neg = 0;
    do {
      const i = order[k] as number;
      const w = weights ? (weights[i] as number) : 1;
      if (label[i] === 1) pos += w;
      else neg += w;
      k++;
    } while (k < n && score[order[k] as number] === value);
    sum += pos * (negBelow + 0.5 * neg);
    negBelow += neg;
    positives += pos;
  }
  return sum / (positives * negBelow);
}

/** Mean binary cross-entropy with clipped probabilities. */
export function logloss(label: ArrayLike<number>, score: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < label.length; i++) sum += loglossTerm(label[i] as number, score[i] as number);
  return sum / label.length;
}

export function loglossTerm(y: number, p: number): number {
  const q = Math.min(Math.max(p, LOGLOSS_EPSILON), 1 - LOGLOSS_EPSILON);
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

export function rmse(label: ArrayLike<number>, score: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < label.length; i++) {
    const e = (score[i] as number) - (label[i] as number);
    sum += e * e;
  }
  return Math.sqrt(sum / label.length);
}

export function mae(label: ArrayLike<number>, score: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < label.length; i++) sum += Math.abs((score[i] as number) - (label[i] as number));
  return sum / label.length;
}

/** Any known metric of one model's predictions. */
export function computeMetric(metric: KnownMetric, label: ArrayLike<number>, score: ArrayLike<number>, threshold: number): number {
  switch (metric) {
    case 'accuracy':
    case 'precision':
    case 'recall':
    case 'f1':
      return labelMetric(metric, confusion(label, score, threshold));
    case 'auc':
      return auc(label, score);
    case 'logloss':
      return logloss(label, score);
    case 'rmse':
      return rmse(label, score);
    case 'mae':
      return mae(label, score);
  }
}
