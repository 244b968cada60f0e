/**
 * The model gate's statistics against reference values from scipy / statsmodels
 * (test/fixtures/model/reference.py writes expected.json). Closed forms agree within 1e-6; the
 * bootstrap within its Monte Carlo error.
 */
import { readFileSync } from 'node:fs';
import { cohensKappa, pearson, psi, spearman } from '../../src/model/stats/agreement.js';
import { bootstrapMetric, pairedBootstrap, percentileInterval, quantileMonteCarloError, shareAtOrBelow } from '../../src/model/stats/bootstrap.js';
import { delong } from '../../src/model/stats/delong.js';
import { computeMetric, confusion } from '../../src/model/stats/metrics.js';
import type { KnownMetric } from '../../src/model/stats/metrics.js';
import { mcnemar, pairedAccuracyNonInferiority } from '../../src/model/stats/mcnemar.js';
import { minimumDetectableEffect, nonInferiorityVerdict } from '../../src/model/stats/power.js';
import { SeededRandom } from '../../src/model/stats/random.js';
import { slopeTest } from '../../src/model/stats/trend.js';
import { wilsonInterval } from '../../src/model/stats/wilson.js';

const FIXTURES = new URL('../fixtures/model/', import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as any;

function readFixture() {
  const lines = readFileSync(new URL('predictions.csv', FIXTURES), 'utf8').trim().split('\n').slice(1);
  const label = new Float64Array(lines.length);
  const candidate = new Float64Array(lines.length);
  const production = new Float64Array(lines.length);
  const tier: string[] = [];
  lines.forEach((line, i) => {
    const [y, c, p, t] = line.split(',');
    label[i] = Number(y);
    candidate[i] = Number(c);
    production[i] = Number(p);
    tier.push(t ?? '');
  });
  return { label, candidate, production, tier };
}
const fx = readFixture();
const CLOSE = 1e-6;

describe('metrics from predictions', () => {
  it.each(['accuracy', 'precision', 'recall', 'f1', 'auc', 'logloss', 'rmse', 'mae'] as KnownMetric[])('%s matches numpy/scipy', (metric) => {
    expect(computeMetric(metric, fx.label, fx.candidate, 0.5)).toBeCloseTo(expected.metrics.candidate[metric], 10);
    expect(computeMetric(metric, fx.label, fx.production, 0.5)).toBeCloseTo(expected.metrics.production[metric], 10);
  });

  it('counts the confusion matrix at the threshold', () => {
    expect(confusion(fx.label, fx.production, 0.5)).toEqual(expected.metrics.production.confusion);
  });
});

describe('McNemar', () => {
  it.each(expected.mcnemar as Array<{ b: number; c: number; exact: boolean; statistic: number; pValue: number }>)(
    'b=$b c=$c matches statsmodels (exact=$exact)',
    ({ b, c, exact, statistic, pValue }) => {
      const result = mcnemar(b, c);
      expect(result.exact).toBe(exact);
      expect(result.statistic).toBeCloseTo(statistic, 9);
      expect(Math.abs(result.pValue - pValue)).toBeLessThan(CLOSE);
    },
  );

  const ni = expected.nonInferiorityAccuracy;
  it.each(ni.cases as Array<{ margin: number; pValue: number }>)('non-inferiority at margin $margin matches the Tango score test', ({ margin, pValue }) => {
    const result = pairedAccuracyNonInferiority(ni.b, ni.c, ni.n, margin, 0.05);
    expect(Math.abs(result.pValue - pValue)).toBeLessThan(CLOSE);
    expect(result.method).toBe('tango-score-corrected');
  });

  it('is the one-sided corrected McNemar at margin 0 (half the two-sided statsmodels p when b > c)', () => {
    const result = pairedAccuracyNonInferiority(ni.b, ni.c, ni.n, 0, 0.05);
    expect(Math.abs(result.pValue - ni.mcnemarTwoSided / 2)).toBeLessThan(CLOSE);
  });

  it('is exact binomial below 25 discordant pairs at margin 0 (scipy binomtest, greater)', () => {
    const { b, c, n, pValue } = ni.smallExact;
    const result = pairedAccuracyNonInferiority(b, c, n, 0, 0.05);
    expect(result.method).toBe('mcnemar-exact');
    expect(Math.abs(result.pValue - pValue)).toBeLessThan(CLOSE);
  });

  it('shows non-inferiority of two models that never disagree, on enough rows', () => {
    const { b, c, n, margin, pValue } = ni.identical;
    const result = pairedAccuracyNonInferiority(b, c, n, margin, 0.05);
    expect(Math.abs(result.pValue - pValue)).toBeLessThan(CLOSE);
    expect(result.pValue).toBeLessThan(0.05);
  });

  it('inverts the same test into its interval: lower bound above −margin exactly when p < α', () => {
    for (const margin of [0, 0.005, 0.01, 0.02, 0.03]) {
      const result = pairedAccuracyNonInferiority(ni.b, ni.c, ni.n, margin, 0.05);
      expect(result.interval[0] > -margin).toBe(result.pValue < 0.05);
      expect(result.interval[0]).toBeLessThan(result.estimate);
      expect(result.interval[1]).toBeGreaterThan(result.estimate);
    }
    const small = pairedAccuracyNonInferiority(14, 5, 500, 0, 0.05);
    expect(small.interval[0] > 0).toBe(small.pValue < 0.05);
  });
});

describe('DeLong', () => {
  it('matches the Sun & Xu reference implementation and scipy Mann–Whitney AUCs', () => {
    const result = delong(fx.label, fx.candidate, fx.production);
    expect(result.aucCandidate).toBeCloseTo(expected.metrics.candidate.auc, 10);
    expect(result.aucProduction).toBeCloseTo(expected.metrics.production.auc, 10);
    expect(Math.abs(result.variance - expected.delong.variance)).toBeLessThan(1e-12);
    expect(Math.abs(result.estimate - expected.delong.estimate)).toBeLessThan(CLOSE);
  });

  it('handles heavy ties (scores rounded to one decimal)', () => {
    const round = (a: Float64Array) => a.map((v) => Number(v.toFixed(1)));
    const result = delong(fx.label, round(fx.candidate), round(fx.production));
    expect(Math.abs(result.aucCandidate - expected.delongTied.aucCandidate)).toBeLessThan(CLOSE);
    expect(Math.abs(result.variance - expected.delongTied.variance)).toBeLessThan(1e-12);
  });
});

describe('Wilson interval', () => {
  it.each(expected.wilson as Array<{ successes: number; trials: number; alpha: number; interval: [number, number] }>)(
    '$successes/$trials at alpha $alpha matches statsmodels',
    ({ successes, trials, alpha, interval }) => {
      const [lo, hi] = wilsonInterval(successes, trials, alpha);
      expect(Math.abs(lo - interval[0])).toBeLessThan(CLOSE);
      expect(Math.abs(hi - interval[1])).toBeLessThan(CLOSE);
    },
  );
});

describe('slope test', () => {
  it.each(Object.entries(expected.slope) as Array<[string, { values: number[]; slope: number; standardError: number; pIncreasing: number }]>)(
    '%s curve matches scipy linregress',
    (_name, ref) => {
      const result = slopeTest(ref.values);
      expect(Math.abs(result.slope - ref.slope)).toBeLessThan(CLOSE);
      expect(Math.abs(result.standardError - ref.standardError)).toBeLessThan(CLOSE);
      expect(Math.abs(result.pIncreasing - ref.pIncreasing)).toBeLessThan(CLOSE);
    },
  );
});

describe('agreement', () => {
  it('Pearson, Spearman (scipy), kappa (statsmodels) and PSI match', () => {
    const a = expected.agreement;
    expect(Math.abs(pearson(fx.candidate, fx.production) - a.pearson)).toBeLessThan(CLOSE);
    expect(Math.abs(spearman(fx.candidate, fx.production) - a.spearman)).toBeLessThan(CLOSE);
    const labels = (s: Float64Array) => s.map((v) => (v >= 0.5 ? 1 : 0));
    expect(Math.abs(cohensKappa(labels(fx.candidate), labels(fx.production)) - a.kappa)).toBeLessThan(CLOSE);
    expect(Math.abs(psi(fx.production, fx.candidate, 10).psi - a.psi10)).toBeLessThan(CLOSE);
    const shifted = fx.candidate.map((v) => Math.min(1, Math.max(0, v + 0.08)));
    expect(Math.abs(psi(fx.production, shifted, 10).psi - a.psiShifted)).toBeLessThan(CLOSE);
  });
});

describe('paired bootstrap', () => {
  const ALPHA = expected.bootstrap.alpha as number;
  const B = 2000;
  it.each(['accuracy', 'auc', 'logloss', 'f1'] as KnownMetric[])('%s: estimate exact, bounds and SE within Monte Carlo error of numpy with 20 000 resamples', (metric) => {
    const ref = expected.bootstrap.metrics[metric];
    const result = pairedBootstrap(metric, { label: fx.label, candidate: fx.candidate, production: fx.production, threshold: 0.5 }, { resamples: B, seed: 11 });
    expect(Math.abs(result.estimate - ref.estimate)).toBeLessThan(CLOSE);
    const [lower, upper] = percentileInterval(result.differences, ALPHA);
    // Both estimates carry Monte Carlo error; 4 standard errors of their difference.
    const mc = Math.hypot(quantileMonteCarloError(ref.standardError, ALPHA, B), quantileMonteCarloError(ref.standardError, ALPHA, expected.bootstrap.resamples));
    expect(Math.abs(lower - ref.lower)).toBeLessThan(4 * mc);
    expect(Math.abs(upper - ref.upper)).toBeLessThan(4 * mc);
    // SE of a standard deviation from B draws ≈ σ/√(2B).
    expect(Math.abs(result.standardError - ref.standardError)).toBeLessThan(4 * ref.standardError * Math.sqrt(1 / (2 * B) + 1 / (2 * expected.bootstrap.resamples)));
  });

  it.each(['f1', 'logloss'] as KnownMetric[])('single-model %s on a segment: bounds within Monte Carlo error of numpy', (metric) => {
    const ref = expected.segmentBootstrap.metrics[metric];
    const rows = fx.tier.flatMap((t, i) => (t === 'VIP' ? [i] : []));
    const label = Float64Array.from(rows, (i) => fx.label[i]!);
    const score = Float64Array.from(rows, (i) => fx.candidate[i]!);
    const result = bootstrapMetric(metric, { label, score, threshold: 0.5 }, { resamples: B, seed: 2 });
    expect(result.estimate).toBeCloseTo(computeMetric(metric, label, score, 0.5), 12);
    if (metric === 'f1') expect(result.estimate).toBeCloseTo(expected.segmentVIP.f1, 10);
    const [lower, upper] = percentileInterval(result.values, ALPHA);
    const mc = Math.hypot(quantileMonteCarloError(ref.standardError, ALPHA, B), quantileMonteCarloError(ref.standardError, ALPHA, expected.segmentBootstrap.resamples));
    expect(Math.abs(lower - ref.lower)).toBeLessThan(4 * mc);
    expect(Math.abs(upper - ref.upper)).toBeLessThan(4 * mc);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const sample = { label: fx.label, candidate: fx.candidate, production: fx.production, threshold: 0.5 };
    const a = pairedBootstrap('accuracy', sample, { resamples: 200, seed: 3 });
    const b = pairedBootstrap('accuracy', sample, { resamples: 200, seed: 3 });
    const c = pairedBootstrap('accuracy', sample, { resamples: 200, seed: 4 });
    expect(Array.from(a.differences)).toEqual(Array.from(b.differences));
    expect(Array.from(a.differences)).not.toEqual(Array.from(c.differences));
  });

  it('keeps "lower bound > −margin" equivalent to "p < α"', () => {
    const sorted = Float64Array.from([-0.03, -0.02, -0.02, -0.01, 0, 0.01, 0.01, 0.02, 0.03, 0.04]);
    const [lower] = percentileInterval(sorted, 0.1);
    expect(lower).toBe(-0.03);
    for (const margin of [0.005, 0.01, 0.02, 0.025, 0.03, 0.035]) {
      expect(lower > -margin).toBe(shareAtOrBelow(sorted, -margin) < 0.1);
    }
  });
});

describe('power', () => {
  it('MDE = (z₀.₉₅ + z₀.₈)·SE and the verdict reads p, MDE and margin', () => {
    expect(minimumDetectableEffect(0.01, 0.05, 0.8)).toBeCloseTo((1.6448536269514722 + 0.8416212335729143) * 0.01, 12);
    expect(nonInferiorityVerdict(0.01, 0.05, 0.05, 0.01)).toBe('non-inferior');
    expect(nonInferiorityVerdict(0.2, 0.05, 0.05, 0.01)).toBe('inconclusive');
    expect(nonInferiorityVerdict(0.2, 0.05, 0.005, 0.01)).toBe('inferior');
  });
});

describe('SeededRandom', () => {
  it('draws uniform indices (chi-square goodness of fit over 10 cells)', () => {
    const random = new SeededRandom(99);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[random.nextIndex(10)]!++;
    const chi2 = counts.reduce((s, k) => s + (k - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.88); // χ²(9) 0.999 quantile
  });
});
