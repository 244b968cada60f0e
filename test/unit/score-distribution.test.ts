import { SeededRandom } from '../sim/random.js';
import { applyStatistic } from '../sim/metrics.js';
import {
  OUTPUT_DRIFT_P,
  binEdges,
  compareScoreDistributions,
  countInBins,
  formatBound,
  percentileLevels,
  quantileEdges,
  trimmedCountStat,
} from '../../src/signals/score-distribution.js';

const names = { canary: '5', stable: '4' };
const options = { maxPsi: 0.2, minSamples: 100, requireEvidence: true };

/** The table the rollout signal builds: edges at stable's deciles, both samples counted in them. */
function table(canary: number[], stable: number[], bins = 10) {
  const edges = quantileEdges(stable, bins);
  return { edges, canary: countInBins(canary, edges), stable: countInBins(stable, edges) };
}

function sample(random: SeededRandom, n: number, draw: (u: number) => number): number[] {
  return Array.from({ length: n }, () => draw(random.next()));
}

describe('bins as CloudWatch counts them', () => {
  it('cuts at 10, 20, ... 90 percent, and 33.33 / 66.67 for three bins', () => {
    expect(percentileLevels(10)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(percentileLevels(3)).toEqual([33.33, 66.67]);
  });

  it('writes bounds as plain decimals with at most 10 places (the limit CloudWatch documents for statistic bounds), never with an exponent', () => {
    expect(formatBound(1e-7)).toBe('0.0000001');
    expect(formatBound(0.123456789012345)).toBe('0.123456789');
    expect(formatBound(-0.5)).toBe('-0.5');
    expect(formatBound(-1e-12)).toBe('0');
    expect(formatBound(3)).toBe('3');
  });

  it('drops repeated and non-finite quantiles: a stable version with three distinct scores gives at most three bins', () => {
    expect(binEdges([0.1, 0.1, 0.1, 0.5, 0.5, NaN, 0.9, Infinity])).toEqual([0.1, 0.5, 0.9]);
  });

  it('names each bin with a TC statistic, lower bound exclusive and upper inclusive, open at both ends', () => {
    const edges = [0.1, 0.5];
    expect([0, 1, 2].map((i) => trimmedCountStat(edges, i))).toEqual(['TC(:0.1)', 'TC(0.1:0.5)', 'TC(0.5:)']);
  });

  it('counts values in the same bins the simulator\'s TC statistic does, a value on an edge in the lower bin', () => {
    const values = [0, 0.1, 0.1000001, 0.3, 0.5, 0.7, 1, NaN];
    const edges = [0.1, 0.5];
    const counts = countInBins(values, edges);
    expect(counts).toEqual([2, 3, 2]);
    const finite = values.filter(Number.isFinite);
    expect([0, 1, 2].map((i) => applyStatistic(trimmedCountStat(edges, i), finite))).toEqual(counts);
  });
});

describe('compareScoreDistributions', () => {
  it('fails a constant score with PSI and p < 0.001, and says the output looks stuck', () => {
    const random = new SeededRandom(3);
    const stable = sample(random, 1000, (u) => u * u);
    const { edges, canary, stable: s } = table(Array(300).fill(0.42), stable);
    const verdict = compareScoreDistributions(canary, s, edges, names, options);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.pValue).toBeLessThan(OUTPUT_DRIFT_P);
    expect(verdict.psi).toBeGreaterThan(2);
    expect(verdict.reason).toMatch(/^scores of version 5 are distributed unlike version 4's: PSI [\d.]+ \(max 0\.2\), chi² p < 0\.001, over 10 bins cut at version 4's quantiles; 300 scores of version 5, 1000 of version 4\. All of its scores fall in one bin \(0\.\d+ < score ≤ 0\.\d+\), which holds 10% of version 4's: a constant or stuck output\?$/);
  });

  it('does not fail on a large PSI without evidence: 30 scores cannot tell ten bins apart', () => {
    const random = new SeededRandom(4);
    const stable = sample(random, 1000, (u) => u);
    const { edges, canary, stable: s } = table(sample(random, 30, (u) => u), stable);
    const verdict = compareScoreDistributions(canary, s, edges, names, { ...options, requireEvidence: false });
    expect(verdict.verdict).toBe('pass');
    expect(verdict.reason).toMatch(/^no sign of a different distribution yet, on 30 of the 100 scores of version 5 needed to pass/);
    expect(compareScoreDistributions(canary, s, edges, names, options)).toMatchObject({ verdict: 'continue', reason: expect.stringMatching(/^only 30 of the 100 .*no data is never a pass\.$/) });
  });

  it('never passes without a score of either version', () => {
    expect(compareScoreDistributions([0, 0, 0], [5, 5, 5], [0.3, 0.6], names, options)).toMatchObject({ verdict: 'continue', reason: 'no score of version 5 yet; no data is never a pass.' });
    expect(compareScoreDistributions([5, 5, 5], [0, 0, 0], [0.3, 0.6], names, options)).toMatchObject({ verdict: 'continue', reason: 'no score of version 4 to compare with yet; no data is never a pass.' });
  });

  it('passes a canary drawn from stable\'s distribution in at least 99.5% of 400 seeded tables, at 100 to 2000 scores', () => {
    let fails = 0;
    for (let seed = 0; seed < 400; seed++) {
      const random = new SeededRandom(1000 + seed);
      const n = 100 + (seed % 20) * 100;
      const stable = sample(random, 3 * n, (u) => u * u);
      const { edges, canary, stable: s } = table(sample(random, n, (u) => u * u), stable);
      if (compareScoreDistributions(canary, s, edges, names, options).verdict === 'fail') fails++;
    }
    expect(fails).toBeLessThanOrEqual(2);
  });

  it('passes a retrained model whose scores moved a little, and fails one whose scores halved', () => {
    const random = new SeededRandom(9);
    const stable = sample(random, 3000, (u) => u * u);
    const moved = table(sample(random, 1000, (u) => u ** 2.15), stable);
    expect(compareScoreDistributions(moved.canary, moved.stable, moved.edges, names, options).verdict).toBe('pass');
    const halved = table(sample(random, 1000, (u) => (u * u) / 2), stable);
    expect(compareScoreDistributions(halved.canary, halved.stable, halved.edges, names, options)).toMatchObject({ verdict: 'fail', reason: expect.not.stringContaining('constant') });
  });
});
