import {
  AUTO_MAX_EFFECTIVE_N_FOR_TESTS,
  chooseMethod,
  correctScores,
  driftShare,
  scoreColumns,
  scoreDrift,
  type CategoricalDriftInput,
  type DriftScore,
  type NumericDriftInput,
} from '../../../src/data/drift/index.js';
import { buildCategoricalInput, buildNumericInput } from './build-input.js';
import { samples } from './fixtures.js';

function numericSample(name: string): NumericDriftInput {
  const s = samples[name];
  if (s?.kind !== 'numeric') throw new Error(`no numeric fixture ${name}`);
  return buildNumericInput(name, s.dataset, s.reference);
}

function categoricalSample(name: string): CategoricalDriftInput {
  const s = samples[name];
  if (s?.kind !== 'categorical') throw new Error(`no categorical fixture ${name}`);
  return buildCategoricalInput(name, s.dataset, s.reference);
}

/** A categorical input from counts alone (for large synthetic samples). */
function counts(datasetCounts: number[], referenceCounts: number[]): CategoricalDriftInput {
  return {
    kind: 'categorical',
    column: 'c',
    datasetCount: datasetCounts.reduce((a, b) => a + b, 0),
    referenceCount: referenceCounts.reduce((a, b) => a + b, 0),
    categories: datasetCounts.map((_, i) => `k${i}`),
    datasetCounts,
    referenceCounts,
  };
}

describe('method: auto', () => {
  it('tests when the effective sample size n·m/(n+m) is at most 1,000, distances above', () => {
    expect(chooseMethod(counts([1000, 1000], [1000, 1000])).method).toBe('chi2'); // n_eff 1000
    expect(chooseMethod(counts([1001, 1001], [1001, 1001])).method).toBe('jensen-shannon'); // n_eff 1001
    // 5 M training rows against a 900-row production sample: n_eff ≈ 900 → test.
    expect(chooseMethod(counts([2_500_000, 2_500_000], [450, 450])).method).toBe('chi2');
    expect(chooseMethod(numericSample('normal-shift')).method).toBe('ks');
    expect(chooseMethod(numericSample('normal-large-small-shift')).method).toBe('wasserstein');
    expect(AUTO_MAX_EFFECTIVE_N_FOR_TESTS).toBe(1000);
  });

  it('names the rule in the reason', () => {
    const score = scoreDrift(numericSample('normal-large-small-shift'), { method: 'auto' });
    expect(score.method).toBe('wasserstein');
    expect(score.reason).toContain('auto: effective n 1875 > 1000 → distance');
  });

  it('does not flag a 0.05σ shift on large samples that the KS test calls significant at larger n', () => {
    // normal-large-small-shift: W1/σ ≈ 0.044 < 0.1 → no drift by auto.
    const score = scoreDrift(numericSample('normal-large-small-shift'), { method: 'auto' });
    expect(score.drifted).toBe(false);
    expect(score.statistic).toBeGreaterThan(0.03);
    expect(score.statistic).toBeLessThan(0.1);
  });
});

describe('decisions and reasons', () => {
  it('KS flags a 0.3σ shift at α 0.05 and keeps two samples of one normal', () => {
    const shift = scoreDrift(numericSample('normal-shift'), { method: 'ks' });
    expect(shift).toMatchObject({ method: 'ks', drifted: true, threshold: 0.05 });
    expect(shift.reason).toMatch(/^KS D 0\.142 \(500 vs 400 values\), p 2\.56e-4 < α 0\.05\.$/);
    const same = scoreDrift(numericSample('normal-same'), { method: 'ks' });
    expect(same.drifted).toBe(false);
    expect(same.reason).toContain('≥ α 0.05');
  });

  it('PSI uses 0.2 by default, names the 0.1 watch level, and takes a custom threshold', () => {
    const scale = scoreDrift(numericSample('normal-scale'), { method: 'psi' }); // PSI ≈ 0.209
    expect(scale.drifted).toBe(true);
    expect(scale.reason).toMatch(/^PSI 0\.209 ≥ 0\.2 \(10 reference-quantile bins, 800 vs 600 values\)\.$/);
    const shift = scoreDrift(numericSample('normal-shift'), { method: 'psi' }); // PSI ≈ 0.132
    expect(shift.drifted).toBe(false);
    expect(shift.reason).toContain('moderate shift, watch');
    expect(scoreDrift(numericSample('normal-shift'), { method: 'psi', threshold: 0.1 }).drifted).toBe(true);
  });

  it('alpha applies to tests, threshold to distances', () => {
    const input = numericSample('poisson-ties'); // KS p ≈ 0.022
    expect(scoreDrift(input, { method: 'ks', alpha: 0.01 }).drifted).toBe(false);
    expect(scoreDrift(input, { method: 'ks', threshold: 0.01 }).drifted).toBe(true);
    expect(scoreDrift(input, { method: 'wasserstein', alpha: 0.9 }).threshold).toBe(0.1);
  });

  it('chi-square says when expected counts are small', () => {
    // Column 3 holds 2 values: expected 1.1 and 0.9.
    const score = scoreDrift(counts([50, 50, 2], [40, 40, 0]), { method: 'chi2' });
    expect(score.reason).toContain('; 2 cells with expected count < 5, approximation rough');
    expect(scoreDrift(categoricalSample('cat-one-sided'), { method: 'chi2' }).reason).not.toContain('expected count');
  });
});

