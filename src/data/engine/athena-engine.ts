/**
 * The data gate's statements on Amazon Athena: StartQueryExecution, GetQueryExecution polled with
 * back-off, GetQueryResults paged, and StopQueryExecution on every exit path (abort, timeout, any
 * failure after the start, close), so no query is left running and billing.
 *
 * Athena bills by the bytes a query scans, so every statement's usage (bytes, engine time and an
 * estimated cost) is kept for the report.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { awsErrorName } from '../../aws/error-name.js';
import { AwsConfigError, createAwsClients } from '../../aws/clients.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { DataSourceError } from './engine.js';
import type { QueryColumn, QueryResult, QueryRunner, QueryUsage } from './query-runner.js';

/** Athena's list price for SQL queries, USD per TB scanned (us-east-1, 2026): an estimate, not a bill. */
export const ATHENA_USD_PER_TB = 5;
/** Athena rounds the bytes of a query up to the next megabyte and bills at least this much per query. */
export const ATHENA_MINIMUM_BILLED_BYTES = 10 * 1024 * 1024;
const BYTES_PER_MB = 1024 * 1024;
const BYTES_PER_TB = 1024 ** 4;

/** How long one statement may take, queueing included, before it is stopped (data.engine timeout). */
export const DEFAULT_ATHENA_TIMEOUT_MS = 10 * 60_000;
/** GetQueryExecution polling: the first wait, its growth, and its cap. */
export const ATHENA_POLL = { initialMs: 200, factor: 1.5, maxMs: 5_000 };
/** GetQueryResults' largest page. */
const PAGE_SIZE = 1000;

/** The least a client must do: the SDK client, or a stub in tests. */
export type AthenaSender = Pick<AthenaClient, 'send'>;

export interface AthenaRunnerOptions {
  workgroup: string;
  database: string;
  /** Where Athena writes results (`s3://bucket/prefix/`); the workgroup's setting when absent. */
  outputLocation?: string;
  /** Falls back to AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** Data catalog; Athena's default (`AwsDataCatalog`) when absent. */
  catalog?: string;
  /** Per statement, queueing included; default DEFAULT_ATHENA_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Default: the product's Athena client (src/aws/clients.ts). */
  client?: AthenaSender;
  /** Default: the wall clock. */
  clock?: Clock;
  /** ClientRequestToken of each start; default a random UUID. */
  newToken?: () => string;
}

/**
 * The estimated cost of a query that scanned `bytes`: rounded up to a megabyte, at least
 * ATHENA_MINIMUM_BILLED_BYTES, at ATHENA_USD_PER_TB. Failed queries, DDL and statements that read
 * nothing are not billed.
 */
export function athenaCostUsd(bytes: number): number {
  // Assumed: a statement that read nothing (LIMIT 0, metadata only) is not billed the minimum.
  if (bytes <= 0) return 0;
  const billed = Math.max(ATHENA_MINIMUM_BILLED_BYTES, Math.ceil(bytes / BYTES_PER_MB) * BYTES_PER_MB);
  return (billed / BYTES_PER_TB) * ATHENA_USD_PER_TB;
}

/** Athena's AthenaError.ErrorCategory. */
const ERROR_CATEGORY: Record<number, string> = { 1: 'system', 2: 'user', 3: 'other' };

/** A statement Athena failed for reasons of its own (ErrorCategory 1): not the input's fault. */
export class AthenaSystemError extends Error {
  override readonly name = 'AthenaSystemError';
}

/** Creates a QueryRunner that sends each statement through Athena. */
export function createAthenaRunner(options: AthenaRunnerOptions): QueryRunner {
  return new AthenaRunner(options);
}

class AthenaRunner implements QueryRunner {
  readonly description: string;
  private sender: AthenaSender | undefined;
  private readonly ownsClient: boolean;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly newToken: () => string;
  private readonly running = new Set<string>();
  private readonly starting = new Set<Promise<string>>();
  private readonly stops = new Map<string, Promise<void>>();
  private readonly history: QueryUsage[] = [];
  private closed = false;

