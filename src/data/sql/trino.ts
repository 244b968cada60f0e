/**
 * The Trino / Athena dialect (a stub with no engine behind it yet): it exists to keep the
 * split honest. The checks compile through it to the same plan; what differs is here: tables
 * instead of files, `ARRAY[…]`, approximate percentiles, `count_if`, `transform`/`filter`
 * lambdas, and a comparator-sorted `map_entries` for top values. Running it needs an engine
 * (Athena StartQueryExecution) and a table registered over the files (Glue).
 */
import type { ColumnKind } from '../../config/data-types.js';
import { numberLiteral, quoteIdentifier, quoteString } from './dialect.js';
import type { DataSource, Dialect, SqlLiteral } from './dialect.js';

function array(items: readonly string[]): string {
  return `ARRAY[${items.join(', ')}]`;
}

export const trinoDialect: Dialect = {
  name: 'trino',
  ident: quoteIdentifier,
  literal(value: SqlLiteral): string {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return `DOUBLE '${numberLiteral(value)}'`;
    return quoteString(value);
  },
  array,
  from(source: DataSource): string {
    // Trino reads tables; files must be registered as an external table first.
    if (source.kind === 'files') throw new Error(`the trino dialect reads tables, not files (${source.path}): register the files as a table first`);
    return source.name.split('.').map(quoteIdentifier).join('.');
  },
  // No materialised CTEs: Trino may scan the source once per reference to the CTE.
  scanOnce: (name, body) => `${quoteIdentifier(name)} AS (${body})`,
  asDouble: (expr) => `CAST(${expr} AS DOUBLE)`,
  tryAsDouble: (expr) => `TRY_CAST(${expr} AS DOUBLE)`,
  asText: (expr) => `CAST(${expr} AS VARCHAR)`,
  countWhere: (condition) => `count_if(${condition})`,
  filtered: (aggregate, condition) => (condition === undefined ? aggregate : `${aggregate} FILTER (WHERE ${condition})`),
  quantiles: (expr, probabilities) => `approx_percentile(${expr}, ${array(probabilities.map(numberLiteral))})`,
  discreteQuantiles: (expr, probabilities) => `approx_percentile(${expr}, ${array(probabilities.map(numberLiteral))})`,
  bucketIndex: (expr, cuts) => `cardinality(filter(${cuts}, c -> c < ${expr}))`,
  histogram: (expr) => `histogram(${expr})`,
  topValues(expr, condition, limit) {
    const counts = trinoDialect.filtered(`histogram(${trinoDialect.asText(expr)})`, condition);
    const byCountThenValue =
      '(a, b) -> CASE WHEN a[2] > b[2] THEN -1 WHEN a[2] < b[2] THEN 1 WHEN a[1] < b[1] THEN -1 WHEN a[1] > b[1] THEN 1 ELSE 0 END';
    return `transform(slice(array_sort(map_entries(${counts}), ${byCountThenValue}), 1, ${limit}), e -> CAST(ROW(e[1], e[2]) AS ROW(v VARCHAR, n BIGINT)))`;
  },
  maxBy: (value, order, limit, condition) => trinoDialect.filtered(`max_by(${value}, ${order}, ${limit})`, condition),
  anyValue: (expr) => `arbitrary(${expr})`,
  stddev: (expr) => `stddev_pop(${expr})`,
  isFinite: (expr) => `is_finite(${expr})`,
  isNaN: (expr) => `is_nan(${expr})`,
  isInfinite: (expr) => `is_infinite(${expr})`,
  sortedValues: (expr, condition) => `array_sort(${trinoDialect.filtered(`array_agg(${expr})`, condition)})`,
  quantileGrid(sorted, probabilities, extremes, extra) {
    const picked = `transform(${array(probabilities.map(numberLiteral))}, p -> element_at(${sorted}, greatest(1, CAST(ceil(cardinality(${sorted}) * p) AS BIGINT))))`;
    const low = `slice(${sorted}, 1, ${extremes})`;
    const high = `slice(${sorted}, greatest(1, cardinality(${sorted}) - ${extremes - 1}), ${extremes})`;
    return `array_sort(array_distinct(concat(${picked}, coalesce(${extra}, ARRAY[]), ${low}, ${high})))`;
  },
  // No nextafter in Trino: the grid alone (the drift inputs then go without left limits).
  histogramBounds: (grid) => grid,
  // Linear in values × bounds; fine for a sample, to be replaced when an engine runs this dialect.
  countsAtOrBelow: (values, bounds) => `transform(${bounds}, b -> cardinality(filter(${values}, x -> x <= b)))`,
  // Bucket index = number of bounds below the value (linear in the bounds, no binned histogram).
  binnedCounts: (expr, bounds, condition) => trinoDialect.filtered(`histogram(cardinality(filter(${bounds}, c -> c < ${expr})))`, condition),
  columnKind(type: string): ColumnKind | undefined {
    const lower = type.toLowerCase();
    if (/^(tinyint|smallint|integer|bigint)$/.test(lower)) return 'integer';
    if (/^(real|double|decimal(\(\d+,\s*\d+\))?)$/.test(lower)) return 'numeric';
    if (lower.startsWith('varchar') || lower.startsWith('char')) return 'text';
    if (lower === 'boolean') return 'boolean';
    if (lower === 'date') return 'date';
    if (lower.startsWith('timestamp')) return 'timestamp';
    return undefined;
  },
};
