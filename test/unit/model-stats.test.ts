/**
 * The model gate's statistics against reference values from scipy / statsmodels
 * (test/fixtures/model/reference.py writes expected.json). Closed forms agree within 1e-6; the
 * bootstrap within its Monte Carlo error.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cohensKappa, pearson, psi, spearman } from '../../src/model/stats/agreement.js';
import {
  bootstrapMetric,
  bootstrapMetricAsync,
  pairedBootstrap,
  pairedBootstrapAsync,
  percentileInterval,
  quantileMonteCarloError,
  shareAtOrBelow,
} from '../../src/model/stats/bootstrap.js';
import { delong, midranks } from '../../src/model/stats/delong.js';
import { auc, computeMetric, confusion } from '../../src/model/stats/metrics.js';
import type { KnownMetric } from '../../src/model/stats/metrics.js';
import { holmAdjust } from '../../src/model/stats/holm.js';
import { mcnemar, pairedAccuracyNonInferiority, tangoInterval } from '../../src/model/stats/mcnemar.js';
import { minimumDetectableEffect, nonInferiorityVerdict } from '../../src/model/stats/power.js';
import { SeededRandom } from '../../src/model/stats/random.js';
import { slopeTest } from '../../src/model/stats/trend.js';
import { wilsonInterval } from '../../src/model/stats/wilson.js';

const FIXTURES = new URL('../fixtures/model/', import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as any;
// Tango's interval against a published example and scipy, Holm against statsmodels (paired_reference.py).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const paired = JSON.parse(readFileSync(new URL('paired-reference.json', FIXTURES), 'utf8')) as any;

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

});

/** A Tango case of paired-reference.json: counts, interval, and the p-values at some margins. */
interface TangoCase {
  b: number;
  c: number;
  n: number;
  alpha: number;
  estimate: number;
  interval: [number, number];
  margins: Array<{ margin: number; z: number; pValue: number; pWorse: number }>;
}

