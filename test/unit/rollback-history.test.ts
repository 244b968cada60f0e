import { ALIAS_DESCRIPTION_LIMIT, PROMOTION_HISTORY_LIMIT, parsePromotionHistory, promotedBefore, recordPromotion } from '../../src/rollback/history.js';

describe('the promotion history in the alias description', () => {
  it('starts with the replaced version, then puts each promotion first', () => {
    const first = recordPromotion(undefined, '4', '3');
    expect(first).toBe('model-release-gate promoted=4,3');
    const second = recordPromotion(first, '6', '4');
    expect(second).toBe('model-release-gate promoted=6,4,3');
    expect(parsePromotionHistory(second)).toEqual(['6', '4', '3']);
    // A version promoted again (after a manual rollback and a re-release) moves to the front once.
    expect(recordPromotion(second, '4', '6')).toBe('model-release-gate promoted=4,6,3');
  });

  it('keeps what someone else wrote in the description, and replaces only its own record', () => {
    const mine = recordPromotion('Owned by the churn team', '8', '7');
    expect(mine).toBe('Owned by the churn team model-release-gate promoted=8,7');
    expect(recordPromotion(mine, '9', '8')).toBe('Owned by the churn team model-release-gate promoted=9,8,7');
    expect(parsePromotionHistory('Owned by the churn team model-release-gate promoted=9,8,7')).toEqual(['9', '8', '7']);
  });

  it(`keeps ${PROMOTION_HISTORY_LIMIT} versions and never exceeds Lambda's ${ALIAS_DESCRIPTION_LIMIT} characters`, () => {
    let description: string | undefined;
    for (let v = 100; v < 130; v++) description = recordPromotion(description, String(v + 1), String(v));
    expect(parsePromotionHistory(description)).toHaveLength(PROMOTION_HISTORY_LIMIT);
    expect(parsePromotionHistory(description)?.[0]).toBe('130');
    // Long foreign text: the history shrinks to fit, down to two versions, then is not written at all.
    const long = 'x'.repeat(200);
    const fitted = recordPromotion(`${long} ${description}`, '131', '130');
    expect(fitted!.length).toBeLessThanOrEqual(ALIAS_DESCRIPTION_LIMIT);
    expect(parsePromotionHistory(fitted)!.length).toBeGreaterThanOrEqual(2);
    expect(fitted!.startsWith(long)).toBe(true);
    expect(recordPromotion('y'.repeat(250), '5', '4')).toBeUndefined();
  });

  it('reads no history from descriptions that are not ours, and finds the version promoted before', () => {
    expect(parsePromotionHistory(undefined)).toBeUndefined();
    expect(parsePromotionHistory('promoted by hand')).toBeUndefined();
    expect(parsePromotionHistory('model-release-gate promoted=')).toBeUndefined();
    expect(promotedBefore(['6', '4', '3'], '6')).toBe('4');
    expect(promotedBefore(['6', '4', '3'], '4')).toBe('3');
    expect(promotedBefore(['6', '4', '3'], '3')).toBeUndefined();
    expect(promotedBefore(['6', '4', '3'], '5')).toBeUndefined();
  });
});
