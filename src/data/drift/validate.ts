/**
 * Shape checks of a DriftInput before any statistic: a mismatch is a bug on the SQL side, and a
 * statistic over misaligned vectors would be a silent wrong answer, so it throws with the column.
 */
import type { DriftInput, DriftMethod } from './types.js';

/** Methods that can score a column of this kind. */
export function methodsFor(kind: DriftInput['kind']): DriftMethod[] {
  return kind === 'numeric' ? ['psi', 'ks', 'chi2', 'jensen-shannon', 'wasserstein'] : ['psi', 'chi2', 'jensen-shannon'];
}

/** Throws a RangeError naming the column when the vectors `method` reads are inconsistent. */
export function assertScorable(input: DriftInput, method: DriftMethod): void {
  const where = `drift input for column '${input.column}'`;
  const sameLength = (what: string, a: readonly unknown[], b: readonly unknown[]): void => {
    if (a.length !== b.length) throw new RangeError(`${where}: ${what} have lengths ${a.length} and ${b.length}`);
  };
  if (!methodsFor(input.kind).includes(method)) {
    throw new RangeError(`${where}: method '${method}' needs a numeric column; this one is ${input.kind}`);
  }
  if (input.kind === 'categorical') {
    sameLength('categories and datasetCounts', input.categories, input.datasetCounts);
    sameLength('categories and referenceCounts', input.categories, input.referenceCounts);
    return;
  }
  const cdfs = (): void => {
    sameLength('grid and datasetCdf', input.grid, input.datasetCdf);
    sameLength('grid and referenceCdf', input.grid, input.referenceCdf);
    if ((input.datasetCdfBelow === undefined) !== (input.referenceCdfBelow === undefined)) {
      throw new RangeError(`${where}: datasetCdfBelow and referenceCdfBelow come together`);
    }
    if (input.datasetCdfBelow) sameLength('grid and datasetCdfBelow', input.grid, input.datasetCdfBelow);
    if (input.referenceCdfBelow) sameLength('grid and referenceCdfBelow', input.grid, input.referenceCdfBelow);
  };
  if (method === 'ks') {
    cdfs();
  } else if (method === 'wasserstein' && input.probabilities.length === 0) {
    // Integrated over the CDF grid instead (wasserstein.ts).
    cdfs();
    if (input.grid.length === 0) throw new RangeError(`${where}: neither quantiles nor a CDF grid`);
  } else if (method === 'wasserstein') {
    sameLength('probabilities and datasetQuantiles', input.probabilities, input.datasetQuantiles);
    sameLength('probabilities and referenceQuantiles', input.probabilities, input.referenceQuantiles);
    if (input.probabilities.some((p, i) => p < 0 || p > 1 || (i > 0 && p < (input.probabilities[i - 1] as number)))) {
      throw new RangeError(`${where}: probabilities must be ascending within [0, 1]`);
    }
  } else {
    if (input.datasetBinCounts.length !== input.binCuts.length + 1 || input.referenceBinCounts.length !== input.binCuts.length + 1) {
      throw new RangeError(
        `${where}: ${input.binCuts.length} bin cuts need ${input.binCuts.length + 1} counts per sample, got ${input.datasetBinCounts.length} and ${input.referenceBinCounts.length}`,
      );
    }
  }
}
