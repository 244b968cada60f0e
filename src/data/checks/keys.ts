/**
 * unique and duplicates: both need every distinct key of the dataset, so they share the second
 * pass (one GROUP BY GROUPING SETS over all their keys), which runs only when they are configured.
 * A one-column unique key is first counted in pass 1 (count(DISTINCT)): pass 2 groups it only
 * when it repeats, so a dataset whose keys are unique is read once less (bench/data).
 */
import type { DuplicatesCheck, UniqueCheck } from '../../config/data-types.js';
import type { PlanContext, PlannedCheck } from './context.js';
import { percent, segment, toNumber, toResult } from './context.js';
import { plural } from '../../core/plural.js';

function showKey(columns: string[], key: Array<string | null>): string {
  const values = key.map((v) => (v === null ? 'null' : JSON.stringify(v)));
  return columns.length === 1 ? (values[0] ?? '') : `(${values.join(', ')})`;
}

/**
 * A one-column key's repeats as pass 1 sees them, so pass 2 groups the key only when it repeats:
 * the GROUP BY puts every NULL in one group, so a key repeats when its non-null values are not
 * all distinct or it is NULL in more than one row. DISTINCT and GROUP BY agree on doubles (0 and
 * −0 are one value on DuckDB and Trino; a NaN stops the gate before pass 2, see nan.ts). Not for
 * several columns (how a NULL inside a tuple counts differs) nor lists or structs (no kind).
 */
function planRepeatProbe(check: UniqueCheck, ctx: PlanContext): { rows: () => number; repeated: () => boolean } | undefined {
  const [name, ...others] = check.columns;
  const kind = name === undefined ? undefined : ctx.dataset.columns.get(name)?.kind;
  if (name === undefined || others.length > 0 || kind === undefined) return undefined;
  const d = ctx.dialect;
  const where = segment(check);
  const rows = ctx.datasetPass.add(where === undefined ? 'count(*)' : d.countWhere(where));
  const values = ctx.datasetPass.add(d.filtered(`count(${d.ident(name)})`, where));
  const distinct = ctx.datasetPass.add(d.filtered(`count(DISTINCT ${d.ident(name)})`, where));
  return {
    rows: () => toNumber(rows()) ?? 0,
    repeated() {
      const nonNull = toNumber(values()) ?? 0;
      return (toNumber(distinct()) ?? 0) < nonNull || (toNumber(rows()) ?? 0) - nonNull > 1;
    },
  };
}

export function planUnique(check: UniqueCheck, ctx: PlanContext): PlannedCheck {
  const probe = planRepeatProbe(check, ctx);
  const counts = ctx.groupingPass.addKey(check.columns, segment(check), probe?.repeated);
  const name = check.columns.join('+');
  return {
    results() {
      const c = probe && !probe.repeated() ? { rows: probe.rows(), repeatedKeys: 0, rowsWithRepeatedKeys: 0, top: [] } : counts();
      const passed = c.repeatedKeys === 0;
      const offending = c.top.map((t) => ({ value: showKey(check.columns, t.key), key: t.key, count: t.count }));
      const message = passed
        ? `${name}: ${c.rows === 1 ? 'its 1 key is' : `all ${c.rows} keys are`} unique.`
        : `${name}: ${plural(c.repeatedKeys, 'key')} repeated over ${plural(c.rowsWithRepeatedKeys, 'row')}: ${offending
            .map((o) => `${o.value} (${o.count})`)
            .join(', ')}${c.repeatedKeys > offending.length ? ` and ${c.repeatedKeys - offending.length} more` : ''}.`;
      const details = { columns: check.columns, rows: c.rows, repeatedKeys: c.repeatedKeys, rowsWithRepeatedKeys: c.rowsWithRepeatedKeys, ...(passed ? {} : { offendingValues: offending }) };
      const observedText = passed ? `all ${plural(c.rows, 'key')} unique` : `${plural(c.repeatedKeys, 'key')} repeated (${plural(c.rowsWithRepeatedKeys, 'row')})`;
      return [toResult(check, { key: name, passed, observed: c.repeatedKeys, expected: 0, observedText, expectedText: 'every key unique', message, details }, ctx.configFile)];
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
      const observedText = `${percent(share)} duplicate rows (${duplicates} of ${c.rows})`;
      return [toResult(check, { passed, observed: percent(share), expected: `≤ ${percent(check.maxPercent)}`, observedText, expectedText: `≤ ${percent(check.maxPercent)} duplicate rows`, message, details }, ctx.configFile)];
    },
  };
}
