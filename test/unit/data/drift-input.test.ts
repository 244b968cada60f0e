/** The drift inputs assembled from the passes' small vectors (bucket counts → bins and CDFs). */
import { categoricalInput, OTHER_CATEGORY, toBucketCounts } from '../../../src/data/checks/drift.js';
import { nextDown, numericInputFromBuckets } from '../../../src/data/drift/index.js';

/** Right-closed bucket counts of values over ascending bounds, the overflow bucket last. */
function bucket(values: number[], bounds: number[]): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    const k = bounds.findIndex((b) => v <= b);
    counts[k === -1 ? bounds.length : k] = (counts[k === -1 ? bounds.length : k] ?? 0) + 1;
  }
  return counts;
}

it('cumulative bucket counts give bins cut at the deciles, CDFs and left limits on the grid', () => {
  // Reference 0..9, 10 times each; grid = its distinct values (2.5 a decile cut between them).
  const reference = Array.from({ length: 100 }, (_, i) => i % 10);
  const grid = [0, 1, 2, 2.5, 3, 4, 5, 6, 7, 8, 9];
  const bounds = [...new Set(grid.flatMap((g) => [nextDown(g), g]))].sort((a, b) => a - b);
  // Dataset: 50 values of 0, 40 of 9, 10 of 12 (above the grid: tail sum 10 × 3).
  const dataset = [...Array<number>(50).fill(0), ...Array<number>(40).fill(9), ...Array<number>(10).fill(12)];
  const input = numericInputFromBuckets(
    'x',
    { grid, bounds, binCuts: [2.5, 5], referenceStd: 2.9 },
    { count: 100, bucketCounts: bucket(reference, bounds).slice(0, bounds.length) }, // overflow left out when empty
    { count: 100, bucketCounts: bucket(dataset, bounds), tailSums: { below: 0, above: 30 } },
  );
  expect(input.referenceCdf).toEqual([0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  expect(input.referenceCdfBelow).toEqual([0, 0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  expect(input.datasetCdf).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9]);
  expect(input.datasetCdfBelow).toEqual([0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  expect(input.referenceBinCounts).toEqual([30, 30, 40]);
  expect(input.datasetBinCounts).toEqual([50, 0, 50]);
  expect(input.datasetTails).toEqual({ below: 0, above: 0.3 });
  expect(input.probabilities).toEqual([]);
});

it('a grid point that is not a bound, or counts that do not fit the bounds, throw', () => {
  const layout = { grid: [1], bounds: [1], binCuts: [], referenceStd: 1 };
  const sample = { count: 1, bucketCounts: [1] };
  expect(() => numericInputFromBuckets('x', { ...layout, grid: [2] }, sample, sample)).toThrow(/grid point 2 is not a histogram bound/);
  expect(() => numericInputFromBuckets('x', layout, sample, { count: 1, bucketCounts: [1, 0, 0] })).toThrow(/1 histogram bounds but 3 bucket counts/);
  // Without the doubles just below the grid points there are no left limits.
  expect(numericInputFromBuckets('x', layout, sample, sample).datasetCdfBelow).toBeUndefined();
});

it('bucket counts read as a list (DuckDB) or a map bucket → count (Trino)', () => {
  expect(toBucketCounts(['3', '0', '2'], 3)).toEqual([3, 0, 2]);
  expect(toBucketCounts([{ key: 2, value: '5' }, { key: 0, value: 1 }], 3)).toEqual([1, 0, 5]);
  expect(toBucketCounts(null, 3)).toEqual([]);
});

it('categories are the union of both samples; unlisted rows are pooled', () => {
  const input = categoricalInput('plan', { count: 10, top: [{ value: 'free', count: 6 }, { value: 'pro', count: 3 }] }, { count: 5, top: [{ value: 'vip', count: 5 }] });
  expect(input).toEqual({
    kind: 'categorical',
    column: 'plan',
    datasetCount: 5,
    referenceCount: 10,
    categories: ['free', 'pro', 'vip', OTHER_CATEGORY],
    datasetCounts: [0, 0, 5, 0],
    referenceCounts: [6, 3, 0, 1],
  });
});
