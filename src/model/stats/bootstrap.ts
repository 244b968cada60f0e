/**
 * Paired bootstrap of a metric difference (candidate − production): resample rows with
 * replacement, score both models on the same resample, repeat. Seeded, so a run is
 * reproducible. Memory stays O(rows + resamples): no resample matrix is ever built. Each metric
 * family has a kernel that turns one resample into the two metric values in one pass:
 *  - mean-of-rows metrics (accuracy, log loss, MAE, RMSE): accumulate per-row values of the drawn rows;
 *  - confusion-matrix metrics (precision, recall, F1): a 16-cell joint table of both models' cells;
 *  - AUC: a count vector of how often each row was drawn, swept in each model's precomputed score order.
 * The loop is a generator: the sync drivers run it through, the async ones (what the gate uses)
 * let the event loop run every 20 ms, so timers and SIGTERM are not held up by a long bootstrap.
 */
import { normQuantile } from './distributions.js';
import { argsort, labelMetric, loglossTerm } from './metrics.js';
import type { Confusion, KnownMetric } from './metrics.js';
import { SeededRandom } from './random.js';

export interface PairedSample {
  label: ArrayLike<number>;
  candidate: ArrayLike<number>;
  production: ArrayLike<number>;
  /** Score ≥ threshold predicts the positive class (label metrics). */
  threshold: number;
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
}

export interface YieldOptions {
  /**
   * The async bootstraps give the event loop a turn (a macrotask, so timers and signal handlers
   * such as SIGTERM's run) whenever this many milliseconds of resampling have passed. Default 20.
   */
  yieldEveryMs?: number;
}

/** How long a bootstrap may keep the event loop before it lets it run. */
export const BOOTSTRAP_YIELD_MS = 20;

export interface PairedBootstrap {
  /** Candidate − production on the full sample. */
  estimate: number;
  candidate: number;
  production: number;
  /** The resampled differences, ascending; resamples where the metric is undefined are dropped. */
  differences: Float64Array;
  /** Resamples where a model's metric was undefined (e.g. no positive class drawn). */
  undefinedResamples: number;
  /** Standard deviation of the resampled differences (the bootstrap standard error). */
  standardError: number;
}

/**
 * One resample: a pair whose difference is candidate − production (the metrics themselves for
 * the full sample; mean-of-rows kernels resample only the difference and return [difference, 0]).
 * NaN when a metric is undefined on the resample.
 */
type Kernel = (random: SeededRandom) => [number, number];

/** The paired bootstrap, synchronously (benchmarks, tests). The gate uses pairedBootstrapAsync. */
export function pairedBootstrap(metric: KnownMetric, sample: PairedSample, options: BootstrapOptions): PairedBootstrap {
  return runSync(pairedSteps(metric, sample, options));
}

/** The paired bootstrap, letting the event loop run every `yieldEveryMs` of work; the same result as pairedBootstrap. */
export function pairedBootstrapAsync(metric: KnownMetric, sample: PairedSample, options: BootstrapOptions & YieldOptions): Promise<PairedBootstrap> {
  return runAsync(pairedSteps(metric, sample, options), options.yieldEveryMs ?? BOOTSTRAP_YIELD_MS);
}

/** The resampling loop as a generator: it yields after every resample, its driver decides when to let the event loop run. */
function* pairedSteps(metric: KnownMetric, sample: PairedSample, options: BootstrapOptions): Generator<void, PairedBootstrap> {
  const n = sample.label.length;
  if (n === 0) throw new Error('the paired bootstrap needs at least one row');
  requireNoNaN(sample.candidate, 'candidate');
  requireNoNaN(sample.production, 'production');
  const random = new SeededRandom(options.seed);
  const kernel = makeKernel(metric, sample);
  const full = fullSample(metric, sample);
  const differences = new Float64Array(options.resamples);
  let kept = 0;
  for (let r = 0; r < options.resamples; r++) {
    const [c, p] = kernel(random);
    const d = c - p;
    if (Number.isFinite(d)) differences[kept++] = d;
    yield;
  }
  const sorted = differences.slice(0, kept).sort();
  return {
    estimate: full[0] - full[1],
    candidate: full[0],
    production: full[1],
    differences: sorted,
    undefinedResamples: options.resamples - kept,
    standardError: standardDeviation(sorted),
  };
}

type Sample = { label: ArrayLike<number>; score: ArrayLike<number>; threshold: number };

/**
 * Bootstrap distribution of one model's metric (a segment's confidence bound): the resampled
 * metric values, ascending, undefined resamples dropped. Meant for segment-sized samples: each
 * resample evaluates the metric on integer row weights, O(rows) per resample.
 */
export function bootstrapMetric(metric: KnownMetric, sample: Sample, options: BootstrapOptions): { estimate: number; values: Float64Array } {
  return runSync(metricSteps(metric, sample, options));
}

/** bootstrapMetric, letting the event loop run every `yieldEveryMs` of work. */
export function bootstrapMetricAsync(metric: KnownMetric, sample: Sample, options: BootstrapOptions & YieldOptions): Promise<{ estimate: number; values: Float64Array }> {
  return runAsync(metricSteps(metric, sample, options), options.yieldEveryMs ?? BOOTSTRAP_YIELD_MS);
}

