/**
 * unseen_categories: the categories production sends (reference) that training (dataset) never
 * saw, or saw fewer than min-count times. The reference pass returns production's categories
 * with counts; the dataset pass counts only those categories in the training data.
 */
import type { UnseenCategoriesCheck } from '../../config/data-types.js';
import type { Slot } from '../sql/passes.js';
import { TOP_OFFENDERS } from '../sql/passes.js';
import type { PlanContext, PlannedCheck, ValueCount } from './context.js';
import { both, segment, toNumber, toResult, toValueCounts } from './context.js';

/** Production categories considered per column (the most frequent); the rest are counted, not listed. */
export const MAX_CATEGORIES = 1000;

export function planUnseen(check: UnseenCategoriesCheck, ctx: PlanContext): PlannedCheck {
  const d = ctx.dialect;
  const where = segment(check);
  const columns = check.columns.map((name) => {
    const notNull = both(where, `${d.ident(name)} IS NOT NULL`);
    return {
      name,
      reference: ctx.referencePass.add(d.topValues(d.ident(name), notNull, MAX_CATEGORIES)),
      referenceDistinct: ctx.referencePass.add(d.filtered(`count(DISTINCT ${d.ident(name)})`, notNull)),
      dataset: undefined as Slot | undefined,
    };
  });
  return {
    afterReference() {
      for (const column of columns) {
        const categories = toValueCounts(column.reference());
        if (categories.length === 0) continue;
        const list = categories.map((c) => d.literal(c.value)).join(', ');
        const known = both(where, `${d.asText(d.ident(column.name))} IN (${list})`);
        column.dataset = ctx.datasetPass.add(d.topValues(d.ident(column.name), known, categories.length));
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
        const parts: string[] = [];
        if (unseen.length > 0) parts.push(`${unseen.length} production categor${unseen.length === 1 ? 'y' : 'ies'} never seen in training: ${show(unseen).join(', ')}`);
        if (rare.length > 0) parts.push(`${rare.length} with fewer than ${check.minCount} training rows: ${show(rare).join(', ')}`);
        const message = passed
          ? `${column.name}: all ${production.length} production categories have at least ${check.minCount} training row${check.minCount === 1 ? '' : 's'}.`
          : `${column.name}: ${parts.join('; ')}.`;
        const offendingValues: ValueCount[] = failing.slice(0, TOP_OFFENDERS).map((c) => ({ value: c.value, count: c.trainingCount }));
        const details = {
          minCount: check.minCount,
          productionCategories: distinct,
          ...(distinct > production.length ? { checkedCategories: production.length } : {}),
          ...(passed ? {} : { unseen: unseen.length, rare: rare.length, offendingValues, offending: failing.slice(0, TOP_OFFENDERS) }),
        };
        return toResult(check, { column: column.name, passed, observed: failing.length, expected: 0, message, details }, ctx.configFile);
      }),
  };
}
