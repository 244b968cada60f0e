/**
 * Our statistics against scipy / numpy on the committed fixtures (test/fixtures/drift, made by
 * make_expected.py). Inputs are rebuilt from the raw samples the way the SQL side builds them
 * (build-input.ts). Tolerances:
 *  - PSI, Jensen–Shannon, chi-square statistic, KS D on the pooled grid, W1 on an exact grid:
 *    same formula on the same numbers → relative 1e-9;
 *  - chi-square p-value: stdlib's CDF, 1 − CDF → relative 1e-6 plus absolute 1e-14;
 *  - KS p-value: equal to kstwobign.sf(√n_eff·D) (relative 1e-9); scipy's own 'asymp' uses the
 *    finite-n law and is smaller: we check ours is never below it and within a factor 1.3 above
 *    it away from the far tail (measured: ≤ 1.28 at n = 8 vs 6);
 *  - KS on a coarse grid (both samples' quantiles at i/100): exact D within [D_grid, bound],
 *    D_grid within 0.01 of D (measured ≤ 0.002);
 *  - W1 from 1,000 inverse-CDF quantiles: relative 1 % of scipy (measured ≤ 0.4 %);
 *  - the gate's sort-free input (bucket counts on a reference-quantile grid, buildBinnedInput):
 *    bins exact (same tolerances as above); KS D within [D_grid, bound] and within 0.002 of D
 *    (measured ≤ 1e-4); W1 from the CDFs with left limits and tails: relative 1 % of scipy
 *    (measured ≤ 0.6 %, on 8 vs 6 values; ≤ 0.2 % from 300 values up). This is the one honestly
 *    coarser figure: between grid points the dataset's mass is taken as spread evenly.
 */
import { chiSquareHomogeneity } from '../../../src/data/drift/chi2.js';
import { jensenShannonDistance } from '../../../src/data/drift/jensen-shannon.js';
import { ksFromCdfGrid } from '../../../src/data/drift/ks.js';
import { populationStabilityIndex } from '../../../src/data/drift/psi.js';
import { normalisedWasserstein, wassersteinFromQuantiles } from '../../../src/data/drift/wasserstein.js';
import { scoreDrift } from '../../../src/data/drift/index.js';
import { buildBinnedInput, buildCategoricalInput, buildNumericInput } from './build-input.js';
import { categoricalCases, expectClose, numericCases } from './fixtures.js';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

describe.each(numericCases())('numeric fixture %s', (name, sample, want) => {
  const input = buildNumericInput(name, sample.dataset, sample.reference);

  it('builds the same reference-quantile bins and counts as numpy', () => {
    expect(input.binCuts.length).toBe(want.binCuts.length);
    input.binCuts.forEach((c, i) => expectClose(c, want.binCuts[i] as number, 1e-12, 1e-15));
    expect(input.datasetBinCounts).toEqual(want.datasetBinCounts);
    expect(input.referenceBinCounts).toEqual(want.referenceBinCounts);
    expectClose(input.referenceStd, want.referenceStd, 1e-9, 1e-15);
  });

  it('PSI, Jensen–Shannon and binned chi-square equal numpy / scipy', () => {
    expectClose(populationStabilityIndex(input.datasetBinCounts, input.referenceBinCounts), want.psi, 1e-9, 1e-15);
    expectClose(jensenShannonDistance(input.datasetBinCounts, input.referenceBinCounts), want.jensenShannon, 1e-9, 1e-12);
    const chi = chiSquareHomogeneity(input.datasetBinCounts, input.referenceBinCounts);
    expectClose(chi.statistic, want.chi2Bins.statistic, 1e-9, 1e-12);
    expect(chi.dof).toBe(want.chi2Bins.dof);
    expectClose(chi.pValue, want.chi2Bins.pValue, 1e-6, 1e-14);
  });

  it('KS on the pooled grid: D equals scipy ks_2samp, p equals kstwobign.sf(√n_eff·D)', () => {
    const ks = ksFromCdfGrid(input.datasetCdf, input.referenceCdf, input.datasetCount, input.referenceCount);
    expectClose(ks.statistic, want.ks.statistic, 1e-9, 1e-15);
    expectClose(ks.pValue, want.ks.pValueKstwobign, 1e-9, 1e-15);
    expect(ks.pValue).toBeGreaterThanOrEqual(want.ks.pValueScipyAsymp);
    if (want.ks.pValueScipyAsymp > 1e-4) expect(ks.pValue).toBeLessThanOrEqual(1.3 * want.ks.pValueScipyAsymp);
  });

  it('KS on a 100-quantile grid: the exact D lies within the grid bounds', () => {
    const coarse = buildNumericInput(name, sample.dataset, sample.reference, { ksGrid: 100 });
    const ks = ksFromCdfGrid(coarse.datasetCdf, coarse.referenceCdf, coarse.datasetCount, coarse.referenceCount);
    expect(ks.statistic).toBeLessThanOrEqual(want.ks.statistic + 1e-12);
    expect(ks.upperBound).toBeGreaterThanOrEqual(want.ks.statistic - 1e-12);
    expect(want.ks.statistic - ks.statistic).toBeLessThanOrEqual(0.01);
  });

  it('Wasserstein: exact on an lcm(n, m) grid, within 1 % on 1,000 quantiles', () => {
    const g = (want.n * want.m) / gcd(want.n, want.m);
    const exact = buildNumericInput(name, sample.dataset, sample.reference, { quantileCount: g });
    const w1 = wassersteinFromQuantiles(exact.probabilities, exact.datasetQuantiles, exact.referenceQuantiles);
    expectClose(w1, want.wasserstein.w1, 1e-9, 1e-12);
    expectClose(normalisedWasserstein(w1, exact.referenceStd), want.wasserstein.normalised, 1e-9, 1e-9);
    const approx = wassersteinFromQuantiles(input.probabilities, input.datasetQuantiles, input.referenceQuantiles);
    expectClose(approx, want.wasserstein.w1, 0.01, 1e-12);
  });

  it('Wasserstein from the CDFs on the pooled grid equals scipy (no quantiles needed)', () => {
    const fromCdf = { ...input, probabilities: [], datasetQuantiles: [], referenceQuantiles: [] };
    const score = scoreDrift(fromCdf, { method: 'wasserstein' });
    expectClose(score.statistic, want.wasserstein.normalised, 1e-9, 1e-9);
    expect(score.reason).toContain('grid points');
  });

  it('scoreDrift reports the same statistics', () => {
    expectClose(scoreDrift(input, { method: 'psi' }).statistic, want.psi, 1e-9, 1e-15);
    expectClose(scoreDrift(input, { method: 'ks' }).pValue ?? Number.NaN, want.ks.pValueKstwobign, 1e-9, 1e-15);
    expectClose(scoreDrift(input, { method: 'wasserstein' }).statistic, want.wasserstein.normalised, 0.01, 1e-12);
  });
});