function* metricSteps(metric: KnownMetric, sample: Sample, options: BootstrapOptions): Generator<void, { estimate: number; values: Float64Array }> {
  const n = sample.label.length;
  if (n === 0) throw new Error('the bootstrap needs at least one row');
  requireNoNaN(sample.score, 'score');
  const random = new SeededRandom(options.seed);
  const paired: PairedSample = { label: sample.label, candidate: sample.score, production: sample.score, threshold: sample.threshold };
  const weights = new Uint32Array(n);
  const values = new Float64Array(options.resamples);
  let kept = 0;
  for (let r = 0; r < options.resamples; r++) {
    weights.fill(0);
    for (let j = 0; j < n; j++) weights[random.nextIndex(n)]!++;
    const [value] = weightedPair(metric, paired, weights);
    if (Number.isFinite(value)) values[kept++] = value;
    yield;
  }
  return { estimate: fullSample(metric, paired)[0], values: values.slice(0, kept).sort() };
}

function runSync<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Drive the steps, awaiting a macrotask (setImmediate: after timers and I/O, signals included) every `everyMs`. */
async function runAsync<T>(steps: Generator<void, T>, everyMs: number): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= everyMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

/** NaN has no order and no value: a defence in depth behind the input checks, so no kernel ever sees one. */
function requireNoNaN(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new Error(`the bootstrap needs numbers, but the ${name} on row ${i + 1} is NaN`);
  }
}

/**
 * Percentile bounds: the k-th smallest and k-th largest resampled differences with
 * k = ⌈α·B⌉, i.e. a two-sided (1 − 2α) interval whose lower end is the one-sided (1 − α) bound.
 * The order statistic (no interpolation) keeps "bound > −margin" equivalent to "fewer than α·B
 * resamples at or below −margin".
 */
export function percentileInterval(sorted: Float64Array, alpha: number): [number, number] {
  const b = sorted.length;
  const k = Math.max(1, Math.ceil(alpha * b));
  return [sorted[k - 1] as number, sorted[b - k] as number];
}

/** Share of resampled differences at or below `value` (the bootstrap p-value of H0: difference ≤ value). */
export function shareAtOrBelow(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

/** Share of resampled differences at or above `value`. */
export function shareAtOrAbove(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return (sorted.length - lo) / sorted.length;
}

/** Monte Carlo standard error of the α-quantile of B draws, assuming a roughly normal distribution. */
export function quantileMonteCarloError(standardError: number, alpha: number, resamples: number): number {
  const z = normQuantile(alpha);
  const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / standardError;
  return Math.sqrt((alpha * (1 - alpha)) / resamples) / density;
}

function standardDeviation(values: Float64Array): number {
  if (values.length < 2) return 0;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return Math.sqrt(ss / (values.length - 1));
}

function fullSample(metric: KnownMetric, s: PairedSample): [number, number] {
  const ones = new Uint32Array(s.label.length).fill(1);
  // The kernels on weights of 1 are the metric definitions: one code path for both.
  return weightedPair(metric, s, ones);
}

function weightedPair(metric: KnownMetric, s: PairedSample, weights: Uint32Array): [number, number] {
  const kernel = makeKernel(metric, s, weights);
  return kernel(new SeededRandom(0));
}

/**
 * Build the per-resample kernel. With `fixedWeights` the kernel evaluates those weights instead
 * of drawing (used for the full-sample estimate).
 */
function makeKernel(metric: KnownMetric, s: PairedSample, fixedWeights?: Uint32Array): Kernel {
  const n = s.label.length;
  switch (metric) {
    case 'accuracy': {
      // Per row: candidate correct − production correct, in {−1, 0, 1}. One byte per row keeps
      // the random reads in cache; the mean of the differences is the difference of accuracies.
      const diff = new Int8Array(n);
      for (let i = 0; i < n; i++) {
        const y = s.label[i]!;
        diff[i] = (((s.candidate[i]! >= s.threshold ? 1 : 0) === y ? 1 : 0) - ((s.production[i]! >= s.threshold ? 1 : 0) === y ? 1 : 0)) as number;
      }
      const accuracyOf = (score: ArrayLike<number>, weights: Uint32Array) => {
        let correct = 0;
        for (let i = 0; i < n; i++) if ((score[i]! >= s.threshold ? 1 : 0) === s.label[i]) correct += weights[i]!;
        return correct / n;
      };
      return (random) => {
        if (fixedWeights) return [accuracyOf(s.candidate, fixedWeights), accuracyOf(s.production, fixedWeights)];
        let sum = 0;
        for (let j = 0; j < n; j++) sum += diff[random.nextIndex(n)]!;
        // The kernel reports the two metrics; only their difference is resampled here.
        return [sum / n, 0];
      };
    }
    case 'logloss':
    case 'mae':
    case 'rmse': {
      const term = rowTerm(metric);
      const vc = new Float64Array(n);
      const vp = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        vc[i] = term(s.label[i]!, s.candidate[i]!);
        vp[i] = term(s.label[i]!, s.production[i]!);
      }
      if (metric !== 'rmse') {
        // A mean of per-row losses: resample the per-row differences (one array, half the reads).
        const diff = new Float64Array(n);
        for (let i = 0; i < n; i++) diff[i] = vc[i]! - vp[i]!;
        return (random) => {
          if (fixedWeights) return [weightedMean(vc, fixedWeights), weightedMean(vp, fixedWeights)];
          let sum = 0;
          for (let j = 0; j < n; j++) sum += diff[random.nextIndex(n)]!;
          return [sum / n, 0];
        };
      }
      return (random) => {
        if (fixedWeights) return [Math.sqrt(weightedMean(vc, fixedWeights)), Math.sqrt(weightedMean(vp, fixedWeights))];
        let sc = 0;
        let sp = 0;
        for (let j = 0; j < n; j++) {
          const i = random.nextIndex(n);
          sc += vc[i]!;
          sp += vp[i]!;
        }
        return [Math.sqrt(sc / n), Math.sqrt(sp / n)];
      };
    }
    case 'precision':
    case 'recall':
    case 'f1': {
      // cell = 2·label + predicted, for each model; joint code = 4·cell(candidate) + cell(production).
      const codes = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const y = s.label[i] === 1 ? 2 : 0;
        const c = y + ((s.candidate[i] as number) >= s.threshold ? 1 : 0);
        const p = y + ((s.production[i] as number) >= s.threshold ? 1 : 0);
        codes[i] = 4 * c + p;
      }
      const table = new Float64Array(16);
      return (random) => {
        table.fill(0);
        if (fixedWeights) {
          for (let i = 0; i < n; i++) table[codes[i]!]! += fixedWeights[i]!;
        } else {
          for (let j = 0; j < n; j++) table[codes[random.nextIndex(n)]!]!++;
        }
        return [labelMetric(metric, marginal(table, 'candidate')), labelMetric(metric, marginal(table, 'production'))];
      };
    }
    case 'auc': {
      const sweepC = rankSweep(s.label, s.candidate);
      const sweepP = rankSweep(s.label, s.production);
      // Draw counts fit 16 bits: a row is drawn at most n times, and for n ≥ 65 536 the count is
      // ~Poisson(1), which never comes near 65 535.
      const weights = fixedWeights ? Uint16Array.from(fixedWeights) : new Uint16Array(n);
      return (random) => {
        if (!fixedWeights) {
          weights.fill(0);
          for (let j = 0; j < n; j++) weights[random.nextIndex(n)]!++;
        }
        return [weightedAuc(sweepC, weights), weightedAuc(sweepP, weights)];
      };
    }
  }
}