  constructor(private readonly options: AthenaRunnerOptions) {
    this.description = `Athena workgroup ${options.workgroup}, database ${options.database}`;
    this.ownsClient = options.client === undefined;
    this.sender = options.client;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ATHENA_TIMEOUT_MS;
    this.newToken = options.newToken ?? randomUUID;
  }

  /** The client, created at the first statement: a missing region is then an input error, as a missing table is. */
  private get client(): AthenaSender {
    if (this.sender) return this.sender;
    try {
      this.sender = createAwsClients({ ...(this.options.region !== undefined ? { region: this.options.region } : {}) }).athena;
    } catch (error) {
      if (!(error instanceof AwsConfigError)) throw error;
      throw new DataSourceError(`${this.description}: ${error.message.replace('target.region', 'data.engine.region')}`);
    }
    return this.sender;
  }

  usage(): QueryUsage[] {
    return this.history.map((u) => ({ ...u }));
  }

  async run(sql: string, signal?: AbortSignal): Promise<QueryResult> {
    if (this.closed) throw new Error(`${this.description}: the runner is closed`);
    signal?.throwIfAborted();
    // The start is not abortable: an abandoned start could leave a query running whose id we
    // never learn. The SDK's own retries resend the same ClientRequestToken, so Athena starts it
    // once. The id is registered as running before anyone awaiting the start resumes, so a
    // close() racing it stops it.
    const starting = this.start(sql).then((id) => (this.running.add(id), id));
    this.starting.add(starting);
    let id: string;
    try {
      id = await starting;
    } finally {
      this.starting.delete(starting);
    }
    try {
      if (this.closed) throw new Error(`${this.description}: the runner was closed while query ${id} started; it was stopped`);
      const execution = await this.waitForCompletion(id, signal);
      this.record(execution);
      if (execution.Status?.State !== 'SUCCEEDED') throw this.failure(execution);
      const result = await this.results(id, execution, signal);
      this.running.delete(id);
      return result;
    } catch (error) {
      // Any failure after the start (abort, timeout, a failed poll or page): stop the query. Athena
      // accepts a stop of a query that already ended, so this needs no knowledge of its state.
      await this.stop(id);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting]);
    await Promise.all([...this.running].map((id) => this.stop(id)));
    await Promise.all([...this.stops.values()]);
    if (this.ownsClient) (this.sender as AthenaClient | undefined)?.destroy();
  }

  private async start(sql: string): Promise<string> {
    const { workgroup, database, catalog, outputLocation } = this.options;
    const client = this.client;
    try {
      const started = await client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          ClientRequestToken: this.newToken(),
          WorkGroup: workgroup,
          QueryExecutionContext: { Database: database, ...(catalog !== undefined ? { Catalog: catalog } : {}) },
          ...(outputLocation !== undefined ? { ResultConfiguration: { OutputLocation: outputLocation } } : {}),
        }),
      );
      if (!started.QueryExecutionId) throw new Error(`${this.description}: StartQueryExecution answered without a QueryExecutionId`);
      return started.QueryExecutionId;
    } catch (error) {
      throw this.requestError('StartQueryExecution', error);
    }
  }

  /** Polls with back-off until the query ends; throws on timeout or abort (run() then stops the query). */
  private async waitForCompletion(id: string, signal?: AbortSignal): Promise<QueryExecution> {
    const deadline = this.clock.now() + this.timeoutMs;
    let waitMs = ATHENA_POLL.initialMs;
    for (;;) {
      let execution: QueryExecution | undefined;
      try {
        execution = (await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), signal ? { abortSignal: signal } : {})).QueryExecution;
      } catch (error) {
        signal?.throwIfAborted();
        throw this.requestError('GetQueryExecution', error, id);
      }
      const state = execution?.Status?.State;
      if (execution && (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED')) return execution;
      const left = deadline - this.clock.now();
      if (left <= 0) {
        throw new DataSourceError(
          `${this.description}: query ${id} did not finish within ${formatMs(this.timeoutMs)} (still ${state ?? 'unknown'}); it was stopped. Check the workgroup's queue and the size of the table.`,
        );
      }
      await this.clock.sleep(Math.min(waitMs, left), signal);
      waitMs = Math.min(ATHENA_POLL.maxMs, waitMs * ATHENA_POLL.factor);
    }
  }

  private async results(id: string, execution: QueryExecution, signal?: AbortSignal): Promise<QueryResult> {
    const rows: (string | null)[][] = [];
    let columns: QueryColumn[] = [];
    let nextToken: string | undefined;
    let first = true;
    do {
      let page: GetQueryResultsCommandOutput;
      try {
        page = await this.client.send(
          new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: PAGE_SIZE, ...(nextToken !== undefined ? { NextToken: nextToken } : {}) }),
          signal ? { abortSignal: signal } : {},
        );
      } catch (error) {
        signal?.throwIfAborted();
        throw this.requestError('GetQueryResults', error, id);
      }
      if (first) {
        columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? c.Label ?? '', type: c.Type ?? 'varchar' }));
      }
      const pageRows = (page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((cell) => cell.VarCharValue ?? null));
      // Athena repeats the column names as the first row of a SELECT's first page.
      rows.push(...(first && execution.StatementType === 'DML' ? pageRows.slice(1) : pageRows));
      first = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return { columns, rows, usage: { ...this.history.find((u) => u.id === id)! } };
  }

  /** Stops a query at most once; a reply lost on the way is retried by the SDK, and a stop that still fails is retried once. */
  private stop(id: string): Promise<void> {
    const pending = this.stops.get(id);
    if (pending) return pending;
    const stopping = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
          break;
        } catch (error) {
          if (attempt >= 2) {
            // Nothing better to do at the edge than to say which query may still run.
            process.emitWarning(`${this.description}: could not stop query ${id} (${awsErrorName(error)}); stop it in the Athena console.`);
            break;
          }
        }
      }
      this.running.delete(id);
    })();
    this.stops.set(id, stopping);
    return stopping;
  }

  private record(execution: QueryExecution): void {
    const id = execution.QueryExecutionId ?? '';
    const stats = execution.Statistics;
    const bytes = stats?.DataScannedInBytes;
    const billed = execution.Status?.State !== 'FAILED' && execution.StatementType === 'DML';
    this.history.push({
      id,
      ...(bytes !== undefined ? { bytesScanned: bytes } : {}),
      ...(stats?.EngineExecutionTimeInMillis !== undefined ? { engineMs: stats.EngineExecutionTimeInMillis } : {}),
      ...(bytes !== undefined ? { costUsd: billed ? athenaCostUsd(bytes) : 0 } : {}),
    });
  }

  /** A query that ended FAILED or CANCELLED, with Athena's reason. */
  private failure(execution: QueryExecution): Error {
    const id = execution.QueryExecutionId ?? '';
    const status = execution.Status;
    const reason = status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? 'no reason given';
    const detail = status?.AthenaError?.ErrorMessage && status.AthenaError.ErrorMessage !== reason ? ` (${status.AthenaError.ErrorMessage})` : '';
    if (status?.State === 'CANCELLED') return new DataSourceError(`${this.description}: query ${id} was cancelled in Athena: ${reason}${detail}`);
    const category = status?.AthenaError?.ErrorCategory;
    const message = `${this.description}: query ${id} failed${category !== undefined ? ` (${ERROR_CATEGORY[category] ?? 'unknown'} error)` : ''}: ${reason}${detail}`;
    return category === 1 ? new AthenaSystemError(message) : new DataSourceError(message);
  }

  /** A refused request: the caller's input (missing workgroup, database, bucket, permission) or a transport failure. */
  private requestError(operation: string, error: unknown, id?: string): Error {
    const name = (error as { name?: string }).name ?? '';
    const message = (error as Error).message ?? String(error);
    const where = `${this.description}${id !== undefined ? `, query ${id}` : ''}`;
    if (/^(InvalidRequestException|AccessDeniedException|ResourceNotFoundException|MetadataException|ValidationException|UnrecognizedClientException)$/.test(name)) {
      return new DataSourceError(`${where}: ${operation} was refused (${name}): ${message}`);
    }
    return new Error(`${where}: ${operation} failed (${awsErrorName(error)}): ${message}`, { cause: error });
  }
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
