/**
 * The two-sided 95% Clopper–Pearson interval for `x` successes in `n` trials, by bisection on
 * the binomial tails: the bound the Monte Carlo tests and bench/judge state beside a rate.
 */
import { binomCdf, binomSfInclusive } from '../../src/model/stats/distributions.js';

export function clopperPearson(x: number, n: number): { lower: number; upper: number } {
  const solve = (tail: (p: number) => number) => {
    let low = 0;
    let high = 1;
    for (let i = 0; i < 60; i++) {
      const middle = (low + high) / 2;
      if (tail(middle) > 0.025) low = middle;
      else high = middle;
    }
    return (low + high) / 2;
  };
  return {
    lower: x === 0 ? 0 : 1 - solve((p) => binomSfInclusive(x, n, 1 - p)),
    upper: x === n ? 1 : solve((p) => binomCdf(x, n, p)),
  };
}
