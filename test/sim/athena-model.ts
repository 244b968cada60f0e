import { randomUUID } from 'node:crypto';
import { SimApiError } from './errors.js';
import { ACCOUNT_ID, REGION } from './lambda-model.js';

/** One statement as the executor receives it: the SQL and Athena's QueryExecutionContext. */
export interface AthenaStatement {
  sql: string;
  /** QueryExecutionContext.Catalog, `AwsDataCatalog` by default. */
  catalog: string;
  database: string;
}

/** What an executor answers for a statement: the result and what it read. */
export interface AthenaExecution {
  columns: Array<{ name: string; type: string }>;
  /** Cells as Athena's text (VarCharValue), null for SQL NULL. */
  rows: Array<Array<string | null>>;
  bytesScanned: number;
}

/** A statement that failed in the engine: its StateChangeReason and AthenaError category (1 system, 2 user, 3 other). */
export class AthenaQueryFailure extends Error {
  constructor(
    message: string,
    readonly category: 1 | 2 | 3 = 2,
    /** AthenaError.ErrorType; Athena's "generic user error" by default. */
    readonly errorType = 1301,
  ) {
    super(message);
    this.name = 'AthenaQueryFailure';
  }
}

/**
 * Runs the SQL a StartQueryExecution submitted: a real Trino server (athena-trino.ts) in
 * integration tests, a function in unit tests. It runs in real time; `signal` aborts when the
 * query is stopped. A rejection with AthenaQueryFailure fails the query with that reason; any
 * other rejection fails it as a system error.
 */
export type AthenaExecutor = (statement: AthenaStatement, signal: AbortSignal) => Promise<AthenaExecution>;

/** How long a query stays in each state at least, in clock time (it stays RUNNING until the executor has answered). */
export interface AthenaTimings {
  queuedMs: number;
  runningMs: number;
}

export const DEFAULT_ATHENA_TIMINGS: AthenaTimings = { queuedMs: 100, runningMs: 400 };

export type AthenaQueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** A workgroup to create (`primary` exists from the start, writing to `s3://aws-athena-query-results-123456789012-us-east-1/`). */
export interface AthenaWorkgroupSpec {
  name: string;
  /** The workgroup's result location; its bucket is created too. */
  outputLocation?: string;
  /** The caller may not use this workgroup: StartQueryExecution answers AccessDeniedException. */
  denyAccess?: boolean;
}

/** A query as tests read it back. */
export interface AthenaQueryView {
  id: string;
  state: AthenaQueryState;
  sql: string;
  workgroup: string;
  catalog: string;
  database: string;
  outputLocation: string;
  clientRequestToken?: string;
  stateChangeReason?: string;
  bytesScanned: number;
  submittedMs: number;
  completedMs?: number;
}

interface Finished {
  atMs: number;
  execution?: AthenaExecution;
  failure?: AthenaQueryFailure;
}

interface QueryRecord {
  id: string;
  sql: string;
  statementType: 'DML' | 'DDL' | 'UTILITY';
  workgroup: string;
  catalog: string;
  database: string;
  outputLocation: string;
  token?: string;
  submittedMs: number;
  finished?: Finished;
  stoppedMs?: number;
  controller: AbortController;
}

export interface StartQueryRequest {
  sql: string;
  workgroup: string;
  catalog: string;
  database?: string;
  outputLocation?: string;
  token?: string;
}

export const DEFAULT_WORKGROUP_OUTPUT = `s3://aws-athena-query-results-${ACCOUNT_ID}-${REGION}/`;

export function invalidRequest(message: string, athenaErrorCode?: string): SimApiError {
  return new SimApiError(400, 'InvalidRequestException', message, athenaErrorCode !== undefined ? { AthenaErrorCode: athenaErrorCode } : {});
}

export function workgroupArn(name: string): string {
  return `arn:aws:athena:${REGION}:${ACCOUNT_ID}:workgroup/${name}`;
}

/** SELECT and friends are DML (their results start with a header row); SHOW/DESCRIBE/EXPLAIN are UTILITY; the rest DDL. */
function statementType(sql: string): QueryRecord['statementType'] {
  const head = /^\s*(\w+)/.exec(sql.replace(/^\s*(--[^\n]*\n\s*)*/, ''))?.[1]?.toLowerCase() ?? '';
  if (['select', 'with', 'values', 'table', 'insert', 'unload'].includes(head)) return 'DML';
  if (['show', 'describe', 'explain'].includes(head)) return 'UTILITY';
  return 'DDL';
}

