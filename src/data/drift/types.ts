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
  /**
   * Optional, both or neither: the left limits F(g−) = #(x < g) / n at the grid points. The SQL
   * side gets them for free by also binning at the double just below each grid point. With them
   * KS also compares the CDFs just below each point (exact at atoms, e.g. integer columns) and
   * W1 spreads the mass found strictly between two grid points evenly over the gap instead of
   * putting it at the right end (see wasserstein.ts).
   */
  datasetCdfBelow?: number[];
  referenceCdfBelow?: number[];
  /**
   * Optional W1 tails outside the grid, per sample: `below` = ∫_{−∞}^{grid[0]} F(x) dx
   * = Σ_{x < grid[0]} (grid[0] − x) / n, `above` = ∫_{grid[last]}^{+∞} (1 − F(x)) dx
   * = Σ_{x > grid[last]} (x − grid[last]) / n (streaming sums in SQL). Absent = 0, i.e. the grid
   * holds that sample's minimum and maximum.
   */
  datasetTails?: { below: number; above: number };
  referenceTails?: { below: number; above: number };
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
