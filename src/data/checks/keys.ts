/**
 * unique and duplicates: both need every distinct key of the dataset, so they share the second
 * pass (one GROUP BY GROUPING SETS over all their keys), which runs only when they are configured.
 */
import type { DuplicatesCheck, UniqueCheck } from '../../config/data-types.js';
import type { PlanContext, PlannedCheck } from './context.js';
import { percent, segment, toResult } from './context.js';

function showKey(columns: string[], key: Array<string | null>): string {
  const values = key.map((v) => (v === null ? 'null' : JSON.stringify(v)));
  return columns.length === 1 ? (values[0] ?? '') : `(${values.join(', ')})`;
}

export function planUnique(check: UniqueCheck, ctx: PlanContext): PlannedCheck {
  const counts = ctx.groupingPass.addKey(check.columns, segment(check));
  const name = check.columns.join('+');
  return {
    results() {
      const c = counts();
      const passed = c.repeatedKeys === 0;
      const offending = c.top.map((t) => ({ value: showKey(check.columns, t.key), key: t.key, count: t.count }));
      const message = passed
        ? `${name}: all ${c.rows} keys are unique.`
        : `${name}: ${c.repeatedKeys} key${c.repeatedKeys === 1 ? '' : 's'} repeated over ${c.rowsWithRepeatedKeys} rows: ${offending
            .map((o) => `${o.value} (${o.count})`)
            .join(', ')}${c.repeatedKeys > offending.length ? ` and ${c.repeatedKeys - offending.length} more` : ''}.`;
      const details = { columns: check.columns, rows: c.rows, repeatedKeys: c.repeatedKeys, rowsWithRepeatedKeys: c.rowsWithRepeatedKeys, ...(passed ? {} : { offendingValues: offending }) };
      return [toResult(check, { key: name, passed, observed: c.repeatedKeys, expected: 0, message, details }, ctx.configFile)];
    },
  };
}

export function planDuplicates(check: DuplicatesCheck, ctx: PlanContext): PlannedCheck {
  const columns = check.columns ?? [...ctx.dataset.columns.keys()];
  const counts = ctx.groupingPass.addKey(columns, segment(check));
  return {
    results() {
      const c = counts();
      // The first row of each repeated group is the original; the others are the duplicates.
      const duplicates = c.rowsWithRepeatedKeys - c.repeatedKeys;
      const share = c.rows === 0 ? 0 : (100 * duplicates) / c.rows;
      const passed = share <= check.maxPercent;
      const scope = check.columns ? ` on ${check.columns.join(', ')}` : '';
      const message = `${duplicates} of ${c.rows} rows are duplicates${scope} (${percent(share)}), ${passed ? 'within' : 'above'} ${percent(check.maxPercent)}.`;
      const details = {
        columns,
        rows: c.rows,
        duplicateRows: duplicates,
        ...(passed ? {} : { offendingValues: c.top.map((t) => ({ value: showKey(columns, t.key), key: t.key, count: t.count })) }),
      };
      return [toResult(check, { passed, observed: percent(share), expected: `≤ ${percent(check.maxPercent)}`, message, details }, ctx.configFile)];
    },
  };
}
