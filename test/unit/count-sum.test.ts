import { binomCdf, binomSfInclusive } from '../../src/model/stats/distributions.js';
import type { CountTerm } from '../../src/rollout/count-sum.js';
import { EXACT_LIMIT, countSumCdf, countSumPmf, countSumSf, refinedNormalCdf, termPmf } from '../../src/rollout/count-sum.js';
import { SeededRandom } from '../sim/random.js';

/** The sum's mean and variance from the pmf itself (not from the closed forms under test). */
function refinedNormalMean(terms: CountTerm[]): number {
  return countSumPmf(terms).reduce((sum, p, k) => sum + p * k, 0);
}
function refinedNormalVariance(terms: CountTerm[]): number {
  const mean = refinedNormalMean(terms);
  return countSumPmf(terms).reduce((sum, p, k) => sum + p * (k - mean) ** 2, 0);
}

/** P(S = s) by enumerating every outcome of every term from the textbook pmfs: the definition, for small cases. */
function bruteForcePmf(terms: CountTerm[]): number[] {
  const choose = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 || k === n ? 1 : choose(n - 1, k - 1) + choose(n - 1, k));
  let pmf = [1];
  for (const term of terms) {
    const max = term.kind === 'binomial' ? term.n : term.draws;
    const p = (k: number) =>
      term.kind === 'binomial'
        ? choose(term.n, k) * term.p ** k * (1 - term.p) ** (term.n - k)
        : (choose(term.successes, k) * choose(term.population - term.successes, term.draws - k)) / choose(term.population, term.draws);
    const next = new Array<number>(pmf.length + max).fill(0);
    for (let s = 0; s < pmf.length; s++) for (let k = 0; k <= max; k++) next[s + k]! += pmf[s]! * p(k);
    pmf = next;
  }
  while (pmf.length > 1 && pmf.at(-1) === 0) pmf.pop(); // values no term can reach
  return pmf;
}

