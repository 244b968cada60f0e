/**
 * The data gate's engine over tables (a Trino cluster, Athena): the Trino dialect, and statements
 * sent through a QueryRunner, which only knows how to run one statement and return its cells as
 * text. Columns come from the result metadata of a statement that reads no rows (`LIMIT 0`),
 * results from the dialect's JSON-text columns, parsed back to the values DuckDB's engine returns
 * (lists as arrays, structs as objects, big integers as decimal text), so the checks read both
 * engines' rows alike. A table has no row order, so there is no firstRowWhere.
 */
import { trinoDialect } from '../sql/trino.js';
import type { DataSource } from '../sql/dialect.js';
import type { ColumnInfo, Engine, Row, SqlValue } from './engine.js';
import type { QueryColumn, QueryRunner, QueryUsage } from './query-runner.js';

const INTEGER = /^(tinyint|smallint|integer|int|bigint)$/i;
const FLOATING = /^(real|float|double|decimal)(\(.*\))?$/i;

export class TableEngine implements Engine {
  readonly dialect = trinoDialect;

  /**
   * `signal`: the run's cancellation (the job cancelled, SIGTERM). Every statement is given it, so
   * the runner cancels the statement in the engine (StopQueryExecution, Trino's DELETE) instead of
   * leaving it running, billed, after the job is gone.
   */
  constructor(
    private readonly runner: QueryRunner,
    private readonly signal?: AbortSignal,
  ) {}

  /** Where the statements go (`Trino at http://…`, `Athena workgroup primary`), for messages. */
  get description(): string {
    return this.runner.description;
  }

  /** What every statement cost so far (bytes scanned, engine time), in order. */
  usage(): QueryUsage[] {
    return this.runner.usage();
  }

  async describe(source: DataSource): Promise<ColumnInfo[]> {
    const result = await this.runner.run(`SELECT * FROM ${this.dialect.from(source)} LIMIT 0`, this.signal);
    return result.columns.map((column) => ({ name: column.name, type: column.type }));
  }

  async expressionType(source: DataSource, expression: string): Promise<string> {
    const result = await this.runner.run(`SELECT (${expression}) AS expression FROM ${this.dialect.from(source)} LIMIT 0`, this.signal);
    return result.columns[0]?.type ?? '';
  }

  async query(sql: string): Promise<Row[]> {
    const result = await this.runner.run(sql, this.signal);
    return result.rows.map((cells) => Object.fromEntries(result.columns.map((column, i) => [column.name, parseCell(cells[i] ?? null, column)])));
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}

/**
 * One cell's text as the value DuckDB's engine would give: text columns are JSON by the dialect's
 * convention (Dialect.resultColumn) and parsed, falling back to the text itself for a statement
 * that did not select JSON; numbers and booleans by their column's type.
 */
export function parseCell(text: string | null, column: QueryColumn): SqlValue {
  if (text === null) return null;
  const type = column.type.toLowerCase();
  if (INTEGER.test(type)) return integer(text);
  if (FLOATING.test(type)) return Number(text);
  if (type === 'boolean') return text === 'true';
  try {
    return JSON.parse(text, keepBigIntegers) as SqlValue;
  } catch {
    return text;
  }
}

/** An integer as a number when exact, else as its decimal text (as DuckDB's JSON rows give BIGINTs). */
function integer(text: string): SqlValue {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

/** JSON.parse reviver: integers beyond 2^53 keep their digits, as text. */
function keepBigIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) return context.source;
  return value;
}