describe("Tango's score interval for paired accuracy", () => {
  const tango = paired.tango as Record<string, TangoCase>;

  it('reproduces the published worked example (Cavo et al., Fagerland, Lydersen & Laake 2017: 95% CI −0.1240 to −0.0054)', () => {
    const { b, c, n, alpha, printed, interval } = paired.published as { b: number; c: number; n: number; alpha: number; printed: [number, number]; interval: [number, number] };
    const [lo, hi] = tangoInterval(b, c, n, alpha);
    expect([Number(lo.toFixed(4)), Number(hi.toFixed(4))]).toEqual(printed);
    expect(Math.abs(lo - interval[0])).toBeLessThan(1e-9);
    expect(Math.abs(hi - interval[1])).toBeLessThan(1e-9);
  });

  it.each(Object.entries(tango))('%s: interval and one-sided p-values match the scipy implementation', (_name, ref) => {
    for (const { margin, z, pValue, pWorse } of ref.margins) {
      const result = pairedAccuracyNonInferiority(ref.b, ref.c, ref.n, margin, ref.alpha);
      expect(result.method).toBe('tango-score');
      expect(result.estimate).toBeCloseTo(ref.estimate, 12);
      expect(Math.abs(result.interval[0] - ref.interval[0])).toBeLessThan(1e-9);
      expect(Math.abs(result.interval[1] - ref.interval[1])).toBeLessThan(1e-9);
      expect(Math.abs(result.z - z)).toBeLessThan(1e-9);
      expect(Math.abs(result.pValue - pValue)).toBeLessThan(CLOSE);
      expect(Math.abs(result.pWorse - pWorse)).toBeLessThan(CLOSE);
    }
  });

  it('17 discordant pairs one way and none the other: a bounded interval, the same whatever the margin', () => {
    // The exact conditional path used to give [0.094, 1] here: a difference of 100 points.
    const intervals = [0, 0.01, 0.05].map((margin) => pairedAccuracyNonInferiority(17, 0, 80, margin, 0.05).interval);
    for (const interval of intervals) expect(interval).toEqual(intervals[0]);
    const [lo, hi] = intervals[0]!;
    expect(lo).toBeCloseTo(tango.oneSided!.interval[0], 9);
    expect(hi).toBeCloseTo(tango.oneSided!.interval[1], 9);
    expect(hi).toBeLessThan(0.3);
    expect(lo).toBeGreaterThan(0);
    // Mirror image: c = 17, b = 0.
    const [mlo, mhi] = pairedAccuracyNonInferiority(0, 17, 80, 0, 0.05).interval;
    expect(mlo).toBeCloseTo(-hi, 9);
    expect(mhi).toBeCloseTo(-lo, 9);
  });

  it('at margin 0 the statistic is the uncorrected McNemar z (statsmodels chi-square = z²)', () => {
    const { b, c, n } = tango.fixture!;
    const result = pairedAccuracyNonInferiority(b, c, n, 0, 0.05);
    expect(result.z).toBeCloseTo((b - c) / Math.sqrt(b + c), 12);
    expect(result.mcnemar.pValue).toBeCloseTo(paired.mcnemarTwoSided, 9);
  });

  it('the interval and the p-values are one test: lower bound above −margin exactly when p < α, upper below exactly when p(worse) < α', () => {
    for (const [b, c, n] of [
      [330, 325, 3000],
      [14, 5, 500],
      [266, 518, 4000],
      [17, 0, 80],
      [0, 0, 1000],
    ] as const) {
      for (const margin of [0, 0.005, 0.01, 0.02, 0.03, 0.05]) {
        const result = pairedAccuracyNonInferiority(b, c, n, margin, 0.05);
        expect(result.interval[0] > -margin).toBe(result.pValue < 0.05);
        expect(result.interval[1] < -margin).toBe(result.pWorse < 0.05);
        expect(result.interval[0]).toBeLessThanOrEqual(result.estimate);
        expect(result.interval[1]).toBeGreaterThanOrEqual(result.estimate);
      }
    }
  });

  it('stays inside [−1, 1] at the edges', () => {
    expect(tangoInterval(20, 0, 20, 0.05)[1]).toBe(1);
    expect(tangoInterval(0, 20, 20, 0.05)[0]).toBe(-1);
    const [lo, hi] = tangoInterval(0, 0, 1000, 0.05);
    expect(lo).toBeCloseTo(-hi, 12);
    expect(hi).toBeGreaterThan(0);
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

describe('power and the verdict', () => {
  it('MDE = (z₀.₉₅ + z₀.₈)·SE', () => {
    expect(minimumDetectableEffect(0.01, 0.05, 0.8)).toBeCloseTo((1.6448536269514722 + 0.8416212335729143) * 0.01, 12);
  });

  it('reads the interval against −margin: above it non-inferior, below it inferior, across it inconclusive', () => {
    expect(nonInferiorityVerdict([-0.005, 0.02], 0.01)).toBe('non-inferior');
    // Accuracy −6.3 points, 90% CI [−7.4, −5.1], margin 1 point: conclusively worse, whatever the MDE.
    expect(nonInferiorityVerdict([-0.074, -0.051], 0.01)).toBe('inferior');
    expect(nonInferiorityVerdict([-0.03, 0.01], 0.01)).toBe('inconclusive');
    // Lower is better: the candidate is worse when the difference is above +margin.
    expect(nonInferiorityVerdict([-0.02, 0.005], 0.01, 'lower')).toBe('non-inferior');
    expect(nonInferiorityVerdict([0.02, 0.05], 0.01, 'lower')).toBe('inferior');
    expect(nonInferiorityVerdict([0.0, 0.05], 0.01, 'lower')).toBe('inconclusive');
  });

  it('margin 0: "below −margin" excludes 0, and an interval that contains 0 is never inferior', () => {
    expect(nonInferiorityVerdict([-0.02, -0.001], 0)).toBe('inferior');
    expect(nonInferiorityVerdict([-0.02, 0], 0)).toBe('inconclusive');
    expect(nonInferiorityVerdict([-0.02, 0.01], 0)).toBe('inconclusive');
    expect(nonInferiorityVerdict([0.001, 0.01], 0)).toBe('non-inferior');
  });
});

describe('Holm', () => {
  it.each(paired.holm as Array<{ p: number[]; adjusted: number[]; reject: boolean[] }>)('$p matches statsmodels multipletests', ({ p, adjusted, reject }) => {
    const result = holmAdjust(p);
    result.forEach((value, i) => expect(value).toBeCloseTo(adjusted[i]!, 12));
    expect(result.map((value) => value < 0.05)).toEqual(reject);
  });
});

describe('NaN never stalls a statistic (defence in depth behind the input checks)', () => {
  const label = Float64Array.from([0, 1, 0, 1, 1, 0, 1, 0]);
  const scores = Float64Array.from([0.1, NaN, 0.3, 0.8, NaN, 0.2, 0.7, 0.4]);
  const clean = Float64Array.from([0.2, 0.6, 0.1, 0.9, 0.7, 0.3, 0.5, 0.35]);

  it('returns or throws: run first in a child process, so a loop that never ends fails here instead of stalling the run', () => {
    // An AUC over NaN scores used to spin at 100% CPU in its tie loop (NaN !== NaN never advanced).
    const script = [
      "import { auc } from './src/model/stats/metrics.js';",
      "import { delong, midranks } from './src/model/stats/delong.js';",
      "import { pairedBootstrap, bootstrapMetric } from './src/model/stats/bootstrap.js';",
      "import { psi } from './src/model/stats/agreement.js';",
      'const y = [0, 1, 0, 1, 1, 0, 1, 0]; const s = [0.1, NaN, 0.3, 0.8, NaN, 0.2, 0.7, 0.4]; const t = [0.2, 0.6, 0.1, 0.9, 0.7, 0.3, 0.5, 0.35];',
      'const tryIt = (f) => { try { f(); } catch {} };',
      'auc(y, s); midranks(s); psi(t, s, 4); psi(s, t, 4);',
      'tryIt(() => delong(y, s, t));',
      "tryIt(() => pairedBootstrap('auc', { label: y, candidate: s, production: t, threshold: 0.5 }, { resamples: 50, seed: 1 }));",
      "tryIt(() => bootstrapMetric('auc', { label: y, score: s, threshold: 0.5 }, { resamples: 50, seed: 1 }));",
      "console.log('returned');",
    ].join('\n');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: root, timeout: 20_000, encoding: 'utf8' });
    expect({ signal: child.signal, status: child.status, stderr: child.stderr, stdout: child.stdout.trim() }).toEqual({ signal: null, status: 0, stderr: '', stdout: 'returned' });
  }, 30_000);

  it('AUC of NaN scores is NaN', () => {
    expect(auc(label, scores)).toBeNaN();
    expect(auc(label, clean)).toBeCloseTo(1, 12);
  }, 2000);

  it('midranks rank every value once, NaN included', () => {
    expect(midranks(scores)).toHaveLength(scores.length);
  }, 2000);

  it('DeLong and the bootstraps throw, naming the row', async () => {
    expect(() => delong(label, scores, clean)).toThrow("DeLong's test needs numeric scores, but the candidate's score on row 2 is NaN");
    expect(() => pairedBootstrap('auc', { label, candidate: clean, production: scores, threshold: 0.5 }, { resamples: 50, seed: 1 })).toThrow(
      'the bootstrap needs numbers, but the production on row 2 is NaN',
    );
    await expect(bootstrapMetricAsync('f1', { label, score: scores, threshold: 0.5 }, { resamples: 50, seed: 1 })).rejects.toThrow('the bootstrap needs numbers, but the score on row 2 is NaN');
  }, 2000);
});

describe('the bootstrap and the event loop', () => {
  const sample = { label: fx.label, candidate: fx.candidate, production: fx.production, threshold: 0.5 };

  it('lets timers and signal handlers run between resamples, and returns what the synchronous bootstrap returns', async () => {
    const events: string[] = [];
    setImmediate(() => events.push('macrotask'));
    const result = await pairedBootstrapAsync('auc', sample, { resamples: 40, seed: 3, yieldEveryMs: 0 });
    events.push('bootstrap done');
    expect(events).toEqual(['macrotask', 'bootstrap done']);
    expect(Array.from(result.differences)).toEqual(Array.from(pairedBootstrap('auc', sample, { resamples: 40, seed: 3 }).differences));
    const segment = { label: fx.label.subarray(0, 300), score: fx.candidate.subarray(0, 300), threshold: 0.5 };
    const single = await bootstrapMetricAsync('f1', segment, { resamples: 40, seed: 2, yieldEveryMs: 0 });
    expect(Array.from(single.values)).toEqual(Array.from(bootstrapMetric('f1', segment, { resamples: 40, seed: 2 }).values));
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