describe('edge cases', () => {
  it('a category seen in one sample only is finite for JS and PSI and drives chi-square', () => {
    const input = categoricalSample('cat-one-sided');
    for (const method of ['jensen-shannon', 'psi', 'chi2'] as const) {
      const score = scoreDrift(input, { method });
      expect(Number.isFinite(score.statistic)).toBe(true);
      expect(score.drifted).toBe(true);
    }
  });

  it('PSI smooths an empty bin with 1e-4 instead of going infinite', () => {
    const score = scoreDrift(counts([50, 50, 0], [40, 40, 20]), { method: 'psi' });
    // (1e-4 − 0.2)·ln(1e-4 / 0.2) + 2·(0.5 − 0.4)·ln(0.5 / 0.4)
    const want = (1e-4 - 0.2) * Math.log(1e-4 / 0.2) + 2 * 0.1 * Math.log(0.5 / 0.4);
    expect(score.statistic).toBeCloseTo(want, 12);
  });

  it('constant columns: identical constants do not drift, a constant reference against a spread does', () => {
    for (const method of ['psi', 'ks', 'wasserstein', 'jensen-shannon', 'chi2'] as const) {
      const same = scoreDrift(numericSample('constant-both'), { method });
      expect(same.statistic).toBe(0);
      expect(same.drifted).toBe(false);
    }
    const w = scoreDrift(numericSample('constant-reference'), { method: 'wasserstein' });
    expect(w.drifted).toBe(true);
    expect(w.reason).toContain('constant reference, std floored at 0.001');
  });

  it('a single category on both sides scores 0 with p = 1', () => {
    const score = scoreDrift(categoricalSample('cat-single'), { method: 'chi2' });
    expect(score).toMatchObject({ statistic: 0, pValue: 1, drifted: false });
  });

  it('tiny samples still get a (conservative) asymptotic p-value', () => {
    const score = scoreDrift(numericSample('tiny'), { method: 'auto' });
    expect(score.method).toBe('ks');
    expect(score.pValue).toBeGreaterThan(0.05); // scipy's exact p is 0.061, asymptotic 0.095
    expect(score.drifted).toBe(false);
  });

  it('an empty sample is drifted with a NaN statistic: no data is never a pass', () => {
    const input = { ...numericSample('normal-shift'), datasetCount: 0 };
    const score = scoreDrift(input, { method: 'auto' });
    expect(score.drifted).toBe(true);
    expect(score.statistic).toBeNaN();
    expect(score.reason).toContain('No non-null value in the dataset');
  });

  it('rejects misaligned vectors and methods that do not fit the column kind', () => {
    const input = numericSample('normal-shift');
    expect(() => scoreDrift({ ...input, datasetBinCounts: [1, 2] }, { method: 'psi' })).toThrow(/bin cuts need 10 counts/);
    expect(() => scoreDrift({ ...input, datasetCdf: [0.5] }, { method: 'ks' })).toThrow(/grid and datasetCdf/);
    expect(() => scoreDrift({ ...input, probabilities: [...input.probabilities].reverse() }, { method: 'wasserstein' })).toThrow(/ascending/);
    expect(() => scoreDrift(categoricalSample('cat-same'), { method: 'ks' })).toThrow(/needs a numeric column/);
  });

  it('KS names the grid bound only when it could flip the decision', () => {
    const input = numericSample('normal-same'); // D 0.078, p 0.24 on the pooled grid
    // Keep every 40th grid point: the bound can now reach a significant D.
    const keep = (xs: number[]): number[] => xs.filter((_, i) => i % 40 === 0);
    const coarse = { ...input, grid: keep(input.grid), datasetCdf: keep(input.datasetCdf), referenceCdf: keep(input.referenceCdf) };
    const score = scoreDrift(coarse, { method: 'ks' });
    expect(score.drifted).toBe(false);
    expect(score.statisticUpperBound).toBeGreaterThan(score.statistic);
    expect(score.reason).toContain('refine the grid');
    expect(scoreDrift(input, { method: 'ks' }).reason).not.toContain('grid');
  });
});

