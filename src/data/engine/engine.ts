/**
 * What the data gate needs from a SQL engine: the columns of a source, and the rows of a
 * query. The gate only ever asks for aggregates, so results are a row or a few.
 */
import type { DataSource, Dialect } from '../sql/dialect.js';
import type { QueryUsage } from './query-runner.js';

/** A JSON-safe value from the engine: big integers arrive as decimal text, lists as arrays. */
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue };

export type Row = Record<string, SqlValue>;

export interface ColumnInfo {
  name: string;
  /** The engine's own type name, e.g. `BIGINT`, `DECIMAL(10,2)`, `VARCHAR`. */
  type: string;
}

export interface Engine {
  readonly dialect: Dialect;
  /**
   * The columns of a source, reading no more than the engine needs to know them. Throws
   * DataSourceError when the source is missing, unreadable or malformed.
   */
  describe(source: DataSource): Promise<ColumnInfo[]>;
  /** The type of an expression over a source's columns, binding it without reading rows; throws when it does not bind. */
  expressionType(source: DataSource, expression: string): Promise<string>;
  /**
   * Run one statement and return its rows. Errors reading a source are DataSourceErrors.
   * `smallInput`: the statement reads a small source (the reference sample); an engine may then
   * trade parallelism for memory.
   */
  query(sql: string, hints?: QueryHints): Promise<Row[]>;
  /**
   * Where the first row of a source for which `condition` holds is, in the order of its file(s),
   * with the value of the expression `value` there, for messages that point at the bad value;
   * undefined when no row does. Optional: an engine over tables has no row order to point at.
   */
  firstRowWhere?(source: DataSource, condition: string, value?: string): Promise<RowPosition | undefined>;
  /**
   * What each statement run so far cost (bytes scanned, estimated cost), in order, for an engine
   * that bills or reports it (Athena, Trino); absent for the embedded DuckDB.
   */
  usage?(): QueryUsage[];
  close(): Promise<void>;
}

/** A row of a file source: its 1-based number after the header, and the file when a glob matched several. */
export interface RowPosition {
  row: number;
  file?: string;
  /** The `value` expression at that row, when one was asked for. */
  value?: SqlValue;
}

export interface QueryHints {
  smallInput?: boolean;
}

/** The data itself is the problem (missing file, ragged CSV, wrong format), not the SQL. */
export class DataSourceError extends Error {
  override readonly name = 'DataSourceError';
}
