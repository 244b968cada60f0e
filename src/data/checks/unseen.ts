/**
 * unseen_categories: the categories production sends (reference) that training (dataset) never
 * saw, or saw fewer than min-count times. The reference pass returns production's categories
 * with counts; the dataset pass counts only those categories in the training data.
 */
import type { UnseenCategoriesCheck } from '../../config/data-types.js';
import type { Slot } from '../sql/passes.js';
import { TOP_OFFENDERS } from '../sql/passes.js';
import type { PlanContext, PlannedCheck, ValueCount } from './context.js';
import { addTopValues, both, segment, textCounts, toNumber, toResult, toValueCounts } from './context.js';

/** Production categories considered per column (the most frequent); the rest are counted, not listed. */
export const MAX_CATEGORIES = 1000;

export function planUnseen(check: UnseenCategoriesCheck, ctx: PlanContext): PlannedCheck {
  const d = ctx.dialect;
  const where = segment(check);
  const columns = check.columns.map((name) => {
    const notNull = both(where, `${d.ident(name)} IS NOT NULL`);
    return {
      name,
      notNull,
      reference: addTopValues(ctx.referencePass, d, d.ident(name), notNull, MAX_CATEGORIES),
      referenceDistinct: ctx.referencePass.add(d.filtered(`count(DISTINCT ${d.ident(name)})`, notNull)),
      dataset: undefined as Slot | undefined,
    };
  });
  return {
    afterReference() {
      for (const column of columns) {
        const categories = toValueCounts(column.reference());
        if (categories.length === 0) continue;
        // The production categories' training counts, from the column's histogram (shared with
        // drift and allowed): the list is looked up once per distinct value, not on every row.
        const counts = textCounts(ctx.datasetPass, d, d.ident(column.name), column.notNull);
        const known = d.countsOfValues(counts, categories.map((c) => d.literal(c.value)), true);
        column.dataset = ctx.datasetPass.addDerived(d.topOfCounts(known, categories.length));
      }
    },
    results: () =>
      columns.map((column) => {
        const production = toValueCounts(column.reference());
        const training = new Map(toValueCounts(column.dataset?.()).map((c) => [c.value, c.count]));
        const failing = production
          .map((p) => ({ value: p.value, trainingCount: training.get(p.value) ?? 0, productionCount: p.count }))
          .filter((c) => c.trainingCount < check.minCount);
        const unseen = failing.filter((c) => c.trainingCount === 0);
        const rare = failing.filter((c) => c.trainingCount > 0);
        const passed = failing.length === 0;
        const distinct = toNumber(column.referenceDistinct()) ?? production.length;
        const show = (list: typeof failing) => list.slice(0, TOP_OFFENDERS).map((c) => `${JSON.stringify(c.value)} (${c.productionCount} in production, ${c.trainingCount} in training)`);
        const categories = (count: number) => `${count} production categor${count === 1 ? 'y' : 'ies'}`;
        const parts: string[] = [];
        if (unseen.length > 0) parts.push(`${unseen.length} production categor${unseen.length === 1 ? 'y' : 'ies'} never seen in training: ${show(unseen).join(', ')}`);
        if (rare.length > 0) parts.push(`${rare.length} with fewer than ${check.minCount} training rows: ${show(rare).join(', ')}`);
        const message = passed
          ? `${column.name}: all ${categories(production.length)} have at least ${check.minCount} training row${check.minCount === 1 ? '' : 's'}.`
          : `${column.name}: ${parts.join('; ')}.`;
        const offendingValues: ValueCount[] = failing.slice(0, TOP_OFFENDERS).map((c) => ({ value: c.value, count: c.trainingCount }));
        const details = {
          minCount: check.minCount,
          productionCategories: distinct,
          ...(distinct > production.length ? { checkedCategories: production.length } : {}),
          ...(passed ? {} : { unseen: unseen.length, rare: rare.length, offendingValues, offending: failing.slice(0, TOP_OFFENDERS) }),
        };
        const rareText = check.minCount === 1 ? 'unseen in training' : `in < ${check.minCount} training rows`;
        const observedText = passed ? `all ${categories(production.length)} in training` : `${categories(failing.length)} ${rareText}`;
        const expectedText = check.minCount === 1 ? 'every one in training' : `every one in ≥ ${check.minCount} training rows`;
        return toResult(check, { column: column.name, passed, observed: failing.length, expected: 0, observedText, expectedText, message, details }, ctx.configFile);
      }),
  };
}
