import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { AthenaQueryFailure, type AthenaExecutor } from './athena-model.js';
import { athenaText } from './athena-trino.js';
import { VirtualClock } from './clock.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, useTestCredentials } from './test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const TOKEN = 'a'.repeat(32);

/** 2 499 numbered rows: with the header row, three pages of at most 1 000. */
const NUMBERS: AthenaExecutor = async () => ({
  columns: [{ name: 'n', type: 'bigint' }, { name: 'label', type: 'varchar(8)' }],
  rows: Array.from({ length: 2_499 }, (_, i) => [String(i), i % 10 === 0 ? null : `row ${i}`]),
  bytesScanned: 123_456,
});

describe('simulated Athena through the real SDK', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let athena: AthenaClient;

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock, athena: { executor: NUMBERS, queuedMs: 100, runningMs: 1_000 } });
    athena = new AthenaClient({ endpoint: sim.endpoint, maxAttempts: 1 });
  });

  afterEach(async () => {
    athena.destroy();
    await sim.close();
  });

  const start = (sql = 'SELECT n, label FROM numbers', extra: Record<string, unknown> = {}) =>
    athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: 'primary', QueryExecutionContext: { Database: 'db' }, ...extra }));
  const describe_ = async (id: string) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;

  it('moves a query QUEUED → RUNNING → SUCCEEDED in clock time, with statistics', async () => {
    const { QueryExecutionId: id } = await start();
    expect((await describe_(id!)).Status?.State).toBe('QUEUED');
    clock.advance(100);
    expect((await describe_(id!)).Status?.State).toBe('RUNNING');
    clock.advance(1_000);
    const done = await describe_(id!);
    expect(done).toMatchObject({
      QueryExecutionId: id,
      Query: 'SELECT n, label FROM numbers',
      StatementType: 'DML',
      WorkGroup: 'primary',
      QueryExecutionContext: { Database: 'db', Catalog: 'AwsDataCatalog' },
      Status: { State: 'SUCCEEDED' },
      Statistics: { DataScannedInBytes: 123_456, EngineExecutionTimeInMillis: 1_000, QueryQueueTimeInMillis: 100 },
    });
    expect(done.Status?.SubmissionDateTime).toEqual(new Date(T0));
    expect(done.Status?.CompletionDateTime).toEqual(new Date(T0 + 1_100));
    expect(done.ResultConfiguration?.OutputLocation).toMatch(new RegExp(`^s3://aws-athena-query-results-123456789012-us-east-1/${id}\\.csv$`));
  });

  it('pages results with NextToken: a header row first, then every row, NULL as a cell without a value', async () => {
    const { QueryExecutionId: id } = await start();
    clock.advance(1_100);
    const pages = [];
    let token: string | undefined;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id!, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
      pages.push(page);
      token = page.NextToken;
    } while (token);
    expect(pages.map((p) => p.ResultSet?.Rows?.length)).toEqual([1000, 1000, 500]);
    expect(pages[0]!.ResultSet?.Rows?.[0]?.Data).toEqual([{ VarCharValue: 'n' }, { VarCharValue: 'label' }]);
    expect(pages[0]!.ResultSet?.Rows?.[1]?.Data).toEqual([{ VarCharValue: '0' }, {}]);
    expect(pages[0]!.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => [c.Name, c.Type])).toEqual([['n', 'bigint'], ['label', 'varchar']]);
    expect(pages[2]!.ResultSet?.Rows?.at(-1)?.Data).toEqual([{ VarCharValue: '2498' }, { VarCharValue: 'row 2498' }]);
  });

  it('refuses results before the query has finished, and after it failed', async () => {
    const { QueryExecutionId: id } = await start();
    clock.advance(200);
    const early = await rejectionOf(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id! })));
    expect(early).toMatchObject({ name: 'InvalidRequestException', message: 'Query has not yet finished. Current state: RUNNING' });
    sim.setAthenaExecutor(() => Promise.reject(new AthenaQueryFailure("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.db.missing' does not exist")));
    const { QueryExecutionId: failed } = await start('SELECT * FROM missing');
    clock.advance(2_000);
    expect((await describe_(failed!)).Status).toMatchObject({
      State: 'FAILED',
      StateChangeReason: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.db.missing' does not exist",
      AthenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: false },
    });
    const late = await rejectionOf(athena.send(new GetQueryResultsCommand({ QueryExecutionId: failed! })));
    expect(late.message).toBe('Query did not finish successfully. Final query state: FAILED');
  });

  it('a ClientRequestToken starts a query once: a start retried after its reply was lost gets the same id', async () => {
    sim.scenarios.lostReply({ operations: ['StartQueryExecution'], reply: 500 });
    const retrying = new AthenaClient({ endpoint: sim.endpoint, maxAttempts: 3 });
    try {
      const { QueryExecutionId: id } = await retrying.send(
        new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: 'primary', ClientRequestToken: TOKEN }),
      );
      expect(sim.athenaQueries().map((q) => q.id)).toEqual([id]);
      expect(sim.requestLog.filter((r) => r.operation === 'StartQueryExecution').map((r) => r.status)).toEqual([500, 200]);
      // The same token with other parameters is refused.
      const reused = await rejectionOf(retrying.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2', WorkGroup: 'primary', ClientRequestToken: TOKEN })));
      expect(reused).toMatchObject({ name: 'InvalidRequestException', message: 'Idempotent parameters do not match' });
    } finally {
      retrying.destroy();
    }
  });

  it('the SDK fills ClientRequestToken itself when none is given', async () => {
    await start('SELECT 1');
    expect(sim.athenaQueries()[0]?.clientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('StopQueryExecution cancels a running query, aborts its execution, and is harmless once the query ended', async () => {
    let aborted = false;
    sim.setAthenaExecutor((_statement, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason)))));
    const { QueryExecutionId: id } = await start();
    clock.advance(500);
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id! }));
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id! }));
    expect(aborted).toBe(true);
    clock.advance(10_000);
    expect((await describe_(id!)).Status).toMatchObject({ State: 'CANCELLED', CompletionDateTime: new Date(T0 + 500) });
    expect(sim.athenaQueries()[0]).toMatchObject({ state: 'CANCELLED', bytesScanned: 0 });

    sim.setAthenaExecutor(NUMBERS);
    const { QueryExecutionId: done } = await start();
    clock.advance(2_000);
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: done! }));
    expect((await describe_(done!)).Status?.State).toBe('SUCCEEDED');
    expect(await rejectionOf(athena.send(new StopQueryExecutionCommand({ QueryExecutionId: 'no-such-query' })))).toMatchObject({ name: 'InvalidRequestException' });
  });

  it('refuses an unknown workgroup, an output bucket that does not exist, and a workgroup the caller may not use', async () => {
    expect(await rejectionOf(start('SELECT 1', { WorkGroup: 'nope' }))).toMatchObject({ name: 'InvalidRequestException', message: 'WorkGroup nope is not found.' });
    expect(await rejectionOf(start('SELECT 1', { ResultConfiguration: { OutputLocation: 's3://no-such-bucket/results/' } }))).toMatchObject({
      name: 'InvalidRequestException',
      message: 'Unable to verify/create output bucket no-such-bucket',
    });
    sim.createS3Bucket('my-results');
    await start('SELECT 1', { ResultConfiguration: { OutputLocation: 's3://my-results/athena/' } });
    sim.createAthenaWorkgroup({ name: 'locked', outputLocation: 's3://locked-results/', denyAccess: true });
    const denied = await rejectionOf(start('SELECT 1', { WorkGroup: 'locked' }));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toMatch(/not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:123456789012:workgroup\/locked/);
    sim.createAthenaWorkgroup({ name: 'no-output' });
    expect((await rejectionOf(start('SELECT 1', { WorkGroup: 'no-output' }))).message).toMatch(/^No output location provided/);
    expect(sim.athenaQueries()).toHaveLength(1);
  });

  it('an executor that throws something else fails the query as a system error', async () => {
    sim.setAthenaExecutor(() => Promise.reject(new Error('connection refused')));
    const { QueryExecutionId: id } = await start();
    clock.advance(2_000);
    expect((await describe_(id!)).Status).toMatchObject({ State: 'FAILED', AthenaError: { ErrorCategory: 1, Retryable: true } });
  });

  it('throttling (TooManyRequestsException) and 5xx are retried by the SDK', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['GetQueryExecution'], count: 1, status: 429 });
    sim.scenarios.throttleControlPlane({ operations: ['StartQueryExecution'], count: 1, status: 503 });
    const retrying = new AthenaClient({ endpoint: sim.endpoint, maxAttempts: 3 });
    try {
      const { QueryExecutionId: id } = await retrying.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: 'primary' }));
      expect((await retrying.send(new GetQueryExecutionCommand({ QueryExecutionId: id! }))).QueryExecution?.Status?.State).toBe('QUEUED');
      expect(sim.requestLog.map((r) => `${r.operation} ${r.status}`)).toEqual([
        'StartQueryExecution 503',
        'StartQueryExecution 200',
        'GetQueryExecution 400',
        'GetQueryExecution 200',
      ]);
      expect(sim.requestLog.every((r) => r.service === 'athena')).toBe(true);
    } finally {
      retrying.destroy();
    }
    const throttled = await rejectionOf((sim.scenarios.throttleControlPlane({ operations: ['GetQueryExecution'], count: 1, status: 429 }), describe_('x')));
    expect(throttled).toMatchObject({ name: 'TooManyRequestsException', Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
  });
});

describe('athenaText: Trino values as Athena renders them in VarCharValue', () => {
  it('text as is, numbers and booleans as text, arrays and maps in Athena\'s notation, NULL as null', () => {
    expect([athenaText('a b'), athenaText(42), athenaText(1.5), athenaText(true), athenaText(null)]).toEqual(['a b', '42', '1.5', 'true', null]);
    expect(athenaText([1, null, 'x'])).toBe('[1, null, x]');
    expect(athenaText({ a: 1, b: [2, 3] })).toBe('{a=1, b=[2, 3]}');
  });
});

