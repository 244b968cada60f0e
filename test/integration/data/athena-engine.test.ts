/**
 * The Athena query runner against the AWS simulator, with a fake executor standing in for the
 * SQL engine: the API semantics are Athena's (states, back-off, paging, failures with reasons,
 * idempotent starts), and every exit path (abort, timeout, a failed call after the start,
 * close) leaves no query QUEUED or RUNNING in the simulator.
 */
import { createAwsClients } from '../../../src/aws/clients.js';
import { parseConfigText } from '../../../src/config/load.js';
import { runDataGate } from '../../../src/data/gate.js';
import { ATHENA_MINIMUM_BILLED_BYTES, AthenaSystemError, athenaCostUsd, createAthenaRunner } from '../../../src/data/engine/athena-engine.js';
import { DataSourceError } from '../../../src/data/engine/engine.js';
import type { QueryRunner } from '../../../src/data/engine/query-runner.js';
import { AthenaQueryFailure, startSimulator, VirtualClock, type AthenaExecutor, type Simulator } from '../../sim/index.js';
import { useTestCredentials } from '../../sim/test-clients.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const rowsOf = (count: number): AthenaExecutor => async () => ({
  columns: [{ name: 'n', type: 'bigint' }, { name: 'json', type: 'varchar' }],
  rows: Array.from({ length: count }, (_, i) => [String(i), i === 1 ? null : JSON.stringify({ i })]),
  bytesScanned: 3 * 1024 ** 3,
});

