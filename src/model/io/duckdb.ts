/**
 * The model gate's only contact with DuckDB: open an in-memory database, run a query, stream
 * its result in chunks (the data gate's engine returns small aggregate rows only; prediction
 * columns must stream into typed arrays). DuckDB is loaded through the shared loader, never a
 * static import: the bundled action has no node_modules and installs DuckDB into the runner's
 * tool cache on first use, so a static import would stop dist/main.js from starting at all.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { enableS3, type S3ReadOptions } from '../../data/engine/duckdb-s3.js';
import { loadDuckDb } from '../../data/engine/load-duckdb.js';

export interface QueryConnection {
  /** All rows of a (small) result, as arrays of JS values. */
  rows(sql: string): Promise<DuckDBValue[][]>;
  /** Stream a result chunk by chunk: `visit(columns, rowCount)` receives each chunk's columns. */
  stream(sql: string, visit: (columns: DuckDBValue[][], rowCount: number) => void): Promise<void>;
  close(): void;
}

/** An in-memory database; with `s3`, one that also reads s3:// paths (httpfs, the SDK's credentials). */
export async function openDuckDb(options: { s3?: S3ReadOptions } = {}): Promise<QueryConnection> {
  const { DuckDBInstance } = await loadDuckDb();
  const instance = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await instance.connect();
  if (options.s3) {
    try {
      await enableS3(async (sql) => {
        await connection.run(sql);
      }, options.s3);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
  }
  return {
    async rows(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRows();
    },
    async stream(sql, visit) {
      const result = await connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        visit(chunk.getColumns(), chunk.rowCount);
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** `"name"` with embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded quotes doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
