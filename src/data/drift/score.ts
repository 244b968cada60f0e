/**
 * One column's drift score: pick the method, compute the statistic, decide, explain.
 * Pure: DriftInput in, DriftScore out, the numbers behind the decision in `reason`.
 */
import { chooseMethod } from './auto.js';
import { chiSquareHomogeneity } from './chi2.js';
import { formatNumber as f } from './counts.js';
import { DEFAULT_ALPHA, DEFAULT_THRESHOLDS, PSI_WATCH_LEVEL } from './defaults.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { ksFromCdfGrid } from './ks.js';
import { populationStabilityIndex } from './psi.js';
import type { DriftInput, DriftMethod, DriftScore } from './types.js';
import { assertScorable } from './validate.js';
import { normalisedWasserstein, wassersteinFromCdfGrid, wassersteinFromQuantiles } from './wasserstein.js';

export interface ScoreOptions {
  method: DriftMethod | 'auto';
  /** Distance threshold (psi, jensen-shannon, wasserstein); defaults in defaults.ts. */
  threshold?: number;
  /** Significance level of the tests (ks, chi2) before correction; default 0.05. */
  alpha?: number;
}

/**
 * Scores one column. A sample with no non-null value cannot be compared: the score is
 * drifted with a NaN statistic (no data is never a pass). Throws RangeError on vectors that do
 * not fit together (see validate.ts) or a method that does not apply to the column's kind.
 */
export function scoreDrift(input: DriftInput, options: ScoreOptions): DriftScore {
  const auto = options.method === 'auto' ? chooseMethod(input) : undefined;
  const method = auto?.method ?? (options.method as DriftMethod);
  const test = method === 'ks' || method === 'chi2';
  const threshold = test ? (options.alpha ?? DEFAULT_ALPHA) : (options.threshold ?? DEFAULT_THRESHOLDS[method]);
  const prefix = auto ? ` [${auto.rule}]` : '';
  const sizes = `${input.datasetCount} vs ${input.referenceCount} values`;

  if (input.datasetCount === 0 || input.referenceCount === 0) {
    const empty = input.datasetCount === 0 ? 'dataset' : 'reference';
    return {
      column: input.column,
      method,
      statistic: Number.NaN,
      threshold,
      drifted: true,
      reason: `No non-null value in the ${empty} (${sizes}): drift cannot be measured.${prefix}`,
    };
  }
  assertScorable(input, method);

  const distance = (statistic: number, label: string, detail: string): DriftScore => {
    const drifted = statistic >= threshold;
    return {
      column: input.column,
      method,
      statistic,
      threshold,
      drifted,
      reason: `${label} ${f(statistic)} ${drifted ? '≥' : '<'} ${f(threshold)} (${detail}).${prefix}`,
    };
  };
  const tested = (statistic: number, pValue: number, label: string, detail: string, extra: Partial<DriftScore> = {}): DriftScore => {
    const drifted = pValue < threshold;
    return {
      column: input.column,
      method,
      statistic,
      pValue,
      ...extra,
      threshold,
      drifted,
      reason: `${label} (${detail}), p ${f(pValue)} ${drifted ? '<' : '≥'} α ${f(threshold)}.${prefix}`,
    };
  };

  const [dCounts, rCounts, binsLabel] =
    input.kind === 'numeric'
      ? [input.datasetBinCounts, input.referenceBinCounts, `${input.binCuts.length + 1} reference-quantile bins`]
      : [input.datasetCounts, input.referenceCounts, `${input.categories.length} categor${input.categories.length === 1 ? 'y' : 'ies'}`];

  switch (method) {
    case 'psi': {
      const psi = populationStabilityIndex(dCounts, rCounts);
      const watch = psi >= PSI_WATCH_LEVEL && psi < threshold ? `; ≥ ${PSI_WATCH_LEVEL}: moderate shift, watch` : '';
      return distance(psi, 'PSI', `${binsLabel}, ${sizes}${watch}`);
    }
    case 'jensen-shannon':
      return distance(jensenShannonDistance(dCounts, rCounts), 'Jensen–Shannon distance', `${binsLabel}, ${sizes}`);
    case 'chi2': {
      const r = chiSquareHomogeneity(dCounts, rCounts);
      const rough = r.smallExpectedCells > 0 ? `; ${r.smallExpectedCells} cells with expected count < 5, approximation rough` : '';
      return tested(r.statistic, r.pValue, `Chi-square ${f(r.statistic)}`, `dof ${r.dof}, ${binsLabel}, ${sizes}${rough}`);
    }
    case 'ks': {
      if (input.kind !== 'numeric') throw new RangeError('unreachable: ks on a categorical column');
      const below = input.datasetCdfBelow && input.referenceCdfBelow ? { dataset: input.datasetCdfBelow, reference: input.referenceCdfBelow } : undefined;
      const r = ksFromCdfGrid(input.datasetCdf, input.referenceCdf, input.datasetCount, input.referenceCount, below);
      // The grid bound is named only when it could change the decision.
      const couldFlip = r.pValue >= threshold && r.pValueAtUpperBound < threshold;
      const bound = couldFlip
        ? `; on this ${input.grid.length}-point grid the exact D may reach ${f(r.upperBound)} (p ${f(r.pValueAtUpperBound)}): refine the grid`
        : '';
      return tested(r.statistic, r.pValue, `KS D ${f(r.statistic)}`, `${sizes}${bound}`, { statisticUpperBound: r.upperBound });
    }
    case 'wasserstein': {
      if (input.kind !== 'numeric') throw new RangeError('unreachable: wasserstein on a categorical column');
      // Quantile functions when given; otherwise the CDF grid (no sort needed on the SQL side).
      const fromQuantiles = input.probabilities.length > 0;
      const w1 = fromQuantiles
        ? wassersteinFromQuantiles(input.probabilities, input.datasetQuantiles, input.referenceQuantiles)
        : wassersteinFromCdfGrid(input.grid, input.datasetCdf, input.referenceCdf, input);
      const scale = input.referenceStd > 0 ? `reference std ${f(input.referenceStd)}` : 'constant reference, std floored at 0.001';
      const over = fromQuantiles ? `${input.probabilities.length} quantiles` : `CDFs on ${input.grid.length} grid points`;
      return distance(normalisedWasserstein(w1, input.referenceStd), 'Normalised Wasserstein', `W1 ${f(w1)} / ${scale}, ${over}, ${sizes}`);
    }
  }
}
