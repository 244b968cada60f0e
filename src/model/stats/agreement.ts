/**
 * Agreement between the candidate and production when labels are late: correlation of their
 * scores, Cohen's kappa of their predicted labels, and the population stability index (PSI)
 * between their score distributions.
 */
import { midranks } from './delong.js';

/** Pearson's r (scipy.stats.pearsonr); NaN when either side is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ: Pearson's r of midranks (scipy.stats.spearmanr, ties averaged). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(midranks(x), midranks(y));
}

/** Cohen's kappa of two binary labelings: (p_o − p_e)/(1 − p_e). */
export function cohensKappa(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let agree = 0;
  let a1 = 0;
  let b1 = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    if (a[i] === 1) a1++;
    if (b[i] === 1) b1++;
  }
  const po = agree / n;
  const pe = (a1 / n) * (b1 / n) + (1 - a1 / n) * (1 - b1 / n);
  return pe === 1 ? (po === 1 ? 1 : NaN) : (po - pe) / (1 - pe);
}

/** Share floor for an empty bin, so one empty bin does not make PSI infinite. */
export const PSI_EPSILON = 1e-4;

export interface PsiResult {
  psi: number;
  /** Interior cut points: bin k is (cut[k−1], cut[k]]. */
  cuts: number[];
  expectedShares: number[];
  actualShares: number[];
}

/**
 * PSI = Σ (a − e)·ln(a/e) over bins cut at the reference's (production's) quantiles
 * (type 7, numpy's default), shares floored at 1e-4. Reference = "expected", candidate = "actual".
 */
export function psi(reference: ArrayLike<number>, actual: ArrayLike<number>, bins: number): PsiResult {
  const sorted = Float64Array.from(reference).sort();
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const cut = quantileSorted(sorted, k / bins);
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]!) cuts.push(cut);
  }
  const expected = histogram(reference, cuts);
  const observed = histogram(actual, cuts);
  let total = 0;
  const e = expected.map((c) => Math.max(c / reference.length, PSI_EPSILON));
  const a = observed.map((c) => Math.max(c / actual.length, PSI_EPSILON));
  for (let k = 0; k < e.length; k++) total += (a[k]! - e[k]!) * Math.log(a[k]! / e[k]!);
  return { psi: total, cuts, expectedShares: e, actualShares: a };
}

/** Linear-interpolation quantile (numpy's default, type 7) of an ascending array. */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Counts per bin, bins right-closed: (−∞, c0], (c0, c1], …, (c_last, ∞). */
function histogram(values: ArrayLike<number>, cuts: number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= cuts[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts;
}
