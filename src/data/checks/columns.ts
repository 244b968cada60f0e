/**
 * The checks that are counts over the dataset in the shared first pass: row_count, missing,
 * range, allowed; and schema, which needs no scan at all (the columns come from DESCRIBE).
 */
import type { AllowedCheck, ColumnKind, MissingCheck, RangeCheck, RowCountCheck, SchemaCheck } from '../../config/data-types.js';
import type { PlanContext, PlannedCheck, Verdict } from './context.js';
import { both, listValues, percent, segment, textCounts, toNumber, toResult, toValueCounts } from './context.js';
import { TOP_OFFENDERS } from '../sql/passes.js';
import { formatNumber } from '../../report/format.js';
import { plural } from '../../core/plural.js';

/** Rows in the check's segment (the whole dataset without `where`). */
function segmentRows(ctx: PlanContext, where: string | undefined) {
  return ctx.datasetPass.add(where === undefined ? 'count(*)' : ctx.dialect.countWhere(where));
}

function bounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `[${min}, ${max}]`;
  return min !== undefined ? `≥ ${min}` : `≤ ${max}`;
}

/** The rows a row_count check allows, as a person says it: `100 rows`, `≥ 101 rows`, `100 to 200 rows`. */
function rowBounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && min === max) return plural(min, 'row');
  if (min !== undefined && max !== undefined) return `${min} to ${max} rows`;
  return `${bounds(min, max)} rows`;
}

/** `a` or `an` before a column kind (`an integer column`, `a numeric column`). */
function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** A sample's extremes for a person: `min -4, max 130`; never `-Infinity` or `null` (nan.ts stops those first). */
function extremes(min: number | null, max: number | null): string {
  return `min ${min === null ? '—' : formatNumber(min)}, max ${max === null ? '—' : formatNumber(max)}`;
}

export function planRowCount(check: RowCountCheck, ctx: PlanContext): PlannedCheck {
  const rows = segmentRows(ctx, segment(check));
  return {
    results() {
      const observed = toNumber(rows()) ?? 0;
      const passed = (check.min === undefined || observed >= check.min) && (check.max === undefined || observed <= check.max);
      const expected = bounds(check.min, check.max);
      const message = `${plural(observed, 'row')} (expected ${expected}).`;
      return [toResult(check, { passed, observed, expected, observedText: plural(observed, 'row'), expectedText: rowBounds(check.min, check.max), message }, ctx.configFile)];
    },
  };
}

/** Does a column of `actual` kind satisfy `required`? Integers are numeric too. */
export function kindSatisfies(actual: ColumnKind | undefined, required: ColumnKind): boolean {
  return actual === required || (required === 'numeric' && actual === 'integer');
}

export function planSchema(check: SchemaCheck, ctx: PlanContext): PlannedCheck {
  return {
    results() {
      const verdicts: Verdict[] = [];
      for (const [name, kind] of Object.entries(check.required)) {
        const column = ctx.dataset.columns.get(name);
        if (!column) {
          verdicts.push({ column: name, passed: false, observed: 'absent', expected: kind, observedText: 'column absent', expectedText: `${article(kind)} ${kind} column`, message: `required column '${name}' is missing from ${ctx.dataset.label}.` });
        } else {
          const passed = kindSatisfies(column.kind, kind);
          const message = passed ? `'${name}' is ${column.type} (${kind}).` : `'${name}' is ${column.type}, expected ${kind}.`;
          verdicts.push({ column: name, passed, observed: column.kind ?? column.type, expected: kind, observedText: `${article(column.kind ?? column.type)} ${column.kind ?? column.type} column (${column.type})`, expectedText: `${article(kind)} ${kind} column`, message, details: { type: column.type } });
        }
      }
      for (const name of check.forbidden) {
        const present = ctx.dataset.columns.has(name);
        verdicts.push({
          column: name,
          passed: !present,
          observed: present ? 'present' : 'absent',
          expected: 'absent',
          observedText: present ? 'column present' : 'column absent',
          expectedText: 'column absent (forbidden)',
          message: present ? `forbidden column '${name}' is present in ${ctx.dataset.label}.` : `forbidden column '${name}' is absent.`,
        });
      }
      return verdicts.map((v) => toResult(check, v, ctx.configFile));
    },
  };
}

export function planMissing(check: MissingCheck, ctx: PlanContext): PlannedCheck {
  const d = ctx.dialect;
  const where = segment(check);
  const rows = segmentRows(ctx, where);
  const missing = check.columns.map((name) => ({ name, slot: ctx.datasetPass.add(d.countWhere(both(where, `${d.ident(name)} IS NULL`) ?? 'TRUE')) }));
  return {
    results: () =>
      missing.map(({ name, slot }) => {
        const total = toNumber(rows()) ?? 0;
        const count = toNumber(slot()) ?? 0;
        const share = total === 0 ? 0 : (100 * count) / total;
        const details = { missing: count, rows: total, percent: share };
        if (check.maxPercent !== undefined) {
          const passed = share <= check.maxPercent;
          const message = `${name}: ${count} of ${total} values missing (${percent(share)}), ${passed ? 'within' : 'above'} ${percent(check.maxPercent)}.`;
          const observedText = `${percent(share)} missing (${count} of ${total})`;
          return toResult(check, { column: name, passed, observed: percent(share), expected: `≤ ${percent(check.maxPercent)}`, observedText, expectedText: `≤ ${percent(check.maxPercent)} missing`, message, details }, ctx.configFile);
        }
        const limit = check.maxCount ?? 0;
        const passed = count <= limit;
        const message = `${name}: ${count} of ${total} values missing (${percent(share)}), ${passed ? 'within' : 'more than'} the ${limit} allowed.`;
        const observedText = `${count} missing (${percent(share)} of ${total})`;
        const expectedText = limit === 0 ? 'none missing' : `≤ ${limit} missing`;
        return toResult(check, { column: name, passed, observed: count, expected: `≤ ${limit}`, observedText, expectedText, message, details }, ctx.configFile);
      }),
  };
}