/** Runs until its query is stopped. */
const hanging: AthenaExecutor = (_statement, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

describe('Athena runner through the simulator', () => {
  let clock: VirtualClock;
  let sim: Simulator;
  let runner: QueryRunner | undefined;
  const savedEndpoint = process.env['AWS_ENDPOINT_URL'];

  beforeEach(async () => {
    useTestCredentials();
    clock = new VirtualClock(T0);
    sim = await startSimulator({ clock, athena: { executor: rowsOf(3), queuedMs: 100, runningMs: 1_000 } });
    // The product's own clients (its user agent, retries, timeouts) find the simulator here.
    process.env['AWS_ENDPOINT_URL'] = sim.endpoint;
  });

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
    // Whatever a test did, nothing may still be queued or running.
    expect(sim.athenaQueries().filter((q) => q.state === 'QUEUED' || q.state === 'RUNNING')).toEqual([]);
    await sim.close();
    if (savedEndpoint === undefined) delete process.env['AWS_ENDPOINT_URL'];
    else process.env['AWS_ENDPOINT_URL'] = savedEndpoint;
  });

  const athena = (options: Partial<Parameters<typeof createAthenaRunner>[0]> = {}) =>
    (runner = createAthenaRunner({ workgroup: 'primary', database: 'analytics', clock, ...options }));
  const operations = () => sim.requestLog.map((r) => `${r.operation} ${r.status}`);

  it('starts in the workgroup and database, polls with back-off, skips the header row and reports bytes and cost', async () => {
    const result = await athena({ catalog: 'AwsDataCatalog' }).run('SELECT n, json FROM t');
    expect(result.columns).toEqual([{ name: 'n', type: 'bigint' }, { name: 'json', type: 'varchar' }]);
    expect(result.rows).toEqual([['0', '{"i":0}'], ['1', null], ['2', '{"i":2}']]);
    const [query] = sim.athenaQueries();
    expect(query).toMatchObject({ state: 'SUCCEEDED', workgroup: 'primary', database: 'analytics', catalog: 'AwsDataCatalog', sql: 'SELECT n, json FROM t' });
    expect(query?.clientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    // 200 ms, then x1.5: polls at 0, 200, 500, 950 and 1 625 ms; the query ends at 1 100.
    const polls = sim.requestLog.filter((r) => r.operation === 'GetQueryExecution').map((r) => r.atMs - T0);
    expect(polls).toEqual([0, 200, 500, 950, 1625]);
    const usage = { id: query!.id, bytesScanned: 3 * 1024 ** 3, engineMs: 1_000, costUsd: (3 / 1024) * 5 };
    expect(result.usage).toEqual(usage);
    expect(runner!.usage()).toEqual([usage]);
    expect(runner!.description).toBe('Athena workgroup primary, database analytics');
  });

  it('sends the output location when given, and pages through GetQueryResults (2 500 rows: three pages)', async () => {
    sim.setAthenaExecutor(rowsOf(2_500));
    sim.createS3Bucket('results-bucket');
    const result = await athena({ outputLocation: 's3://results-bucket/athena/' }).run('SELECT n, json FROM t');
    expect(result.rows).toHaveLength(2_500);
    expect(result.rows.at(-1)).toEqual(['2499', '{"i":2499}']);
    expect(sim.requestLog.filter((r) => r.operation === 'GetQueryResults').map((r) => (r.body as { MaxResults?: number }).MaxResults)).toEqual([1000, 1000, 1000]);
    expect(sim.athenaQueries()[0]?.outputLocation).toBe('s3://results-bucket/athena/');
  });

  it('estimates cost at $5 per TB, rounded up to a megabyte, at least 10 MB per query that read anything', () => {
    expect(athenaCostUsd(0)).toBe(0);
    expect(athenaCostUsd(1)).toBe(athenaCostUsd(ATHENA_MINIMUM_BILLED_BYTES));
    expect(athenaCostUsd(ATHENA_MINIMUM_BILLED_BYTES)).toBeCloseTo((10 / 1024 / 1024) * 5, 12);
    expect(athenaCostUsd(1024 ** 4)).toBe(5);
    expect(athenaCostUsd(20 * 1024 * 1024 + 1)).toBe(athenaCostUsd(21 * 1024 * 1024));
  });

  it("a query that fails in Athena is a DataSourceError with its StateChangeReason; a system failure is not the input's fault", async () => {
    sim.setAthenaExecutor(() => Promise.reject(new AthenaQueryFailure("COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved")));
    const failed = await athena()
      .run('SELECT nope FROM t')
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DataSourceError);
    expect((failed as Error).message).toMatch(
      /^Athena workgroup primary, database analytics: query [0-9a-f-]{36} failed \(user error\): COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved$/,
    );
    expect(runner!.usage()).toEqual([expect.objectContaining({ bytesScanned: 0, costUsd: 0 })]);

    sim.setAthenaExecutor(() => Promise.reject(new AthenaQueryFailure('INTERNAL_ERROR_QUERY_ENGINE: worker lost', 1, 401)));
    const system = await runner!.run('SELECT 1').catch((e: unknown) => e);
    expect(system).toBeInstanceOf(AthenaSystemError);
    expect((system as Error).message).toMatch(/failed \(system error\): INTERNAL_ERROR_QUERY_ENGINE: worker lost$/);
  });

  it('names the workgroup when it does not exist, the bucket when the output location is missing, and the refusal when access is denied', async () => {
    const unknown = await athena({ workgroup: 'nope' })
      .run('SELECT 1')
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DataSourceError);
    expect((unknown as Error).message).toBe('Athena workgroup nope, database analytics: StartQueryExecution was refused (InvalidRequestException): WorkGroup nope is not found.');
    const bucket = await athena({ outputLocation: 's3://missing-bucket/x/' })
      .run('SELECT 1')
      .catch((e: unknown) => e);
    expect((bucket as Error).message).toMatch(/Unable to verify\/create output bucket missing-bucket$/);
    sim.createAthenaWorkgroup({ name: 'locked', outputLocation: 's3://locked/', denyAccess: true });
    const denied = await athena({ workgroup: 'locked' })
      .run('SELECT 1')
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(DataSourceError);
    expect((denied as Error).message).toMatch(/refused \(AccessDeniedException\): .*not authorized to perform: athena:StartQueryExecution/);
    expect(sim.athenaQueries()).toEqual([]);
  });

  it('a missing region is an input error naming data.engine.region, at the first statement', async () => {
    const saved = { region: process.env['AWS_REGION'], defaultRegion: process.env['AWS_DEFAULT_REGION'] };
    delete process.env['AWS_REGION'];
    delete process.env['AWS_DEFAULT_REGION'];
    try {
      const failed = await athena()
        .run('SELECT 1')
        .catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(DataSourceError);
      expect((failed as Error).message).toMatch(/^Athena workgroup primary, database analytics: No AWS region: set data.engine.region in the config file, or AWS_REGION/);
    } finally {
      process.env['AWS_REGION'] = saved.region ?? 'us-east-1';
      if (saved.defaultRegion !== undefined) process.env['AWS_DEFAULT_REGION'] = saved.defaultRegion;
    }
    expect(sim.athenaQueries()).toEqual([]);
  });

  it('stops the query when the signal aborts', async () => {
    sim.setAthenaExecutor(hanging);
    const controller = new AbortController();
    const running = athena().run('SELECT * FROM big', controller.signal);
    await until(() => sim.requestLog.some((r) => r.operation === 'GetQueryExecution'));
    controller.abort(new Error('the job was cancelled'));
    await expect(running).rejects.toThrow('the job was cancelled');
    expect(sim.athenaQueries().map((q) => q.state)).toEqual(['CANCELLED']);
    expect(operations().filter((o) => o.startsWith('Stop'))).toEqual(['StopQueryExecution 200']);
  });

  it('stops the query after the timeout, as an input error naming the limit', async () => {
    sim.setAthenaExecutor(hanging);
    const failed = await athena({ timeoutMs: 60_000 })
      .run('SELECT * FROM big')
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DataSourceError);
    expect((failed as Error).message).toMatch(/query [0-9a-f-]{36} did not finish within 1 min \(still RUNNING\); it was stopped/);
    expect(sim.athenaQueries()[0]).toMatchObject({ state: 'CANCELLED', completedMs: expect.any(Number) });
    expect(sim.athenaQueries()[0]!.completedMs! - T0).toBeGreaterThanOrEqual(60_000);
    expect(clock.now() - T0).toBeLessThan(60_000 + 5_000);
  });

  it('stops the query when a call after the start fails', async () => {
    sim.setAthenaExecutor(hanging);
    sim.scenarios.throttleControlPlane({ operations: ['GetQueryExecution'], count: 1, status: 500 });
    const failed = await athena({ client: createAwsClients({ maxAttempts: 1 }).athena })
      .run('SELECT * FROM big')
      .catch((e: unknown) => e);
    expect(failed).not.toBeInstanceOf(DataSourceError);
    expect((failed as Error).message).toMatch(/GetQueryExecution failed \(InternalServerException, HTTP 500\)/);
    expect(operations()).toEqual(['StartQueryExecution 200', 'GetQueryExecution 500', 'StopQueryExecution 200']);
    expect(sim.athenaQueries().map((q) => q.state)).toEqual(['CANCELLED']);
  });

  it('sends StopQueryExecution when reading the results fails, even though the query ended', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['GetQueryResults'], count: 1, status: 500 });
    await expect(athena({ client: createAwsClients({ maxAttempts: 1 }).athena }).run('SELECT 1')).rejects.toThrow(/GetQueryResults failed/);
    expect(operations().slice(-2)).toEqual(['GetQueryResults 500', 'StopQueryExecution 200']);
    expect(sim.athenaQueries().map((q) => q.state)).toEqual(['SUCCEEDED']);
  });

  it('close() stops every query still running, and the run reports the cancellation', async () => {
    sim.setAthenaExecutor(hanging);
    const r = athena({ timeoutMs: 24 * 3_600_000 });
    const running = [r.run('SELECT 1 FROM big'), r.run('SELECT 2 FROM big')].map((p) => p.then(() => new Error('the run succeeded'), (e: unknown) => e as Error));
    await until(() => sim.athenaQueries().length === 2);
    await r.close();
    expect(sim.athenaQueries().map((q) => q.state)).toEqual(['CANCELLED', 'CANCELLED']);
    // A query whose start was still in flight is stopped as soon as its id is known.
    for (const error of await Promise.all(running)) expect(error.message).toMatch(/was cancelled in Athena|the runner was closed while query .* started; it was stopped/);
    await expect(r.run('SELECT 3')).rejects.toThrow(/the runner is closed/);
  });

  it('a start whose reply was lost runs once (same ClientRequestToken), and a lost reply to the stop is retried', async () => {
    sim.scenarios.lostReply({ operations: ['StartQueryExecution'], reply: 500 });
    await athena().run('SELECT 1');
    expect(sim.athenaQueries()).toHaveLength(1);
    expect(operations().filter((o) => o.startsWith('Start'))).toEqual(['StartQueryExecution 500', 'StartQueryExecution 200']);

    sim.setAthenaExecutor(hanging);
    sim.scenarios.lostReply({ operations: ['StopQueryExecution'], reply: 'reset' });
    const controller = new AbortController();
    const running = runner!.run('SELECT * FROM big', controller.signal);
    await until(() => sim.athenaQueries().length === 2);
    controller.abort(new Error('stop'));
    await expect(running).rejects.toThrow('stop');
    expect(operations().filter((o) => o.startsWith('Stop'))).toEqual(['StopQueryExecution 0', 'StopQueryExecution 200']);
    expect(sim.athenaQueries()[1]?.state).toBe('CANCELLED');
  });

  it('throttled polls are retried by the SDK', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['GetQueryExecution'], count: 1, status: 429 });
    const result = await athena().run('SELECT n, json FROM t');
    expect(result.rows).toHaveLength(3);
    expect(operations().filter((o) => o === 'GetQueryExecution 400')).toHaveLength(1);
  });
});

