/** The drift inputs assembled from the passes' small vectors (bucket counts → bins and CDFs). */
import { categoricalInput, numericInput, OTHER_CATEGORY } from '../../../src/data/checks/drift.js';

it('cumulative bucket counts give bins cut at the deciles and CDFs on the de-duplicated grid', () => {
  // Reference 0..9 repeated 10 times: grid at p = .01….99 has repeats (each value 10 times but fewer at the ends).
  const grid = Array.from({ length: 99 }, (_, i) => Math.floor(((i + 1) / 100) * 100 - 1e-9) / 10 | 0);
  const unique = [...new Set(grid)];
  // Reference buckets over the raw grid: bucket = number of grid points below the value.
  const refBuckets = new Map<number, number>();
  for (let v = 0; v < 10; v++) {
    const bucket = grid.filter((g) => g < v).length;
    refBuckets.set(bucket, (refBuckets.get(bucket) ?? 0) + 10);
  }
  // Dataset: 50 values of 0 and 50 of 9, bucketed over the de-duplicated grid.
  const dataBuckets = new Map([[0, 50], [unique.filter((g) => g < 9).length, 50]]);
  const input = numericInput('x', { count: 100, std: 2.9, grid, buckets: refBuckets, quantiles: [1] }, { count: 100, buckets: dataBuckets, quantiles: [2] });
  expect(input.grid).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(input.referenceCdf).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  expect(input.datasetCdf).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1]);
  expect(input.binCuts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  expect(input.referenceBinCounts).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  expect(input.datasetBinCounts).toEqual([50, 0, 0, 0, 0, 0, 0, 0, 0, 50]);
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
