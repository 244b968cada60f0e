/**
 * The Trino / Athena dialect: tables instead of files, `ARRAY[…]`, `count_if`,
 * `transform`/`filter`/`reduce` lambdas, a comparator-sorted `map_entries` for top values, and
 * every result column as JSON text (`resultColumn`, see src/data/engine/query-runner.ts).
 * Checked against a real Trino 476 (test/integration/data/trino-agreement.int.test.ts) to give
 * DuckDB's results on the same data:
 * - quantiles: Trino has only approx_percentile, so the drift deciles are interpolated (type 7,
 *   DuckDB's quantile_cont) from the reference's sorted sample the pass builds anyway;
 * - histogram bounds: no nextafter, so the double just below a grid point is made from its
 *   IEEE 754 bits (to_ieee754_64 / from_big_endian_64), as DuckDB's nextafter(g, -inf) gives it;
 * - bucket counts: right-closed buckets by width_bucket (a binary search per row) at the double
 *   just below each value, since width_bucket itself counts the bounds at or below a value;
 * - counts at or below each bound: a binary search per bound in the sorted sample (`reduce`).
 */
import type { ColumnKind } from '../../config/data-types.js';
import { numberLiteral, quoteIdentifier, quoteString } from './dialect.js';
import type { DataSource, Dialect, SqlLiteral } from './dialect.js';

function array(items: readonly string[]): string {
  return `ARRAY[${items.join(', ')}]`;
}

/** A DOUBLE literal (a bare `0.1` is a DECIMAL in Trino). */
function literalDouble(value: number): string {
  return `DOUBLE '${numberLiteral(value)}'`;
}

/** The double just below `g` (finite), as a SQL expression over the double `g`. */
function below(g: string): string {
  const bits = `from_big_endian_64(to_ieee754_64(${g}))`;
  return `IF(${g} = 0, -from_ieee754_64(to_big_endian_64(1)), from_ieee754_64(to_big_endian_64(${bits} + IF(${g} > 0, -1, 1))))`;
}

