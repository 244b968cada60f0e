import { Trino, type QueryResult } from 'trino-client';
import { AthenaQueryFailure, type AthenaExecution, type AthenaExecutor } from './athena-model.js';

export interface TrinoExecutorOptions {
  /** The Trino coordinator, e.g. `http://127.0.0.1:8080` (test/support/trino.ts starts one). */
  server: string;
  /** The Trino catalog every Athena data catalog maps to (Athena database `db` → `<catalog>.db`); default `memory`. */
  catalog?: string;
  /** Trino user; default `athena-simulator`. */
  user?: string;
}

/** Trino's errorType → Athena's ErrorCategory (1 system, 2 user, 3 other). */
const CATEGORY: Record<string, 1 | 2 | 3> = { USER_ERROR: 2, INTERNAL_ERROR: 1, INSUFFICIENT_RESOURCES: 1, EXTERNAL: 3 };

/**
 * Runs Athena's SQL on a real Trino server, as Athena engine version 3 (a Trino) would: the
 * QueryExecutionContext's database is the Trino schema, cells come back as Athena's text, and
 * Trino's processedBytes is the DataScannedInBytes. A Trino failure becomes the query's
 * StateChangeReason, `ERROR_NAME: message`, with the catalog named `awsdatacatalog` as Athena does.
 */
export function trinoExecutor(options: TrinoExecutorOptions): AthenaExecutor {
  const catalog = options.catalog ?? 'memory';
  const trino = Trino.create({ server: options.server, catalog, source: 'athena-simulator' });
  return async (statement, signal) => {
    const iterator = await trino.query({ query: statement.sql, catalog, schema: statement.database, user: options.user ?? 'athena-simulator' });
    let queryId: string | undefined;
    const onAbort = () => {
      if (queryId !== undefined) void trino.cancel(queryId).catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const execution: AthenaExecution = { columns: [], rows: [], bytesScanned: 0 };
      let last: QueryResult | undefined;
      for (;;) {
        // The iterator hands back its last result again when done; a failure in the first answer only shows there.
        const { value, done } = await iterator.next();
        const result = value as QueryResult | undefined;
        if (result && result !== last) {
          last = result;
          queryId ??= result.id;
          if (signal.aborted) {
            onAbort();
            throw signal.reason;
          }
          if (result.error) {
            const reason = `${result.error.errorName}: ${result.error.message}`.replaceAll(`'${catalog}.`, "'awsdatacatalog.");
            throw new AthenaQueryFailure(reason, CATEGORY[result.error.errorType] ?? 3, result.error.errorType === 'USER_ERROR' ? 1301 : 401);
          }
          if (result.columns && execution.columns.length === 0) execution.columns = result.columns.map((c) => ({ name: c.name, type: c.type }));
          for (const row of result.data ?? []) execution.rows.push((row as unknown[]).map(athenaText));
          if (result.stats) execution.bytesScanned = result.stats.processedBytes;
        }
        if (done) return execution;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}

/** A value as Athena's VarCharValue: text as is, arrays `[a, b]`, maps and rows `{k=v}`, NULL as null. */
export function athenaText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map((v) => athenaText(v) ?? 'null').join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${k}=${athenaText(v) ?? 'null'}`).join(', ')}}`;
  return String(value);
}