/** Yields to the event loop until `condition` holds (HTTP round trips run in real time). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!condition()) throw new Error('condition never held');
}

describe('a data gate on Athena whose job is cancelled', () => {
  const savedEndpoint = process.env['AWS_ENDPOINT_URL'];
  afterEach(() => {
    if (savedEndpoint === undefined) delete process.env['AWS_ENDPOINT_URL'];
    else process.env['AWS_ENDPOINT_URL'] = savedEndpoint;
  });

  it('stops its running query (StopQueryExecution) and returns, rather than leave it running after the job', async () => {
    useTestCredentials();
    const sim = await startSimulator({ clock: new VirtualClock(T0), athena: { executor: hanging, queuedMs: 100, runningMs: 1_000 } });
    process.env['AWS_ENDPOINT_URL'] = sim.endpoint;
    try {
      const loaded = parseConfigText(
        'data:\n  dataset: { table: big }\n  engine: { type: athena, workgroup: primary, database: analytics, region: us-east-1 }\n  checks:\n    - row_count: { min: 1 }\n',
        'model-release.yml',
      );
      if (!loaded.ok || loaded.config.data === undefined) throw new Error(`config: ${JSON.stringify(loaded)}`);
      const controller = new AbortController();
      const gate = runDataGate(loaded.config.data, { workspace: process.cwd(), signal: controller.signal });
      await until(() => sim.requestLog.some((r) => r.operation === 'GetQueryExecution'));
      controller.abort(new Error('the job was cancelled'));
      const results = await gate;
      expect(results.some((r) => r.status === 'error' && /cancelled/.test(r.message))).toBe(true);
      expect(sim.athenaQueries().map((q) => q.state)).toEqual(['CANCELLED']);
      expect(sim.requestLog.filter((r) => r.operation === 'StopQueryExecution').map((r) => r.status)).toEqual([200]);
    } finally {
      await sim.close();
    }
  });
});