function bucketOf(location: string): string | undefined {
  return /^s3:\/\/([^/]+)/.exec(location)?.[1];
}

/** Athena's column type names have no parameters (`varchar`, `array`, `decimal`). */
function athenaType(type: string): string {
  return type.replace(/\(.*$/s, '').toLowerCase();
}

/**
 * Athena query executions: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED in clock time,
 * computed when read, with the SQL itself run by an executor in real time. Workgroups, output
 * buckets and ClientRequestToken idempotency as Athena checks them at StartQueryExecution.
 */
export class AthenaModel {
  private readonly queries = new Map<string, QueryRecord>();
  private readonly byToken = new Map<string, QueryRecord>();
  private readonly workgroups = new Map<string, { outputLocation?: string; denyAccess: boolean }>();
  private readonly buckets = new Set<string>();

  constructor(
    /** The simulator's clock. */
    readonly now: () => number,
    private readonly timings: AthenaTimings,
    private executor: AthenaExecutor,
  ) {
    this.createWorkgroup({ name: 'primary', outputLocation: DEFAULT_WORKGROUP_OUTPUT });
  }

  setExecutor(executor: AthenaExecutor): void {
    this.executor = executor;
  }

  createWorkgroup(spec: AthenaWorkgroupSpec): void {
    this.workgroups.set(spec.name, { ...(spec.outputLocation !== undefined ? { outputLocation: spec.outputLocation } : {}), denyAccess: spec.denyAccess ?? false });
    const bucket = spec.outputLocation !== undefined ? bucketOf(spec.outputLocation) : undefined;
    if (bucket) this.buckets.add(bucket);
  }

  createBucket(name: string): void {
    this.buckets.add(name);
  }

  start(request: StartQueryRequest): string {
    const workgroup = this.workgroups.get(request.workgroup);
    if (!workgroup) throw invalidRequest(`WorkGroup ${request.workgroup} is not found.`);
    if (workgroup.denyAccess) {
      throw new SimApiError(
        400,
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/release-gate/ci is not authorized to perform: athena:StartQueryExecution on resource: ${workgroupArn(request.workgroup)} because no identity-based policy allows the athena:StartQueryExecution action`,
      );
    }
    if (request.sql.trim() === '') throw invalidRequest("1 validation error detected: Value '' at 'queryString' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (request.token !== undefined) {
      const earlier = this.byToken.get(request.token);
      if (earlier) {
        const same = earlier.sql === request.sql && earlier.workgroup === request.workgroup && earlier.database === (request.database ?? 'default') && earlier.catalog === request.catalog;
        if (!same) throw invalidRequest('Idempotent parameters do not match');
        return earlier.id;
      }
    }
    const outputLocation = request.outputLocation ?? workgroup.outputLocation;
    if (outputLocation === undefined) {
      throw invalidRequest('No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.');
    }
    const bucket = bucketOf(outputLocation);
    if (!bucket || !this.buckets.has(bucket)) throw invalidRequest(`Unable to verify/create output bucket ${bucket ?? outputLocation}`);
    const record: QueryRecord = {
      id: randomUUID(),
      sql: request.sql,
      statementType: statementType(request.sql),
      workgroup: request.workgroup,
      catalog: request.catalog,
      database: request.database ?? 'default',
      outputLocation: outputLocation.endsWith('/') ? outputLocation : `${outputLocation}/`,
      ...(request.token !== undefined ? { token: request.token } : {}),
      submittedMs: this.now(),
      controller: new AbortController(),
    };
    this.queries.set(record.id, record);
    if (request.token !== undefined) this.byToken.set(request.token, record);
    this.execute(record);
    return record.id;
  }

  private execute(record: QueryRecord): void {
    const statement: AthenaStatement = { sql: record.sql, catalog: record.catalog, database: record.database };
    let running: Promise<AthenaExecution>;
    try {
      running = this.executor(statement, record.controller.signal);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (execution) => {
        if (record.stoppedMs === undefined) record.finished = { atMs: this.now(), execution };
      },
      (error: unknown) => {
        // The executor's answer to being stopped is not an outcome: the query is CANCELLED.
        if (record.stoppedMs !== undefined) return;
        const failure =
          error instanceof AthenaQueryFailure
            ? error
            : new AthenaQueryFailure(`GENERIC_INTERNAL_ERROR: ${error instanceof Error ? error.message : String(error)}`, 1, 401);
        record.finished = { atMs: this.now(), failure };
      },
    );
  }

  get(id: string): QueryRecord {
    const record = this.queries.get(id);
    if (!record) throw invalidRequest(`QueryExecution ${id} was not found`, 'INVALID_INPUT');
    return record;
  }

  /** The state now, with when it was reached. */
  state(record: QueryRecord): { state: AthenaQueryState; completedMs?: number; startedMs?: number } {
    const now = this.now();
    const startedMs = record.submittedMs + this.timings.queuedMs;
    const earliestEnd = startedMs + this.timings.runningMs;
    const finished = record.finished;
    const endMs = finished ? Math.max(finished.atMs, earliestEnd) : undefined;
    // A stop after the query had ended changes nothing.
    if (record.stoppedMs !== undefined && (endMs === undefined || record.stoppedMs < endMs)) {
      return { state: 'CANCELLED', completedMs: record.stoppedMs, ...(record.stoppedMs >= startedMs ? { startedMs } : {}) };
    }
    if (now < startedMs) return { state: 'QUEUED' };
    if (endMs === undefined || now < endMs) return { state: 'RUNNING', startedMs };
    return { state: finished?.failure ? 'FAILED' : 'SUCCEEDED', completedMs: endMs, startedMs };
  }

  /** StopQueryExecution: cancels a query that has not ended; harmless on one that has. */
  stop(id: string): void {
    const record = this.get(id);
    const { state } = this.state(record);
    if (state === 'QUEUED' || state === 'RUNNING') {
      record.stoppedMs = this.now();
      record.controller.abort(new Error('Query cancelled by user'));
    }
  }

  /** The rows GetQueryResults pages through: the header first for DML, as Athena writes its CSV. */
  resultRows(record: QueryRecord): { columns: AthenaExecution['columns']; rows: Array<Array<string | null>> } {
    const { state } = this.state(record);
    if (state === 'QUEUED' || state === 'RUNNING') throw invalidRequest(`Query has not yet finished. Current state: ${state}`, 'INVALID_INPUT');
    if (state !== 'SUCCEEDED') throw invalidRequest(`Query did not finish successfully. Final query state: ${state}`, 'INVALID_INPUT');
    const execution = record.finished!.execution!;
    const columns = execution.columns.map((c) => ({ name: c.name, type: athenaType(c.type) }));
    const header = record.statementType === 'DML' ? [columns.map((c) => c.name)] : [];
    return { columns, rows: [...header, ...execution.rows] };
  }

  view(record: QueryRecord): AthenaQueryView {
    const { state, completedMs } = this.state(record);
    const reason = this.reason(record);
    return {
      id: record.id,
      state,
      sql: record.sql,
      workgroup: record.workgroup,
      catalog: record.catalog,
      database: record.database,
      outputLocation: record.outputLocation,
      ...(record.token !== undefined ? { clientRequestToken: record.token } : {}),
      ...(reason !== undefined ? { stateChangeReason: reason } : {}),
      bytesScanned: this.bytesScanned(record),
      submittedMs: record.submittedMs,
      ...(completedMs !== undefined ? { completedMs } : {}),
    };
  }

  /** StateChangeReason and the AthenaError of a failed query. */
  reason(record: QueryRecord): string | undefined {
    return this.state(record).state === 'FAILED' ? record.finished?.failure?.message : undefined;
  }

  failure(record: QueryRecord): AthenaQueryFailure | undefined {
    return this.state(record).state === 'FAILED' ? record.finished?.failure : undefined;
  }

  /** Bytes read: the executor's count once the query succeeded; nothing for a cancelled or failed one. */
  bytesScanned(record: QueryRecord): number {
    return this.state(record).state === 'SUCCEEDED' ? (record.finished?.execution?.bytesScanned ?? 0) : 0;
  }

  statementType(record: QueryRecord): QueryRecord['statementType'] {
    return record.statementType;
  }

  list(): AthenaQueryView[] {
    return [...this.queries.values()].map((record) => this.view(record));
  }
}
