/**
 * A numeric DriftInput from bucket counts alone: what a sort-free SQL pass over the dataset
 * returns (DuckDB `histogram(x, bounds)`, two tail sums), assembled the same way for the gate
 * (src/data/checks/drift.ts) and the hand-written floor (bench/data/floor.ts).
 *
 * - `grid`: ascending, distinct points (the reference's quantiles, the bin cuts among them).
 * - `bounds`: ascending, distinct histogram bounds: every grid point and, normally, the double
 *   just below it (`nextafter(g, −∞)`), so #(x ≤ bound) at that bound is #(x < g).
 * - per sample `bucketCounts[k]` = #(bounds[k−1] < x ≤ bounds[k]), and optionally the overflow
 *   bucket (> last bound) last; the tail sums (divided by n here, see types.ts).
 * The CDFs on the grid are the cumulative counts; the left limits are given when every grid
 * point's lower neighbour is among the bounds; PSI bins are differences of the CDF at the cuts.
 */
import type { NumericDriftInput } from './types.js';

export interface BinnedSample {
  count: number;
  bucketCounts: readonly number[];
  /** Σ_{x < grid[0]} (grid[0] − x) and Σ_{x > grid[last]} (x − grid[last]); absent = 0. */
  tailSums?: { below: number; above: number };
}

/** The largest double below x (x finite). */
export function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}

/** #(x ≤ bounds[k]) for each k. */
function cumulative(column: string, bounds: readonly number[], sample: BinnedSample): number[] {
  const counts = sample.bucketCounts;
  if (counts.length !== 0 && counts.length !== bounds.length && counts.length !== bounds.length + 1) {
    throw new RangeError(`drift input for column '${column}': ${bounds.length} histogram bounds but ${counts.length} bucket counts`);
  }
  let running = 0;
  return bounds.map((_, k) => (running += counts[k] ?? 0));
}

export function numericInputFromBuckets(
  column: string,
  layout: { grid: readonly number[]; bounds: readonly number[]; binCuts: readonly number[]; referenceStd: number },
  reference: BinnedSample,
  dataset: BinnedSample,
): NumericDriftInput {
  const { grid, bounds } = layout;
  const index = new Map(bounds.map((b, k) => [b, k]));
  const at = (g: number): number => {
    const k = index.get(g);
    if (k === undefined) throw new RangeError(`drift input for column '${column}': grid point ${g} is not a histogram bound`);
    return k;
  };
  const gridIndex = grid.map(at);
  const belowIndex = grid.map((g) => index.get(nextDown(g)));
  const hasBelow = belowIndex.every((k) => k !== undefined);
  const side = (sample: BinnedSample) => {
    const cum = cumulative(column, bounds, sample);
    const n = sample.count;
    const cdf = gridIndex.map((k) => (n === 0 ? 0 : (cum[k] as number) / n));
    const below = hasBelow ? belowIndex.map((k) => (n === 0 ? 0 : (cum[k as number] as number) / n)) : undefined;
    const cuts = layout.binCuts.map((c) => cum[at(c)] as number);
    const bins = [...cuts, n].map((v, i) => v - (i === 0 ? 0 : (cuts[i - 1] as number)));
    const tails = sample.tailSums && n > 0 ? { below: sample.tailSums.below / n, above: sample.tailSums.above / n } : undefined;
    return { cdf, below, bins, tails };
  };
  const d = side(dataset);
  const r = side(reference);
  return {
    kind: 'numeric',
    column,
    datasetCount: dataset.count,
    referenceCount: reference.count,
    binCuts: [...layout.binCuts],
    datasetBinCounts: d.bins,
    referenceBinCounts: r.bins,
    // No quantiles: W1 is integrated over the CDF grid (wasserstein.ts).
    probabilities: [],
    datasetQuantiles: [],
    referenceQuantiles: [],
    grid: [...grid],
    datasetCdf: d.cdf,
    referenceCdf: r.cdf,
    ...(d.below && r.below ? { datasetCdfBelow: d.below, referenceCdfBelow: r.below } : {}),
    ...(d.tails ? { datasetTails: d.tails } : {}),
    ...(r.tails ? { referenceTails: r.tails } : {}),
    referenceStd: layout.referenceStd,
  };
}
