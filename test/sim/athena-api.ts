import { parseJsonBody, type ApiRequest, type ApiResponse, type Route } from './api.js';
import { invalidRequest, type AthenaModel } from './athena-model.js';
import { SimApiError } from './errors.js';

const TARGET_PREFIX = 'AmazonAthena.';
const RESULTS_PAGE = { default: 1000, min: 1, max: 1000 };

type Input = Record<string, unknown>;

/** AWS JSON 1.1 timestamps are epoch seconds. */
const seconds = (ms: number) => ms / 1000;

function ok(value: unknown): ApiResponse {
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(value) };
}

function requiredString(input: Input, member: string): string {
  const value = input[member];
  if (typeof value !== 'string') throw invalidRequest(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${member} must be a string.`);
  return value;
}

/**
 * What Athena does with the caller's permissions while serving a call (test/iam counts them for
 * docs/iam-policy-athena.json): a query reads the Glue catalog and the table's objects and writes
 * its result to the output location; GetQueryResults reads that result object.
 */
const IMPLIED: Record<string, string[]> = {
  StartQueryExecution: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions', 's3:ListBucket', 's3:GetObject', 's3:GetBucketLocation', 's3:PutObject'].map(
    (action) => `athena/${action}`,
  ),
  GetQueryResults: ['athena/s3:GetObject'],
};

/**
 * Athena over AWS JSON 1.1 for the operations the data gate uses: the SDK posts to `/` with
 * `X-Amz-Target: AmazonAthena.<Operation>`; errors are `{"__type": <Code>, "Message": ...}`.
 */
export class AthenaApi {
  private readonly operations: Record<string, (input: Input) => unknown> = {
    StartQueryExecution: (input) => this.startQueryExecution(input),
    GetQueryExecution: (input) => ({ QueryExecution: this.queryExecution(requiredString(input, 'QueryExecutionId')) }),
    GetQueryResults: (input) => this.getQueryResults(input),
    StopQueryExecution: (input) => (this.model.stop(requiredString(input, 'QueryExecutionId')), {}),
  };

  constructor(private readonly model: AthenaModel) {}

  route(req: ApiRequest): Route | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
    const operation = target.slice(TARGET_PREFIX.length);
    const body = parseJsonBody(req.body);
    const handler = this.operations[operation];
    return {
      operation,
      loggedBody: body,
      ...(IMPLIED[operation] ? { impliedOperations: IMPLIED[operation] } : {}),
      run: () => {
        if (!handler) throw new SimApiError(400, 'UnknownOperationException', `The simulator does not implement Athena ${operation}`);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SimApiError(400, 'SerializationException', 'The request body is not a JSON object');
        return ok(handler(body as Input));
      },
    };
  }

  private startQueryExecution(input: Input): unknown {
    const context = (input['QueryExecutionContext'] ?? {}) as Input;
    const result = (input['ResultConfiguration'] ?? {}) as Input;
    const database = optionalString(context, 'Database');
    const outputLocation = optionalString(result, 'OutputLocation');
    const token = optionalString(input, 'ClientRequestToken');
    if (token !== undefined && (token.length < 32 || token.length > 128)) {
      throw invalidRequest(`1 validation error detected: Value '${token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 128`);
    }
    const id = this.model.start({
      sql: requiredString(input, 'QueryString'),
      workgroup: optionalString(input, 'WorkGroup') ?? 'primary',
      catalog: optionalString(context, 'Catalog') ?? 'AwsDataCatalog',
      ...(database !== undefined ? { database } : {}),
      ...(outputLocation !== undefined ? { outputLocation } : {}),
      ...(token !== undefined ? { token } : {}),
    });
    return { QueryExecutionId: id };
  }

  private queryExecution(id: string): unknown {
    const record = this.model.get(id);
    const { state, completedMs, startedMs } = this.model.state(record);
    const failure = this.model.failure(record);
    const now = completedMs ?? this.model.now();
    const engineMs = startedMs !== undefined ? Math.max(0, now - startedMs) : 0;
    const queueMs = (startedMs ?? now) - record.submittedMs;
    return {
      QueryExecutionId: record.id,
      Query: record.sql,
      StatementType: this.model.statementType(record),
      ResultConfiguration: { OutputLocation: `${record.outputLocation}${record.id}.csv` },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: { Database: record.database, Catalog: record.catalog },
      Status: {
        State: state,
        SubmissionDateTime: seconds(record.submittedMs),
        ...(completedMs !== undefined ? { CompletionDateTime: seconds(completedMs) } : {}),
        ...(failure
          ? {
              StateChangeReason: failure.message,
              AthenaError: { ErrorCategory: failure.category, ErrorType: failure.errorType, Retryable: failure.category === 1, ErrorMessage: failure.message },
            }
          : {}),
      },
      Statistics: {
        EngineExecutionTimeInMillis: engineMs,
        DataScannedInBytes: this.model.bytesScanned(record),
        TotalExecutionTimeInMillis: Math.max(0, now - record.submittedMs),
        QueryQueueTimeInMillis: queueMs,
        ServicePreProcessingTimeInMillis: 0,
        QueryPlanningTimeInMillis: 0,
        ServiceProcessingTimeInMillis: 0,
        ResultReuseInformation: { ReusedPreviousResult: false },
      },
      WorkGroup: record.workgroup,
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      SubstatementType: record.sql.trim().split(/\s+/)[0]?.toUpperCase() ?? '',
    };
  }

  /** Pages of at most MaxResults rows (the header row counts on the first), with an opaque NextToken bound to the query. */
  private getQueryResults(input: Input): unknown {
    const id = requiredString(input, 'QueryExecutionId');
    const record = this.model.get(id);
    const { columns, rows } = this.model.resultRows(record);
    const maxResults = input['MaxResults'] ?? RESULTS_PAGE.default;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < RESULTS_PAGE.min || maxResults > RESULTS_PAGE.max) {
      throw invalidRequest(`1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    }
    const token = optionalString(input, 'NextToken');
    let start = 0;
    if (token !== undefined) {
      const [tokenId, offset] = Buffer.from(token, 'base64url').toString('utf8').split('#');
      start = Number(offset);
      if (tokenId !== id || !Number.isInteger(start) || start < 0 || start > rows.length) throw invalidRequest('Invalid NextToken', 'INVALID_INPUT');
    }
    const next = start + maxResults;
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: rows.slice(start, next).map((row) => ({ Data: row.map((cell) => (cell === null ? {} : { VarCharValue: cell })) })),
        ResultSetMetadata: {
          ColumnInfo: columns.map((c) => ({
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Name: c.name,
            Label: c.name,
            Type: c.type,
            Precision: 0,
            Scale: 0,
            Nullable: 'UNKNOWN',
            CaseSensitive: c.type === 'varchar',
          })),
        },
      },
      ...(next < rows.length ? { NextToken: Buffer.from(`${id}#${next}`).toString('base64url') } : {}),
    };
  }
}
