import { ALIAS_DESCRIPTION_LIMIT, PROMOTION_HISTORY_LIMIT, parsePromotionHistory, promotedBefore, recordPromotion, recordRollback } from '../../src/rollback/history.js';

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

  it('a manual rollback unwinds the history, so `previous` after the next promotion is the version that served before it', () => {
    // v2 promoted over v1; v3 rolled back automatically (no write of the history); v4 promoted over v2.
    const afterV4 = recordPromotion(recordPromotion(undefined, '2', '1'), '4', '2');
    expect(afterV4).toBe('model-release-gate promoted=4,2,1');
    // rollback --to model-v1.0.0 (version 2) from 4: 4 leaves the history.
    const afterRollback = recordRollback(afterV4, '2', '4');
    expect(afterRollback).toBe('model-release-gate promoted=2,1');
    // A new release promotes 6 over 2: `previous` is 2, not 4.
    const afterV6 = recordPromotion(afterRollback, '6', '2');
    expect(afterV6).toBe('model-release-gate promoted=6,2,1');
    expect(promotedBefore(parsePromotionHistory(afterV6)!, '6')).toBe('2');
  });

  it('rolling back twice in a row walks back through the promoted releases', () => {
    let description = 'Owned by the churn team model-release-gate promoted=6,4,2,1';
    const walk: string[] = [];
    for (let current = '6'; ; ) {
      const previous = promotedBefore(parsePromotionHistory(description)!, current);
      if (previous === undefined) break;
      walk.push(previous);
      description = recordRollback(description, previous, current)!;
      current = previous;
    }
    expect(walk).toEqual(['4', '2', '1']);
    expect(description).toBe('Owned by the churn team model-release-gate promoted=1');
  });

  it('a rollback to a version outside the history puts it first and drops the version rolled back from', () => {
    // Version 5 was rolled back automatically, so it is not recorded; a person rolls back to it from 6.
    const after = recordRollback('model-release-gate promoted=6,4,2', '5', '6');
    expect(after).toBe('model-release-gate promoted=5,4,2');
    expect(promotedBefore(parsePromotionHistory(after)!, '5')).toBe('4');
    // A forced rollback onto the current primary (dropping a canary) leaves the history as it is.
    expect(recordRollback('model-release-gate promoted=6,4,2', '6', '6')).toBe('model-release-gate promoted=6,4,2');
    // No history yet: nothing to unwind, the description is left alone.
    expect(recordRollback(undefined, '2', '4')).toBeUndefined();
    expect(recordRollback('Owned by the churn team', '2', '4')).toBeUndefined();
  });

  it('a promotion over a version the alias was moved back to without a record drops the versions above it', () => {
    // History 6,4,2 but the alias serves 4 (rolled back in the console, or by an older release of this tool).
    expect(recordPromotion('model-release-gate promoted=6,4,2', '7', '4')).toBe('model-release-gate promoted=7,4,2');
    // The alias serves a version the history does not know (set by hand): it did serve before the candidate.
    expect(recordPromotion('model-release-gate promoted=6,4,2', '7', '9')).toBe('model-release-gate promoted=7,9,6,4,2');
  });

  it('removes a record that no longer fits beside someone else\'s text rather than leave it to mislead', () => {
    const others = 'x'.repeat(ALIAS_DESCRIPTION_LIMIT - 'model-release-gate promoted=1,2'.length - 1);
    const description = `${others} model-release-gate promoted=1,2`;
    expect(description.length).toBe(ALIAS_DESCRIPTION_LIMIT);
    expect(recordRollback(description, '1000', '1')).toBe(others);
  });
});
