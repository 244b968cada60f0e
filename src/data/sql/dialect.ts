/**
 * Everything that differs between SQL engines, in one interface: quoting, literals, how a file
 * or table is read, and the handful of aggregates the checks need whose names or shapes differ
 * (quantiles, filtered counts, histograms, top-k lists, list lambdas). Check planning
 * (src/data/sql/plan.ts) writes SQL only through this, so the same checks run on DuckDB
 * (embedded, files) and on Trino/Athena (tables) by swapping the dialect.
 */
import type { ColumnKind } from '../../config/data-types.js';

/** Formats a file source can have once `auto` is resolved. */
export type FileFormat = 'csv' | 'parquet' | 'json';

/** What a pass reads: files (DuckDB reads them directly) or a table (a distributed engine). */
export type DataSource = { kind: 'files'; path: string; format: FileFormat } | { kind: 'table'; name: string };

export type SqlLiteral = string | number | boolean | null;

export interface Dialect {
  readonly name: 'duckdb' | 'trino';
  /** A column or alias name, quoted so any spelling (spaces, case, keywords) is safe. */
  ident(name: string): string;
  literal(value: SqlLiteral): string;
  /** An array of SQL expressions. */
  array(items: readonly string[]): string;
  /** The FROM target that reads a source. */
  from(source: DataSource): string;
  /** `WITH name AS (body)`, kept in memory when the engine can, so the source is scanned once. */
  scanOnce(name: string, body: string): string;
  asDouble(expr: string): string;
  /** The expression as a double, NULL where it is not a number (text such as `abc`). */
  tryAsDouble(expr: string): string;
  asText(expr: string): string;
  /** Rows where `condition` is true (NULL counts as false). */
  countWhere(condition: string): string;
  /** An aggregate restricted to rows where `condition` holds. */
  filtered(aggregate: string, condition: string | undefined): string;
  /** Continuous quantiles (interpolated) of a numeric expression at the probabilities, as an array. */
  quantiles(expr: string, probabilities: readonly number[]): string;
  /** Quantiles that are observed values (cut points), as an array. */
  discreteQuantiles(expr: string, probabilities: readonly number[]): string;
  /** Index of the bucket of `expr` among ascending `cuts` (an array expression): the number of cuts below it. */
  bucketIndex(expr: string, cuts: string): string;
  /** Map bucket/value → count over the rows, as an aggregate. */
  histogram(expr: string): string;
  /**
   * The `limit` most frequent values of `expr` (as text) with their counts, most frequent first
   * and ties by value, as an array of (v, n). Only that short list leaves the engine.
   */
  topValues(expr: string, condition: string | undefined, limit: number): string;
  /** topValues over a histogram of text values (a map value → count, NULL when no row counted). */
  topOfCounts(counts: string, limit: number): string;
  /**
   * A histogram of text values (as for topOfCounts) restricted to the listed values (`keep`) or
   * to every other value, as a map: a scalar over one row, so the list is compared once per
   * distinct value instead of once per row.
   */
  countsOfValues(counts: string, values: readonly string[], keep: boolean): string;
  /** The sum of a histogram's counts, as a BIGINT (NULL for a NULL histogram). */
  countsTotal(counts: string): string;
  /** The number of distinct values of a histogram, as a BIGINT (NULL for a NULL histogram). */
  countsSize(counts: string): string;
  /**
   * The `limit` rows with the largest `order` among those where `condition` holds (an
   * aggregate): each row's `values` as text, in order, as an array of arrays. The values stay
   * typed while rows are compared and only the winners are cast: a cast per row before the
   * filter cost as much as the GROUP BY it reads (1M distinct keys, bench/data).
   */
  topRowsAsText(values: readonly string[], order: string, limit: number, condition: string | undefined): string;
  /** Any value of the group (for columns of a one-row CTE). */
  anyValue(expr: string): string;
  /** Population standard deviation (ddof 0, numpy's np.std). */
  stddev(expr: string): string;
  /** True for a finite number (not NaN, not ±∞), NULL for NULL. */
  isFinite(expr: string): string;
  /** True for NaN (a floating-point value that is not a number), NULL for NULL. */
  isNaN(expr: string): string;
  /** True for +Infinity or -Infinity, NULL for NULL. */
  isInfinite(expr: string): string;
  /** The values of `expr` where `condition` holds (an aggregate), ascending, as an array: one sort of a small sample. */
  sortedValues(expr: string, condition: string | undefined): string;
  /**
   * From an ascending array `sorted` (an expression over one row): the distinct, ascending grid of
   * its inverse-CDF values at the probabilities (the ⌈n·p⌉-th value, p = 0 the minimum, p = 1
   * the maximum), its `extremes` smallest and largest values, and the values of `extra` (an array).
   */
  quantileGrid(sorted: string, probabilities: readonly number[], extremes: number, extra: string): string;
  /**
   * Histogram bounds for a grid (an array expression): the grid points and, where the engine can
   * compute it, the double just below each one (so a bucket ends right before each grid point).
   */
  histogramBounds(grid: string): string;
  /**
   * For each of the ascending `bounds`, the number of values of the array `values` at or below
   * it, as an array (a scalar over one row: the reference's counts from its own sorted sample).
   */
  countsAtOrBelow(values: string, bounds: string): string;
  /**
   * Counts of `expr` (where `condition` holds) in right-closed buckets (b[k−1], b[k]] of
   * ascending bounds, and above the last bound (an aggregate): an array of counts in bucket
   * order (the last, overflow, one may be left out when empty) or a map bucket index → count.
   */
  binnedCounts(expr: string, bounds: string, condition: string | undefined): string;
  /** The engine's type name → the kind `schema.required` speaks of, undefined for others (lists, structs...). */
  columnKind(type: string): ColumnKind | undefined;
  /**
   * A column of a pass's result as the engine returns it. Absent (the value as it is) for DuckDB;
   * the Trino dialect returns JSON text (`json_format(CAST(x AS JSON))`), because Athena returns
   * every cell as text and lists, rows and maps must come back the same over either transport
   * (src/data/engine/query-runner.ts).
   */
  resultColumn?(expr: string): string;
  /**
   * Continuous (type 7, interpolated) quantiles picked from an ascending array `sorted` (a scalar
   * over one row), for an engine without an exact quantile aggregate (Trino's approx_percentile
   * is approximate). Absent: the gate uses `quantiles`, an aggregate.
   */
  quantilesOfSorted?(sorted: string, probabilities: readonly number[]): string;
}

/** `'it''s'`: the standard string literal, shared by both dialects. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A number as SQL: finite values only (NaN/Infinity have no portable literal). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a SQL literal`);
  // Small integers as `3.0` (exact as a DECIMAL and as a DOUBLE). Everything else in exponent
  // notation: DuckDB reads `0.1234567890123456` as a DECIMAL whose cast to DOUBLE can be one ulp
  // off (a bin bound taken from a data value would then miss it), `1.234567890123456e-1` as the
  // DOUBLE itself. toExponential() gives the shortest digits that round-trip.
  return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? `${value}.0` : value.toExponential();
}

/** `"name"` with embedded quotes doubled (ANSI identifiers; DuckDB and Trino agree). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