function weightedMean(values: Float64Array, weights: Uint32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += weights[i]! * values[i]!;
  return sum / values.length;
}

function rowTerm(metric: 'logloss' | 'mae' | 'rmse'): (y: number, score: number) => number {
  switch (metric) {
    case 'logloss':
      return loglossTerm;
    case 'mae':
      return (y, score) => Math.abs(score - y);
    case 'rmse':
      return (y, score) => (score - y) * (score - y);
  }
}

function marginal(table: Float64Array, model: 'candidate' | 'production'): Confusion {
  const cell = new Float64Array(4);
  for (let code = 0; code < 16; code++) {
    const index = model === 'candidate' ? code >> 2 : code & 3;
    cell[index]! += table[code]!;
  }
  // cell index = 2·label + predicted
  return { tn: cell[0] as number, fp: cell[1] as number, fn: cell[2] as number, tp: cell[3] as number };
}

/** One model's rows in ascending score order, with labels and tie-group ends laid out for a linear sweep. */
interface RankSweep {
  order: Uint32Array;
  positive: Uint8Array;
  /** 1 where the next row has a different score (the end of a tie group). */
  groupEnd: Uint8Array;
}

function rankSweep(label: ArrayLike<number>, score: ArrayLike<number>): RankSweep {
  const order = argsort(score);
  const n = order.length;
  const positive = new Uint8Array(n);
  const groupEnd = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    positive[k] = label[order[k]!] === 1 ? 1 : 0;
    groupEnd[k] = k === n - 1 || score[order[k]!] !== score[order[k + 1]!] ? 1 : 0;
  }
  return { order, positive, groupEnd };
}

/** The Mann–Whitney AUC (ties count ½) with integer row weights, in one pass over the sorted rows. */
function weightedAuc({ order, positive, groupEnd }: RankSweep, weights: Uint16Array): number {
  let negBelow = 0;
  let positives = 0;
  let sum = 0;
  let pos = 0;
  let neg = 0;
  for (let k = 0; k < order.length; k++) {
    const w = weights[order[k]!]!;
    if (positive[k] === 1) pos += w;
    else neg += w;
    if (groupEnd[k] === 1) {
      sum += pos * (negBelow + 0.5 * neg);
      negBelow += neg;
      positives += pos;
      pos = 0;
      neg = 0;
    }
  }
  return sum / (positives * negBelow);
}
