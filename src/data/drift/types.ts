/**
 * The contract between the SQL side of the data gate (which scans the data and returns small
 * vectors) and the drift statistics (pure functions over those vectors). Nothing here holds
 * rows: a 5-million-row column arrives as a few hundred numbers.
 */

/** A numeric column of the training set (dataset) compared with the production sample (reference). */
export interface NumericDriftInput {
  kind: 'numeric';
  column: string;
  /** Non-null values in each sample. */
  datasetCount: number;
  referenceCount: number;
  /**
   * PSI / Jensen–Shannon bins: interior cut points from the reference's quantiles, ascending and
   * de-duplicated. k cut points make k+1 bins: (-inf, c0], (c0, c1], …, (c(k-1), +inf).
   */
  binCuts: number[];
  datasetBinCounts: number[];
  referenceBinCounts: number[];
  /**
   * Quantile functions of both samples at the same probabilities (Wasserstein). Optional in
   * practice: with `probabilities` empty, W1 is integrated over the CDF grid instead (exact when
   * the grid holds both samples' minima and maxima; see wasserstein.ts).
   */
  probabilities: number[];
  datasetQuantiles: number[];
  referenceQuantiles: number[];
  /** Empirical CDFs of both samples at common grid points, ascending (Kolmogorov–Smirnov). */
  grid: number[];
  datasetCdf: number[];
  referenceCdf: number[];
  /** Reference standard deviation (normalises the Wasserstein distance). */
  referenceStd: number;
}

/** A categorical column: counts per category (the union of both samples' categories). */
export interface CategoricalDriftInput {
  kind: 'categorical';
  column: string;
  datasetCount: number;
  referenceCount: number;
  categories: string[];
  datasetCounts: number[];
  referenceCounts: number[];
}

export type DriftInput = NumericDriftInput | CategoricalDriftInput;

export type DriftMethod = 'psi' | 'ks' | 'chi2' | 'jensen-shannon' | 'wasserstein';

export interface DriftScore {
  column: string;
  method: DriftMethod;
  /** The method's statistic (PSI value, KS D, chi-square, JS distance, normalised W1). */
  statistic: number;
  /**
   * KS from a grid coarser than the pooled sample: the exact D lies in
   * [statistic, statisticUpperBound] (see ks.ts). Absent for other methods.
   */
  statisticUpperBound?: number;
  /** For tests (ks, chi2): the p-value before correction across columns. */
  pValue?: number;
  /** After Holm / Benjamini–Hochberg correction, when a correction was applied. */
  adjustedPValue?: number;
  /** Statistic threshold (distances) or significance level (tests) the decision used. */
  threshold: number;
  drifted: boolean;
  /** One sentence with the numbers, e.g. "PSI 0.31 ≥ 0.2 (10 reference-quantile bins)". */
  reason: string;
}