export function planRange(check: RangeCheck, ctx: PlanContext): PlannedCheck {
  const d = ctx.dialect;
  const where = segment(check);
  const slots = check.columns.map((name) => {
    const value = d.ident(name);
    const outside = [
      ...(check.min !== undefined ? [`${value} < ${d.literal(check.min)}`] : []),
      ...(check.max !== undefined ? [`${value} > ${d.literal(check.max)}`] : []),
    ].join(' OR ');
    return {
      name,
      outside: ctx.datasetPass.add(d.countWhere(both(where, `(${outside})`) ?? 'TRUE')),
      min: ctx.datasetPass.add(d.filtered(`min(${value})`, where)),
      max: ctx.datasetPass.add(d.filtered(`max(${value})`, where)),
      values: ctx.datasetPass.add(d.filtered(`count(${value})`, where)),
    };
  });
  const expected = bounds(check.min, check.max);
  return {
    results: () =>
      slots.map((slot) => {
        const outside = toNumber(slot.outside()) ?? 0;
        const min = toNumber(slot.min());
        const max = toNumber(slot.max());
        const passed = outside === 0;
        const seen = min === null ? 'no values' : `values from ${formatNumber(min)} to ${max === null ? '—' : formatNumber(max)}`;
        const message = passed
          ? `${slot.name}: ${seen}, within ${expected}.`
          : `${slot.name}: ${plural(outside, 'value')} outside ${expected} (${seen}).`;
        const observedText =
          min === null ? 'no values' : `${outside === 0 ? 'none' : plural(outside, 'value')} outside ${expected} (${extremes(min, max)})`;
        const details = { outside, min, max, values: toNumber(slot.values()), allowed: expected };
        return toResult(check, { column: slot.name, passed, observed: outside, expected: 0, observedText, expectedText: `all within ${expected}`, message, details }, ctx.configFile);
      }),
  };
}

export function planAllowed(check: AllowedCheck, ctx: PlanContext): PlannedCheck {
  const d = ctx.dialect;
  const where = segment(check);
  const slots = check.columns.map((name) => {
    const column = ctx.dataset.columns.get(name);
    const numeric = column?.kind === 'numeric' || column?.kind === 'integer';
    const boolean = column?.kind === 'boolean';
    // Numbers and booleans compare as such (1 = 1.0); everything else as text, as written in the config.
    if (!numeric && !boolean) {
      // Text: the offending values are the column's histogram (shared with drift and
      // unseen_categories) without the allowed ones; the list is compared once per distinct value.
      const counts = textCounts(ctx.datasetPass, d, d.ident(name), both(where, `${d.ident(name)} IS NOT NULL`));
      const offending = d.countsOfValues(counts, check.values.map((v) => d.literal(String(v))), false);
      return {
        name,
        count: ctx.datasetPass.addDerived(d.countsTotal(offending)),
        distinct: ctx.datasetPass.addDerived(d.countsSize(offending)),
        top: ctx.datasetPass.addDerived(d.topOfCounts(offending, TOP_OFFENDERS)),
      };
    }
    const list = check.values.map((v) => d.literal(v)).join(', ');
    const offending = both(where, `${d.ident(name)} IS NOT NULL`, `${d.ident(name)} NOT IN (${list})`) ?? 'TRUE';
    return {
      name,
      count: ctx.datasetPass.add(d.countWhere(offending)),
      distinct: ctx.datasetPass.add(d.filtered(`count(DISTINCT ${d.asText(d.ident(name))})`, offending)),
      top: ctx.datasetPass.add(d.topValues(d.ident(name), offending, TOP_OFFENDERS)),
    };
  });
  const expected = `one of ${check.values.map(String).join(', ')}`;
  return {
    results: () =>
      slots.map((slot) => {
        const count = toNumber(slot.count()) ?? 0;
        const distinct = toNumber(slot.distinct()) ?? 0;
        const top = toValueCounts(slot.top());
        const passed = count === 0;
        const message = passed
          ? `${slot.name}: every value is ${expected}.`
          : `${slot.name}: ${plural(count, 'value')} not allowed: ${listValues(top, distinct - top.length)}.`;
        const details = passed ? { allowed: check.values } : { allowed: check.values, offendingRows: count, offendingDistinct: distinct, offendingValues: top };
        const observedText = passed ? 'every value allowed' : `${plural(count, 'value')} not allowed`;
        return toResult(check, { column: slot.name, passed, observed: count, expected: 0, observedText, expectedText: `only ${check.values.map(String).join(', ')}`, message, details }, ctx.configFile);
      }),
  };
}
