/**
 * The DuckDB dialect: reads files directly (read_csv / read_parquet / read_json, globs
 * included), exact quantiles, lambdas over lists, `FILTER (WHERE …)` on every aggregate.
 */
import type { ColumnKind } from '../../config/data-types.js';
import { numberLiteral, quoteIdentifier, quoteString } from './dialect.js';
import type { DataSource, Dialect, SqlLiteral } from './dialect.js';

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/;
const NUMERIC_TYPES = /^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$/;

/**
 * CSV options that make bad files errors instead of surprises: the first line is the header,
 * nothing is skipped, and a row with more or fewer fields than the header fails the read
 * (DuckDB's sniffer would otherwise guess a one-column layout or skip leading rows).
 */
const CSV_OPTIONS = "header = true, skip = 0, delim = ',', quote = '\"', escape = '\"', strict_mode = true";

function array(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  ident: quoteIdentifier,
  literal(value: SqlLiteral): string {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return numberLiteral(value);
    return quoteString(value);
  },
  array,
  from(source: DataSource): string {
    if (source.kind === 'table') return source.name;
    const path = quoteString(source.path);
    switch (source.format) {
      case 'csv':
        return `read_csv(${path}, ${CSV_OPTIONS})`;
      case 'parquet':
        return `read_parquet(${path})`;
      case 'json':
        // Newline-delimited or a JSON array: DuckDB tells them apart.
        return `read_json(${path}, format = 'auto')`;
    }
  },
  scanOnce: (name, body) => `${quoteIdentifier(name)} AS MATERIALIZED (${body})`,
  asDouble: (expr) => `CAST(${expr} AS DOUBLE)`,
  asText: (expr) => `CAST(${expr} AS VARCHAR)`,
  countWhere: (condition) => `count(*) FILTER (WHERE ${condition})`,
  filtered: (aggregate, condition) => (condition === undefined ? aggregate : `${aggregate} FILTER (WHERE ${condition})`),
  quantiles: (expr, probabilities) => `quantile_cont(${expr}, ${array(probabilities.map(numberLiteral))})`,
  discreteQuantiles: (expr, probabilities) => `quantile_disc(${expr}, ${array(probabilities.map(numberLiteral))})`,
  bucketIndex: (expr, cuts) => `len(list_filter(${cuts}, c -> c < ${expr}))`,
  histogram: (expr) => `histogram(${expr})`,
  topValues(expr, condition, limit) {
    const counts = duckdbDialect.filtered(`histogram(${duckdbDialect.asText(expr)})`, condition);
    // Sort by (-count, value): most frequent first, ties in value order; then keep `limit`.
    const sorted = `list_sort(list_transform(map_entries(${counts}), e -> {'neg': -CAST(e.value AS BIGINT), 'v': e.key}))`;
    return `list_transform(list_slice(${sorted}, 1, ${limit}), e -> {'v': e.v, 'n': -e.neg})`;
  },
  maxBy: (value, order, limit, condition) => duckdbDialect.filtered(`max_by(${value}, ${order}, ${limit})`, condition),
  anyValue: (expr) => `any_value(${expr})`,
  stddev: (expr) => `stddev_samp(${expr})`,
  columnKind(type: string): ColumnKind | undefined {
    const upper = type.toUpperCase();
    if (INTEGER_TYPES.test(upper)) return 'integer';
    if (NUMERIC_TYPES.test(upper)) return 'numeric';
    if (upper === 'VARCHAR' || upper.startsWith('ENUM(')) return 'text';
    if (upper === 'BOOLEAN') return 'boolean';
    if (upper === 'DATE') return 'date';
    if (upper.startsWith('TIMESTAMP')) return 'timestamp';
    return undefined;
  },
};