describe.each(numericCases())('numeric fixture %s, sort-free (the gate: bucket counts on a reference grid)', (name, sample, want) => {
  const input = buildBinnedInput(name, sample.dataset, sample.reference);

  it('bins, PSI, Jensen–Shannon and binned chi-square are exact', () => {
    expect(input.datasetBinCounts).toEqual(want.datasetBinCounts);
    expect(input.referenceBinCounts).toEqual(want.referenceBinCounts);
    expectClose(scoreDrift(input, { method: 'psi' }).statistic, want.psi, 1e-9, 1e-15);
    expectClose(scoreDrift(input, { method: 'jensen-shannon' }).statistic, want.jensenShannon, 1e-9, 1e-12);
    expectClose(scoreDrift(input, { method: 'chi2' }).statistic, want.chi2Bins.statistic, 1e-9, 1e-12);
  });

  it('KS: the exact D lies within [D_grid, bound], D_grid within 0.002', () => {
    const ks = scoreDrift(input, { method: 'ks' });
    expect(ks.statistic).toBeLessThanOrEqual(want.ks.statistic + 1e-12);
    expect(ks.statisticUpperBound).toBeGreaterThanOrEqual(want.ks.statistic - 1e-12);
    expect(want.ks.statistic - ks.statistic).toBeLessThanOrEqual(0.002);
  });

  it('Wasserstein from the CDFs, left limits and tails: within 1 % of scipy', () => {
    const score = scoreDrift(input, { method: 'wasserstein' });
    expectClose(score.statistic, want.wasserstein.normalised, 0.01, 1e-12);
    expect(score.reason).toContain('grid points');
  });
});

describe.each(categoricalCases())('categorical fixture %s', (name, sample, want) => {
  const input = buildCategoricalInput(name, sample.dataset, sample.reference);

  it('counts categories as Python did', () => {
    expect(input.categories).toEqual(want.categories);
    expect(input.datasetCounts).toEqual(want.datasetCounts);
    expect(input.referenceCounts).toEqual(want.referenceCounts);
  });

  it('chi-square (2 × K contingency, no Yates), PSI and Jensen–Shannon equal scipy / numpy', () => {
    const chi = scoreDrift(input, { method: 'chi2' });
    expectClose(chi.statistic, want.chi2.statistic, 1e-9, 1e-12);
    expectClose(chi.pValue ?? Number.NaN, want.chi2.pValue, 1e-6, 1e-14);
    expect(chiSquareHomogeneity(input.datasetCounts, input.referenceCounts).dof).toBe(want.chi2.dof);
    expectClose(scoreDrift(input, { method: 'psi' }).statistic, want.psi, 1e-9, 1e-15);
    expectClose(scoreDrift(input, { method: 'jensen-shannon' }).statistic, want.jensenShannon, 1e-9, 1e-12);
  });
});