describe('across columns', () => {
  const score = (column: string, pValue: number | undefined, drifted: boolean): DriftScore => ({
    column,
    method: pValue === undefined ? 'wasserstein' : 'ks',
    statistic: 0.1,
    ...(pValue === undefined ? {} : { pValue }),
    threshold: 0.05,
    drifted,
    reason: 'r.',
  });

  it('Holm re-decides tested columns on adjusted p-values and leaves distances alone', () => {
    const scores = [score('a', 0.01, true), score('b', 0.04, true), score('w', undefined, true), score('c', 0.5, false)];
    const out = correctScores(scores, 'holm');
    expect(out.map((s) => s.adjustedPValue)).toEqual([0.03, 0.08, undefined, 0.5]);
    expect(out.map((s) => s.drifted)).toEqual([true, false, true, false]);
    expect(out[1]?.reason).toBe('r. Holm-adjusted across 3 tested columns: p 0.08 ≥ α 0.05.');
    expect(scores[1]?.drifted).toBe(true); // input untouched
  });

  it('driftShare counts drifted columns', () => {
    expect(driftShare([score('a', 0.01, true), score('b', 0.5, false), score('c', 0.2, false), score('d', 0.001, true)])).toEqual({
      share: 0.5,
      drifted: 2,
      total: 4,
    });
    expect(driftShare([])).toEqual({ share: 0, drifted: 0, total: 0 });
  });

  it('scoreColumns scores, corrects (Holm by default) and sums up', () => {
    const inputs = [numericSample('normal-shift'), numericSample('normal-same'), numericSample('poisson-ties'), categoricalSample('cat-shift')];
    const uncorrected = scoreColumns(inputs, { method: 'auto', correction: 'none' });
    const holm = scoreColumns(inputs, { method: 'auto' });
    // poisson-ties: p 0.022 < 0.05 alone, but 3rd smallest of 4 → Holm 2 × 0.022 = 0.044 < 0.05 still.
    expect(uncorrected.drifted).toBe(3);
    expect(holm.scores.map((s) => s.drifted)).toEqual([true, false, true, true]);
    expect(holm.scores[2]?.adjustedPValue).toBeCloseTo(2 * (uncorrected.scores[2]?.pValue ?? 0), 12);
    expect(holm.share).toBe(0.75);
  });
});

describe('Wasserstein and KS on a CDF grid with left limits and tails', () => {
  it('spreads the mass between grid points evenly, integrates a sign change exactly, adds the tails', async () => {
    const { wassersteinFromCdfGrid } = await import('../../../src/data/drift/wasserstein.js');
    // Dataset uniform on [0, 1], reference uniform on [0.5, 1.5]: W1 = 0.5. Grid 0, 0.5, 1 (+ 1.5 for the reference).
    const grid = [0, 0.5, 1, 1.5];
    const dataset = { at: [0, 0.5, 1, 1], below: [0, 0.5, 1, 1] };
    const reference = { at: [0, 0, 0.5, 1], below: [0, 0, 0.5, 1] };
    const extras = { datasetCdfBelow: dataset.below, referenceCdfBelow: reference.below };
    expect(wassersteinFromCdfGrid(grid, dataset.at, reference.at, extras)).toBeCloseTo(0.5, 12);
    // Dataset uniform on [0, 1], reference all at 1: W1 = 0.5. Without left limits the left
    // Riemann sum puts the dataset's mass at the right end of the gap, on the reference's atom.
    expect(wassersteinFromCdfGrid([0, 1], [0, 1], [0, 1], { datasetCdfBelow: [0, 1], referenceCdfBelow: [0, 0] })).toBeCloseTo(0.5, 12);
    expect(wassersteinFromCdfGrid([0, 1], [0, 1], [0, 1])).toBe(0);
    // h from +0.5 to −0.5 over a gap of 1: two triangles, area 0.25.
    expect(wassersteinFromCdfGrid([0, 1], [0.5, 1], [0, 1], { datasetCdfBelow: [0, 0.5], referenceCdfBelow: [0, 1] })).toBeCloseTo(0.25, 12);
    // Tails beyond the grid: |below_d − below_r| + |above_d − above_r|.
    expect(wassersteinFromCdfGrid([0], [1], [1], { datasetTails: { below: 0.25, above: 0 }, referenceTails: { below: 0, above: 0.5 } })).toBeCloseTo(0.75, 12);
  });

  it('KS compares the CDFs just below each grid point too (atoms), and the inputs must come in pairs', () => {
    // Both samples all at 1: at the grid point the CDFs agree; just below, too.
    const input = numericSample('normal-same');
    const below = { datasetCdfBelow: input.datasetCdf.map(() => 0), referenceCdfBelow: input.referenceCdf.map(() => 0) };
    expect(scoreDrift({ ...input, ...below }, { method: 'ks' }).statistic).toBeGreaterThanOrEqual(scoreDrift(input, { method: 'ks' }).statistic);
    expect(() => scoreDrift({ ...input, datasetCdfBelow: below.datasetCdfBelow }, { method: 'ks' })).toThrow(/come together/);
    expect(() => scoreDrift({ ...input, ...below, datasetCdfBelow: [0] }, { method: 'ks' })).toThrow(/grid and datasetCdfBelow/);
  });
});
