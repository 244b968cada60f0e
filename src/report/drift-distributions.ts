/**
 * What the HTML drift report draws for a column, from the vectors the drift check already
 * computed (a drift result's `details.input`, src/data/drift/types.ts): no second look at the
 * data. Shares, not counts, so a 5M-row training set and a 20k-row production sample overlay.
 *
 * - Numeric: a histogram on bins shared by both samples. The input holds both CDFs on the
 *   reference grid (about a thousand production quantiles plus the extremes), so the share of a
 *   bin whose edges are grid points is a difference of CDFs, exact. Edges are equally spaced
 *   between production's 1st and 99th percentiles, each moved to the nearest grid point; what
 *   lies beyond (both samples) is one bar at either end. A column with few distinct whole
 *   values gets one bar per value.
 * - Categorical: the most frequent categories (of either sample) as bars, the rest pooled;
 *   production categories training never had are listed.
 */
import type { CategoricalDriftInput, DriftInput, NumericDriftInput } from '../data/drift/types.js';

/** Bins of a numeric histogram; fewer when the column has fewer distinct production values. */
export const HISTOGRAM_BINS = 24;
/** Categories drawn as bars; the rest are pooled into one bar. */
export const TOP_CATEGORIES = 12;
/** Production's share below the first bin and above the last of a histogram (each side). */
export const TAIL_SHARE = 0.01;
/** The pooled category of the drift check (src/data/checks/drift.ts OTHER_CATEGORY). */
const POOLED = '(other)';

/** One bar pair: the share of each sample (0..1) in a bin or category. */
export interface DistributionBar {
  label: string;
  training: number;
  production: number;
}

export interface NumericDistribution {
  kind: 'numeric';
  bars: DistributionBar[];
  /** Production's minimum and maximum (the grid's ends). */
  min: number;
  max: number;
  /** Share of training outside production's range. */
  trainingBelow: number;
  trainingAbove: number;
}

export interface UnseenCategory {
  value: string;
  /** Production rows with the category. */
  productionCount: number;
  productionShare: number;
}

export interface CategoricalDistribution {
  kind: 'categorical';
  bars: DistributionBar[];
  /** Categories drawn (the rest pooled into the last bar). */
  shown: number;
  total: number;
  /** Production categories with no training row among the listed categories, most frequent first. */
  unseen: UnseenCategory[];
  /**
   * False when training had more categories than the check lists (its pooled rest is not
   * empty): an "unseen" category may then be among training's rare ones.
   */
  unseenIsCertain: boolean;
}

export type Distribution = NumericDistribution | CategoricalDistribution;

/** The distributions of a drift result's input, or undefined when it cannot be drawn. */
export function distributionOf(input: DriftInput): Distribution | undefined {
  return input.kind === 'numeric' ? numericDistribution(input) : categoricalDistribution(input);
}

/** Compact number for axis labels: 3 significant digits, k / M / G for large magnitudes. */
export function compactNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const scaled = (v: number, suffix: string) => `${Number(v.toPrecision(3))}${suffix}`;
  if (a >= 1e9) return scaled(x / 1e9, 'G');
  if (a >= 1e6) return scaled(x / 1e6, 'M');
  if (a >= 1e4) return scaled(x / 1e3, 'k');
  if (a === 0 || a >= 1e-3) return String(Number(x.toPrecision(3)));
  return x.toExponential(1);
}

/** The index of the grid point nearest to `value` (grid ascending). */
function nearestIndex(grid: readonly number[], value: number): number {
  let lo = 0;
  let hi = grid.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((grid[mid] as number) <= value) lo = mid;
    else hi = mid;
  }
  return Math.abs((grid[hi] as number) - value) < Math.abs(value - (grid[lo] as number)) ? hi : lo;
}