describe('the sum of independent counts', () => {
  it('matches enumeration of every outcome on small mixed cases', () => {
    const cases: CountTerm[][] = [
      [{ kind: 'binomial', n: 3, p: 0.1 }],
      [{ kind: 'binomial', n: 2, p: 0.3 }, { kind: 'binomial', n: 4, p: 0.8 }],
      [{ kind: 'binomial', n: 5, p: 0.5 }, { kind: 'binomial', n: 0, p: 0.4 }, { kind: 'binomial', n: 3, p: 0.05 }, { kind: 'binomial', n: 6, p: 0.9 }],
      [{ kind: 'hypergeometric', population: 12, successes: 4, draws: 5 }],
      // Draws beyond the failures force successes (support starts at 2); every call drawn; none drawn.
      [{ kind: 'hypergeometric', population: 9, successes: 6, draws: 5 }, { kind: 'hypergeometric', population: 5, successes: 2, draws: 5 }, { kind: 'binomial', n: 3, p: 0.4 }],
      [{ kind: 'hypergeometric', population: 20, successes: 3, draws: 0 }, { kind: 'hypergeometric', population: 14, successes: 7, draws: 6 }],
    ];
    for (const terms of cases) {
      const expected = bruteForcePmf(terms);
      const actual = countSumPmf(terms);
      expect(actual.length).toBe(expected.length);
      expected.forEach((value, s) => expect(actual[s]).toBeCloseTo(value, 14));
      for (let k = -1; k <= expected.length; k++) {
        const below = expected.slice(0, Math.max(0, k + 1)).reduce((a, b) => a + b, 0);
        expect(countSumCdf(terms, k)).toBeCloseTo(Math.min(1, below), 13);
        expect(countSumSf(terms, k)).toBeCloseTo(1 - expected.slice(0, Math.max(0, k)).reduce((a, b) => a + b, 0), 13);
      }
    }
  });

  it('is Binomial(Σn, p) when every term has the same p (checked against @stdlib)', () => {
    const terms: CountTerm[] = [{ kind: 'binomial', n: 40, p: 0.3 }, { kind: 'binomial', n: 75, p: 0.3 }, { kind: 'binomial', n: 12, p: 0.3 }];
    for (const k of [0, 20, 38, 50, 127]) {
      expect(countSumCdf(terms, k)).toBeCloseTo(binomCdf(k, 127, 0.3), 12);
      expect(countSumSf(terms, k)).toBeCloseTo(binomSfInclusive(k, 127, 0.3), 12);
    }
  });

  it('keeps the digits of a small upper tail and does not underflow a large n', () => {
    // P(S ≥ 60) for Binomial(100, 0.2) = 2.5158e-18 (exact rational arithmetic), below 1 − cdf's
    // resolution: computed as 1 − cdf it would be 0.
    const tail = countSumSf([{ kind: 'binomial', n: 100, p: 0.2 }], 60);
    expect(tail / 2.51581919953345e-18).toBeCloseTo(1, 8);
    expect(1 - binomCdf(59, 100, 0.2)).toBe(0);
    // (1 − p)^n underflows a double at n = 5000, p = 0.5; the pmf built in log space does not.
    const pmf = termPmf({ kind: 'binomial', n: 5000, p: 0.5 });
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(pmf[2500]! / 0.011283227495479843).toBeCloseTo(1, 9); // C(5000, 2500) / 2^5000, exact
  });

  it('a hypergeometric term from a large population, against exact rational arithmetic', () => {
    // 40 errors among 60,000 calls of which 6,000 were the canary's (w = 0.1).
    const term: CountTerm = { kind: 'hypergeometric', population: 60_000, successes: 6000, draws: 40 };
    expect(termPmf(term)[4]! / 0.20595570485978906).toBeCloseTo(1, 10);
    expect(countSumSf([term], 10) / 0.005047791300004485).toBeCloseTo(1, 9);
    // Ten minutes of 500 canary and 500 stable calls with 10 errors each: the final look's null.
    const errors = [11, 10, 10, 10, 10, 10, 10, 10, 10, 9];
    const minutes = errors.map((draws): CountTerm => ({ kind: 'hypergeometric', population: 1000, successes: 500, draws }));
    expect(countSumSf(minutes, 61) / 0.017186125035310952).toBeCloseTo(1, 9);
  });

  it('p = 0 and p = 1 are point masses; bad parameters are refused', () => {
    expect(Array.from(termPmf({ kind: 'binomial', n: 3, p: 0 }))).toEqual([1, 0, 0, 0]);
    expect(Array.from(termPmf({ kind: 'binomial', n: 3, p: 1 }))).toEqual([0, 0, 0, 1]);
    expect(() => termPmf({ kind: 'binomial', n: 2.5, p: 0.1 })).toThrow('binomial: n must be a non-negative integer, got 2.5');
    expect(() => termPmf({ kind: 'binomial', n: 3, p: 1.5 })).toThrow('binomial: p must be in [0, 1], got 1.5');
    expect(() => termPmf({ kind: 'hypergeometric', population: 10, successes: 11, draws: 2 })).toThrow('hypergeometric: successes (11) and draws (2) must not exceed the population (10)');
  });

  it('the refined normal approximation used above the exact limit is within 2e-3 of the exact tail', () => {
    // Error totals and canary shares as a 30-minute rollout at 10/25/50% would give them: the
    // final look's null (hypergeometric per minute) and its 2× alternative (binomial per minute).
    const random = new SeededRandom(7);
    const nullTerms: CountTerm[] = [];
    const regressionTerms: CountTerm[] = [];
    for (let minute = 0; minute < 30; minute++) {
      const weight = minute < 10 ? 0.1 : minute < 20 ? 0.25 : 0.5;
      const calls = 2000 + Math.floor(random.next() * 400);
      const canaryCalls = Math.round(calls * weight * (0.95 + random.next() * 0.1));
      const errors = 80 + Math.floor(random.next() * 40);
      nullTerms.push({ kind: 'hypergeometric', population: calls, successes: canaryCalls, draws: errors });
      const share = canaryCalls / calls;
      regressionTerms.push({ kind: 'binomial', n: errors, p: (2 * share) / (1 + share) });
    }
    for (const terms of [nullTerms, regressionTerms]) {
      const mean = refinedNormalMean(terms);
      const sd = Math.sqrt(refinedNormalVariance(terms));
      for (const z of [-2.5, -1.6, 0, 1.6, 2.5]) {
        const k = Math.round(mean + z * sd);
        expect(Math.abs(refinedNormalCdf(terms, k) - countSumCdf(terms, k))).toBeLessThan(2e-3);
      }
    }
    // Above the limit the public functions switch to it (and stay a probability).
    const large: CountTerm[] = [{ kind: 'binomial', n: EXACT_LIMIT, p: 0.3 }, { kind: 'binomial', n: 5, p: 0.5 }];
    expect(countSumCdf(large, 6000)).toBeCloseTo(refinedNormalCdf(large, 6000), 15);
    expect(countSumSf(large, 6001)).toBeCloseTo(1 - refinedNormalCdf(large, 6000), 15);
  });
});
