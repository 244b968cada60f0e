/**
 * DeLong's test for two correlated ROC AUCs on the same rows (DeLong, DeLong & Clarke-Pearson
 * 1988, Biometrics 44:837), computed with midranks in O(n log n) as in Sun & Xu 2014 (IEEE
 * Signal Processing Letters 21:1389).
 */
import { argsort } from './metrics.js';

export interface DeLongResult {
  aucCandidate: number;
  aucProduction: number;
  /** aucCandidate − aucProduction. */
  estimate: number;
  /** Variance of the difference. */
  variance: number;
  standardError: number;
  positives: number;
  negatives: number;
}

/** Midranks (1-based, ties get their average rank) of `values`. */
export function midranks(values: ArrayLike<number>): Float64Array {
  const order = argsort(values);
  const ranks = new Float64Array(values.length);
  let k = 0;
  // `end` starts at k and k moves past it: every pass ranks at least one value, NaN included.
  while (k < order.length) {
    let end = k;
    const v = values[order[k]!]!;
    while (end + 1 < order.length && values[order[end + 1]!] === v) end++;
    const rank = (k + end) / 2 + 1;
    for (let j = k; j <= end; j++) ranks[order[j]!] = rank;
    k = end + 1;
  }
  return ranks;
}

/** Structural components: V10 over positives, V01 over negatives, and the AUC. */
function placements(score: ArrayLike<number>, pos: Uint32Array, neg: Uint32Array) {
  const m = pos.length;
  const n = neg.length;
  const all = midranks(score);
  const posScores = new Float64Array(m);
  for (let i = 0; i < m; i++) posScores[i] = score[pos[i]!]!;
  const negScores = new Float64Array(n);
  for (let j = 0; j < n; j++) negScores[j] = score[neg[j]!]!;
  const rPos = midranks(posScores);
  const rNeg = midranks(negScores);
  const v10 = new Float64Array(m);
  let sumPosRanks = 0;
  for (let i = 0; i < m; i++) {
    const tz = all[pos[i]!]!;
    v10[i] = (tz - rPos[i]!) / n;
    sumPosRanks += tz;
  }
  const v01 = new Float64Array(n);
  for (let j = 0; j < n; j++) v01[j] = 1 - (all[neg[j]!]! - rNeg[j]!) / m;
  const aucValue = (sumPosRanks - (m * (m + 1)) / 2) / (m * n);
  return { v10, v01, auc: aucValue };
}

function covariance(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < k; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= k;
  mb /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (k - 1);
}

/** Paired DeLong comparison of the candidate's and production's AUC on the same 0/1 labels. */
export function delong(label: ArrayLike<number>, candidate: ArrayLike<number>, production: ArrayLike<number>): DeLongResult {
  for (const [name, scores] of [['candidate', candidate], ['production', production]] as const) {
    for (let i = 0; i < scores.length; i++) {
      if (Number.isNaN(scores[i])) throw new Error(`DeLong's test needs numeric scores, but the ${name}'s score on row ${i + 1} is NaN`);
    }
  }
  let m = 0;
  for (let i = 0; i < label.length; i++) if (label[i] === 1) m++;
  const n = label.length - m;
  if (m < 2 || n < 2) throw new Error(`DeLong's test needs at least 2 positives and 2 negatives (found ${m} and ${n})`);
  const pos = new Uint32Array(m);
  const neg = new Uint32Array(n);
  let ip = 0;
  let ineg = 0;
  for (let i = 0; i < label.length; i++) {
    if (label[i] === 1) pos[ip++] = i;
    else neg[ineg++] = i;
  }
  const c = placements(candidate, pos, neg);
  const p = placements(production, pos, neg);
  const s10 = covariance(c.v10, c.v10) + covariance(p.v10, p.v10) - 2 * covariance(c.v10, p.v10);
  const s01 = covariance(c.v01, c.v01) + covariance(p.v01, p.v01) - 2 * covariance(c.v01, p.v01);
  const variance = Math.max(0, s10 / m + s01 / n);
  return {
    aucCandidate: c.auc,
    aucProduction: p.auc,
    estimate: c.auc - p.auc,
    variance,
    standardError: Math.sqrt(variance),
    positives: m,
    negatives: n,
  };
}
