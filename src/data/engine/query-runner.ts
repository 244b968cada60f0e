/**
 * What an engine over tables (a Trino cluster, Athena) needs from its transport: run one SQL
 * statement and hand back its rows as text. The data gate's SQL (the Trino dialect) is the same
 * for both; only how a statement travels differs: Trino's HTTP protocol, or Athena's
 * StartQueryExecution / GetQueryExecution / GetQueryResults with StopQueryExecution on every
 * exit path.
 *
 * Cells are text because that is all Athena returns. The Trino dialect therefore selects every
 * result column as JSON text (`json_format(CAST(expr AS JSON))`), and the engine parses it back,
 * so arrays, rows and maps survive either transport the same way.
 */

export interface QueryColumn {
  name: string;
  /** The engine's type name of the column as returned, e.g. `varchar`, `bigint`. */
  type: string;
}

/** What one statement cost, for the report: Athena bills by bytes scanned. */
export interface QueryUsage {
  /** The engine's id of the statement (Athena QueryExecutionId, Trino query id). */
  id: string;
  /** Bytes the engine read from storage, when it says. */
  bytesScanned?: number;
  /** Wall time in the engine, when it says. */
  engineMs?: number;
  /** Estimated cost in USD (Athena: bytes scanned × price per TB, 10 MB minimum per query). */
  costUsd?: number;
}

export interface QueryResult {
  columns: QueryColumn[];
  /** Each cell as the engine's text (JSON text for the dialect's result columns), null for SQL NULL. */
  rows: (string | null)[][];
  usage: QueryUsage;
}

export interface QueryRunner {
  /** Where the statements go, for messages (`Athena workgroup primary`, `Trino at http://…`). */
  readonly description: string;
  /**
   * Runs one statement to completion and returns every row. Rejects with DataSourceError when the
   * engine refuses the statement because of the data (missing table, no permission, a failed
   * query, with the engine's reason), with another error for a transport failure. When `signal`
   * aborts, or anything fails after the statement was submitted, the statement is cancelled in
   * the engine before the promise settles: no query is left running.
   */
  run(sql: string, signal?: AbortSignal): Promise<QueryResult>;
  /** Every statement run so far, in order. */
  usage(): QueryUsage[];
  /** Cancels what still runs and releases the transport. */
  close(): Promise<void>;
}