function numericDistribution(input: NumericDriftInput): NumericDistribution | undefined {
  const { grid, datasetCdf, referenceCdf } = input;
  const m = grid.length;
  if (m === 0 || datasetCdf.length !== m || referenceCdf.length !== m || input.referenceCount === 0) return undefined;
  const min = grid[0] as number;
  const max = grid[m - 1] as number;
  // Training outside production's range: #(x < minimum) / n needs the left limits.
  const trainingBelow = input.datasetCdfBelow?.[0] ?? 0;
  const trainingAbove = Math.max(0, 1 - (datasetCdf[m - 1] as number));
  const bars: DistributionBar[] = [];
  const bar = (label: string, training: number, production: number) => bars.push({ label, training: Math.max(0, training), production: Math.max(0, production) });
  // Few distinct whole production values (a count, a code): one bar per value, (previous, value].
  if (m === 1 || (m <= HISTOGRAM_BINS + 1 && grid.every((g) => Number.isInteger(g)))) {
    if (trainingBelow > 0) bar(`< ${compactNumber(min)}`, trainingBelow, 0);
    grid.forEach((g, k) => {
      const at = (cdf: readonly number[], below: number) => (cdf[k] as number) - (k === 0 ? below : (cdf[k - 1] as number));
      bar(compactNumber(g), at(datasetCdf, trainingBelow), at(referenceCdf, input.referenceCdfBelow?.[0] ?? 0));
    });
    if (trainingAbove > 0) bar(`> ${compactNumber(max)}`, trainingAbove, 0);
    return { kind: 'numeric', bars, min, max, trainingBelow, trainingAbove };
  }
  // The body, production's TAIL_SHARE to 1 − TAIL_SHARE quantiles, on equal-width bins; both
  // samples' values beyond it in one bar at each end, so a long tail does not squeeze the body.
  let low = referenceCdf.findIndex((f) => f >= TAIL_SHARE);
  let high = referenceCdf.findIndex((f) => f >= 1 - TAIL_SHARE);
  if (low < 0 || high <= low) [low, high] = [0, m - 1];
  const lo = grid[low] as number;
  const hi = grid[high] as number;
  const snapped = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => nearestIndex(grid, lo + ((hi - lo) * i) / HISTOGRAM_BINS));
  const edges = [...new Set([low, ...snapped.filter((k) => k >= low && k <= high), high])].sort((a, b) => a - b);
  const cdfAt = (cdf: readonly number[], k: number) => cdf[k] as number;
  if (cdfAt(datasetCdf, low) > 0 || cdfAt(referenceCdf, low) > 0) bar(`≤ ${compactNumber(lo)}`, cdfAt(datasetCdf, low), cdfAt(referenceCdf, low));
  for (let i = 1; i < edges.length; i++) {
    const from = edges[i - 1] as number;
    const to = edges[i] as number;
    bar(`${compactNumber(grid[from] as number)}–${compactNumber(grid[to] as number)}`, cdfAt(datasetCdf, to) - cdfAt(datasetCdf, from), cdfAt(referenceCdf, to) - cdfAt(referenceCdf, from));
  }
  if (cdfAt(datasetCdf, high) < 1 || cdfAt(referenceCdf, high) < 1) bar(`> ${compactNumber(hi)}`, 1 - cdfAt(datasetCdf, high), 1 - cdfAt(referenceCdf, high));
  return { kind: 'numeric', bars, min, max, trainingBelow, trainingAbove };
}

function categoricalDistribution(input: CategoricalDriftInput): CategoricalDistribution | undefined {
  const n = { training: input.datasetCount, production: input.referenceCount };
  const share = (count: number, total: number) => (total > 0 ? count / total : 0);
  const rows = input.categories.map((category, i) => ({
    category,
    training: input.datasetCounts[i] ?? 0,
    production: input.referenceCounts[i] ?? 0,
  }));
  const pooled = rows.find((r) => r.category === POOLED);
  const listed = rows.filter((r) => r !== pooled);
  const weight = (r: (typeof rows)[number]) => Math.max(share(r.training, n.training), share(r.production, n.production));
  const ranked = [...listed].sort((a, b) => weight(b) - weight(a) || a.category.localeCompare(b.category));
  const shown = ranked.slice(0, TOP_CATEGORIES);
  const rest = [...ranked.slice(TOP_CATEGORIES), ...(pooled ? [pooled] : [])];
  const bars: DistributionBar[] = shown.map((r) => ({ label: r.category, training: share(r.training, n.training), production: share(r.production, n.production) }));
  const restTraining = rest.reduce((sum, r) => sum + r.training, 0);
  const restProduction = rest.reduce((sum, r) => sum + r.production, 0);
  if (restTraining > 0 || restProduction > 0) {
    const categories = ranked.length - shown.length;
    bars.push({
      label: categories > 0 ? `other (${categories}${pooled ? '+' : ''})` : 'other',
      training: share(restTraining, n.training),
      production: share(restProduction, n.production),
    });
  }
  const unseen = listed
    .filter((r) => r.training === 0 && r.production > 0)
    .sort((a, b) => b.production - a.production || a.category.localeCompare(b.category))
    .map((r) => ({ value: r.category, productionCount: r.production, productionShare: share(r.production, n.production) }));
  return { kind: 'categorical', bars, shown: shown.length, total: listed.length, unseen, unseenIsCertain: (pooled?.training ?? 0) === 0 };
}
