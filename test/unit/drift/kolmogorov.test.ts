import { kolmogorovSurvival } from '../../../src/data/drift/kolmogorov.js';
import { expectClose, expected } from './fixtures.js';

describe('kolmogorovSurvival (limiting Kolmogorov law, scipy kstwobign.sf)', () => {
  it.each(expected.kolmogorov)('matches scipy at x = $x', ({ x, sf }) => {
    // Relative 1e-12 in the upper tail (alternating series), absolute 1e-15 near 1 (1 − K).
    expectClose(kolmogorovSurvival(x), sf, 1e-12, 1e-15);
  });

  it('is continuous across the switch between its two series (x = 1.18)', () => {
    const below = kolmogorovSurvival(1.18 - 1e-12);
    const at = kolmogorovSurvival(1.18);
    expectClose(below, at, 1e-10);
  });

  it('gives the textbook 5 % critical value 1.3581', () => {
    expectClose(kolmogorovSurvival(1.3581), 0.05, 1e-3);
  });

  it('is 1 at and below 0, decreasing, and 0 far out', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(-1)).toBe(1);
    const xs = Array.from({ length: 400 }, (_, i) => 0.02 * i);
    const ps = xs.map(kolmogorovSurvival);
    ps.slice(1).forEach((p, i) => expect(p).toBeLessThanOrEqual(ps[i] as number));
    expect(kolmogorovSurvival(40)).toBe(0);
    expect(kolmogorovSurvival(Number.NaN)).toBeNaN();
  });
});