export const trinoDialect: Dialect = {
  name: 'trino',
  ident: quoteIdentifier,
  literal(value: SqlLiteral): string {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return literalDouble(value);
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
  // Approximate (Trino has no exact percentile aggregate); the drift deciles use quantilesOfSorted.
  quantiles: (expr, probabilities) => `approx_percentile(${expr}, ${array(probabilities.map(literalDouble))})`,
  discreteQuantiles: (expr, probabilities) => `approx_percentile(${expr}, ${array(probabilities.map(literalDouble))})`,
  bucketIndex: (expr, cuts) => `cardinality(filter(${cuts}, c -> c < ${expr}))`,
  histogram: (expr) => `histogram(${expr})`,
  topValues: (expr, condition, limit) => trinoDialect.topOfCounts(trinoDialect.filtered(`histogram(${trinoDialect.asText(expr)})`, condition), limit),
  topOfCounts(counts, limit) {
    const byCountThenValue =
      '(a, b) -> CASE WHEN a[2] > b[2] THEN -1 WHEN a[2] < b[2] THEN 1 WHEN a[1] < b[1] THEN -1 WHEN a[1] > b[1] THEN 1 ELSE 0 END';
    return `transform(slice(array_sort(map_entries(${counts}), ${byCountThenValue}), 1, ${limit}), e -> CAST(ROW(e[1], e[2]) AS ROW(v VARCHAR, n BIGINT)))`;
  },
  countsOfValues: (counts, values, keep) => `map_filter(${counts}, (k, v) -> ${keep ? '' : 'NOT '}contains(${array(values)}, k))`,
  countsTotal: (counts) => `reduce(map_values(${counts}), BIGINT '0', (s, x) -> s + x, s -> s)`,
  countsSize: (counts) => `CAST(cardinality(${counts}) AS BIGINT)`,
  resultColumn: (expr) => `json_format(CAST(${expr} AS JSON))`,
  // A ROW keeps each value's type through max_by; transform casts the ≤ limit winners. (max_by
  // over array(varchar) lost elements of the arrays it kept on Trino 476, a NULL count; a ROW
  // keeps them whole: test/integration/data/trino-agreement.int.test.ts.)
  topRowsAsText(values, order, limit, condition) {
    const top = trinoDialect.filtered(`max_by(ROW(${values.join(', ')}), ${order}, ${limit})`, condition);
    return `transform(${top}, e -> ${array(values.map((_, i) => trinoDialect.asText(`e[${i + 1}]`)))})`;
  },
  anyValue: (expr) => `arbitrary(${expr})`,
  stddev: (expr) => `stddev_pop(${expr})`,
  isFinite: (expr) => `is_finite(${expr})`,
  isNaN: (expr) => `is_nan(${expr})`,
  isInfinite: (expr) => `is_infinite(${expr})`,
  sortedValues: (expr, condition) => `array_sort(${trinoDialect.filtered(`array_agg(${expr})`, condition)})`,
  quantileGrid(sorted, probabilities, extremes, extra) {
    const picked = `transform(${array(probabilities.map(literalDouble))}, p -> element_at(${sorted}, greatest(1, CAST(ceil(cardinality(${sorted}) * p) AS BIGINT))))`;
    const low = `slice(${sorted}, 1, ${extremes})`;
    const high = `slice(${sorted}, greatest(1, cardinality(${sorted}) - ${extremes - 1}), ${extremes})`;
    return `array_sort(array_distinct(concat(${picked}, coalesce(${extra}, CAST(ARRAY[] AS ARRAY(DOUBLE))), ${low}, ${high})))`;
  },
  // Type 7 (numpy's default, DuckDB's quantile_cont): h = (n − 1)·p, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]),
  // 0-based, in the order of operations DuckDB's interpolation uses (lo + d·(hi − lo)).
  quantilesOfSorted(sorted, probabilities) {
    const h = `(cardinality(${sorted}) - 1) * p`;
    const lo = `element_at(${sorted}, CAST(floor(${h}) AS BIGINT) + 1)`;
    const hi = `element_at(${sorted}, CAST(ceil(${h}) AS BIGINT) + 1)`;
    return `transform(${array(probabilities.map(literalDouble))}, p -> ${lo} + (${h} - floor(${h})) * (${hi} - ${lo}))`;
  },
  // Every grid point and the double just below it: the IEEE 754 bits minus one ulp toward −∞
  // (for 0, the smallest negative subnormal), nextafter(g, −∞) as DuckDB computes it.
  histogramBounds: (grid) =>
    `array_sort(array_distinct(flatten(transform(${grid}, g -> ARRAY[${below('g')}, g]))))`,
  // A binary search per bound in the sorted sample (40 halvings: up to 2^40 values): the number
  // of values at or below the bound, without a pass over the sample per bound.
  countsAtOrBelow(values, bounds) {
    const mid = '((acc[1] + acc[2] + 1) / 2)';
    const step = `IF(acc[1] >= acc[2], acc, IF(element_at(${values}, ${mid}) <= b, ROW(${mid}, acc[2]), ROW(acc[1], ${mid} - 1)))`;
    const start = `ROW(CAST(0 AS BIGINT), CAST(coalesce(cardinality(${values}), 0) AS BIGINT))`;
    return `transform(${bounds}, b -> reduce(sequence(1, 40), ${start}, (acc, k) -> ${step}, acc -> acc[1]))`;
  },
  // Right-closed buckets (b[k−1], b[k]]: the bucket of x is the number of bounds below it.
  // width_bucket (a binary search) counts the bounds at or below its operand, so it is given the
  // double just below x: b < x ⟺ b ≤ below(x) for doubles. A list of {key, value} (bucket → count).
  binnedCounts(expr, bounds, condition) {
    const bucket = `width_bucket(${below(`(${expr})`)}, ${bounds})`;
    const counts = trinoDialect.filtered(`histogram(${bucket})`, condition);
    return `transform(map_entries(${counts}), e -> CAST(ROW(e[1], e[2]) AS ROW("key" BIGINT, "value" BIGINT)))`;
  },
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
