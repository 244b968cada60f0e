import { correctPValues } from '../../../src/data/drift/index.js';
import { expectClose, expected } from './fixtures.js';

describe('correctPValues against statsmodels multipletests', () => {
  it.each(Object.entries(expected.corrections))('%s: Holm and Benjamini–Hochberg', (_name, c) => {
    correctPValues(c.pValues, 'holm').forEach((p, i) => expectClose(p, c.holm[i] as number, 1e-12, 1e-15));
    correctPValues(c.pValues, 'bh').forEach((p, i) => expectClose(p, c.bh[i] as number, 1e-12, 1e-15));
  });

  it("'none' returns the p-values unchanged", () => {
    expect(correctPValues([0.2, 0.01], 'none')).toEqual([0.2, 0.01]);
  });

  it('passes NaN through without counting it in m', () => {
    const out = correctPValues([0.01, Number.NaN, 0.04], 'holm');
    expect(out[1]).toBeNaN();
    expectClose(out[0] as number, 0.02, 1e-12);
    expectClose(out[2] as number, 0.04, 1e-12);
  });

  it('returns an empty array for no p-values', () => {
    expect(correctPValues([], 'bh')).toEqual([]);
  });
});
