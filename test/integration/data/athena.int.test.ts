/**
 * The data gate on Athena, end to end below the CLI: the real gate, the TableEngine over the
 * Athena runner, the real @aws-sdk/client-athena, the AWS simulator's Athena API, and the SQL
 * executed on a real Trino server (test/support/trino.ts) — so the SQL is real and the API
 * semantics are Athena's. The results equal those of the same engine on Trino directly; each
 * pass carries its query id, bytes scanned and estimated cost; bad input (a missing table, a
 * query that fails in Athena, an unknown workgroup, no permission) is an input error with
 * Athena's words; and no query is left running, whatever happened.
 */
import { parseConfigText } from '../../../src/config/load.js';
import { MemoryStateStore } from '../../../src/core/state.js';
import { runDataGate } from '../../../src/data/gate.js';
import { runPipeline } from '../../../src/pipeline.js';
import { renderJsonReport } from '../../../src/report/json.js';
import type { Report } from '../../../src/report/result.js';
import { messagesToCommits } from '../../../src/trigger/sources/messages.js';
import { FakeTarget } from '../../support/fake-target.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { createAthenaRunner } from '../../../src/data/engine/athena-engine.js';
import { TableEngine } from '../../../src/data/engine/table-engine.js';
import type { DataSourceConfig } from '../../../src/config/data-types.js';
import type { DataGateConfig } from '../../../src/config/types.js';
import { INPUT_ERROR_EXIT_CODE, isInputError } from '../../../src/report/input-error.js';
import type { CheckResult } from '../../../src/report/result.js';
import { RealClock, startSimulator, trinoExecutor, type Simulator } from '../../sim/index.js';
import { useTestCredentials } from '../../sim/test-clients.js';
import { describeWithTrino, loadTable, startTrino, stopTrino, trinoRunner, type TrinoServer } from '../../support/trino.js';
import { CONFIG_FILE, dataConfig, trainingRows, TRAINING_HEADER } from './fixtures.js';

const COLUMNS = TRAINING_HEADER.map((name) => ({ name, type: name === 'plan' || name === 'country' ? 'VARCHAR' : 'BIGINT' }));

/** Production: the training rows with incomes 30 % higher and a plan training never saw. */
function productionRows(): Array<Array<string | number | null>> {
  return trainingRows().map(([id, day, age, plan, country, income]) => [id ?? null, day ?? null, age ?? null, Number(id) % 10 === 0 ? 'enterprise' : (plan ?? null), country ?? null, Math.round(Number(income) * 1.3)]);
}

const CHECKS = [
  'row_count: { min: 50 }',
  'schema: { required: { id: integer, age: integer, plan: text }, forbidden: [ssn] }',
  'missing: { column: age, max-count: 2 }',
  'range: { column: age, min: 0, max: 120 }',
  'allowed: { column: plan, values: [free, pro, vip] }',
  'unique: { column: id }',
  'duplicates: { columns: [day, plan], max-percent: 50, severity: warn }',
  'unseen_categories: { column: plan }',
  'drift: { columns: [income, plan, country], method: psi }',
];

describeWithTrino('the data gate on Athena (simulator → Trino)', () => {
  let server: TrinoServer | undefined;
  let sim: Simulator;
  const schema = `athena_${process.pid}`;
  const savedEndpoint = process.env['AWS_ENDPOINT_URL'];

  /** The config with the samples as tables of the Athena database (= the Trino schema). */
  function config(checks: string[], names: { dataset?: string; reference?: string } = {}): DataGateConfig {
    const parsed = dataConfig('data:', '  dataset: train.csv', '  reference: prod.csv', '  checks:', ...checks.map((c) => `    - ${c}`));
    const table = (source: DataSourceConfig | undefined, name: string): DataSourceConfig => ({ ...source!, path: name, table: name });
    return { ...parsed, dataset: table(parsed.dataset, names.dataset ?? 'train'), reference: table(parsed.reference, names.reference ?? 'prod') };
  }

  const athenaGate = (checks: string[], options: { workgroup?: string; names?: { dataset?: string } } = {}) =>
    runDataGate(config(checks, options.names), {
      workspace: process.cwd(),
      configFile: CONFIG_FILE,
      engine: new TableEngine(createAthenaRunner({ workgroup: options.workgroup ?? 'primary', database: schema })),
    });

  const running = () => sim.athenaQueries().filter((q) => q.state === 'QUEUED' || q.state === 'RUNNING');

  beforeAll(async () => {
    server = await startTrino();
    const loader = trinoRunner(server, schema);
    try {
      await loadTable(loader, schema, 'train', COLUMNS, trainingRows());
      await loadTable(loader, schema, 'prod', COLUMNS, productionRows());
    } finally {
      await loader.close();
    }
    useTestCredentials();
    sim = await startSimulator({ clock: new RealClock(), athena: { executor: trinoExecutor({ server: server.url }), queuedMs: 50, runningMs: 100 } });
    process.env['AWS_ENDPOINT_URL'] = sim.endpoint;
  }, 240_000);

  afterAll(async () => {
    await sim?.close();
    if (savedEndpoint === undefined) delete process.env['AWS_ENDPOINT_URL'];
    else process.env['AWS_ENDPOINT_URL'] = savedEndpoint;
    if (server) {
      const cleaner = trinoRunner(server, schema);
      await cleaner.run(`DROP SCHEMA IF EXISTS memory."${schema}" CASCADE`).catch(() => undefined);
      await cleaner.close();
    }
    await stopTrino(server);
  });

  afterEach(() => {
    expect(running()).toEqual([]);
  });

  it('gives the same results as the TableEngine on Trino directly, with bytes scanned and cost per query', async () => {
    const started = performance.now();
    const onAthena = await athenaGate(CHECKS);
    const athenaMs = Math.round(performance.now() - started);
    const onTrino = await runDataGate(config(CHECKS), { workspace: process.cwd(), configFile: CONFIG_FILE, engine: new TableEngine(trinoRunner(server!, schema)) });
    console.log(`the gate through Athena: ${onAthena.length} results in ${athenaMs} ms, ${sim.athenaQueries().length} queries`);
    expect(onAthena.filter((r) => r.status === 'error')).toEqual([]);
    const comparable = (results: CheckResult[]) => results.filter((r) => r.id !== 'data.plan').map(({ id, status, message, observed, details }) => ({ id, status, message, observed, details }));
    expect(comparable(onAthena)).toEqual(comparable(onTrino));
    expect([...new Set(onAthena.map((r) => r.status))]).toEqual(expect.arrayContaining(['pass', 'fail', 'warn']));

    const plan = onAthena.find((r) => r.id === 'data.plan')!;
    const details = plan.details as { queries: Array<{ pass: string; queryId?: string; bytesScanned?: number; costUsd?: number }>; usage?: { statements: number; bytesScanned: number; costUsd?: number } };
    const ids = new Set(sim.athenaQueries().map((q) => q.id));
    for (const query of details.queries) {
      expect(ids.has(query.queryId!)).toBe(true);
      expect(query.bytesScanned).toBeGreaterThan(0);
      expect(query.costUsd).toBeGreaterThan(0);
    }
    expect(details.usage).toEqual({ statements: sim.athenaQueries().length, bytesScanned: expect.any(Number), costUsd: expect.any(Number) });
    expect(plan.message).toMatch(new RegExp(`${sim.athenaQueries().length} statements scanned [0-9.]+ (bytes|KiB|MiB) \\(estimated cost \\$[0-9.]+\\)\\.$`));
    expect(sim.athenaQueries().every((q) => q.state === 'SUCCEEDED' && q.database === schema && q.workgroup === 'primary')).toBe(true);
  }, 120_000);

  /** A release through the pipeline with `data.engine: { type: athena, … }` and the dataset as a table. */
  async function release(checks: string[]): Promise<{ report: Report; targetsCreated: number }> {
    const text = [
      'target: { function-name: churn-model, alias: prod }',
      'rollout: { strategy: all-at-once, bake: 1m }',
      'data:',
      `  engine: { type: athena, workgroup: primary, database: ${schema} }`,
      '  dataset: { table: train }',
      '  checks:',
      ...checks.map((c) => `    - ${c}`),
    ].join('\n');
    const loaded = parseConfigText(`${text}\n`, CONFIG_FILE);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const clock = new VirtualClock();
    let targetsCreated = 0;
    const report = await runPipeline(
      { command: 'release', config: loaded.config, commits: { commits: messagesToCommits(['feat(api): new model']), source: 'test', warnings: [] }, force: false },
      {
        clock,
        state: new MemoryStateStore(),
        log: () => {},
        createTarget: () => {
          targetsCreated++;
          return new FakeTarget({ clock, version: '1' });
        },
        workspace: process.cwd(),
      },
    );
    return { report, targetsCreated };
  }

  it('a release configured with data.engine type athena: a query that fails in Athena is exit 2 with its reason, nothing deployed', async () => {
    const run = await release(['row_count: { min: 1, where: "100 / (day - day) > 1" }']);
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode, targetsCreated: run.targetsCreated }).toEqual({ outcome: 'aborted', exitCode: 2, targetsCreated: 0 });
    expect(run.report.headline).toMatch(/^Input error: model-release.yml:5 data.dataset: Athena workgroup primary, database athena_\d+: query [0-9a-f-]{36} failed \(user error\): DIVISION_BY_ZERO: Division by zero.*; nothing was changed\.$/);
  });

  it('a release configured with data.engine type athena goes on when the data passes, with each query\'s bytes and cost in the JSON report', async () => {
    const run = await release(['row_count: { min: 10 }', 'range: { column: income, min: 0 }']);
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode, targetsCreated: run.targetsCreated }).toEqual({ outcome: 'promoted', exitCode: 0, targetsCreated: 1 });
    const json = JSON.parse(renderJsonReport(run.report)) as { results: Array<{ id: string; message: string; details?: { queries: Array<Record<string, unknown>>; usage: Record<string, unknown> } }> };
    const plan = json.results.find((r) => r.id === 'data.plan')!;
    expect(plan.details?.queries).toEqual([{ pass: 'dataset pass 1', ms: expect.any(Number), queryId: expect.stringMatching(/^[0-9a-f-]{36}$/), bytesScanned: expect.any(Number), costUsd: expect.any(Number) }]);
    expect(plan.details?.usage).toEqual({ statements: expect.any(Number), bytesScanned: expect.any(Number), costUsd: expect.any(Number) });
    expect(plan.message).toMatch(/statements scanned .* \(estimated cost \$[0-9.]+\)\.$/);
  });

  it("a table that does not exist: an input error with Athena's reason (exit code 2)", async () => {
    const before = sim.athenaQueries().length;
    const results = await athenaGate(['row_count: { min: 1 }'], { names: { dataset: 'nope' } });
    expect(results).toHaveLength(1);
    expect(isInputError(results[0]!)).toBe(true);
    expect(INPUT_ERROR_EXIT_CODE).toBe(2);
    expect(results[0]!.message).toMatch(
      new RegExp(`^model-release.yml:2 data.dataset: Athena workgroup primary, database ${schema}: query [0-9a-f-]{36} failed \\(user error\\): TABLE_NOT_FOUND: .*Table 'awsdatacatalog.${schema}.nope' does not exist`),
    );
    // The reference's columns were read too (it exists); the dataset's query failed.
    expect(sim.athenaQueries().slice(before).map((q) => q.state).sort()).toEqual(['FAILED', 'SUCCEEDED']);
  });

  it('a query that fails in Athena while it reads the rows: its StateChangeReason, an input error', async () => {
    const results = await athenaGate(['row_count: { min: 1, where: "100 / (day - day) > 1" }']);
    expect(results).toHaveLength(1);
    expect(isInputError(results[0]!)).toBe(true);
    expect(results[0]!.message).toMatch(/failed \(user error\): DIVISION_BY_ZERO: Division by zero/);
    const failed = sim.athenaQueries().filter((q) => q.state === 'FAILED').at(-1);
    expect(failed?.stateChangeReason).toMatch(/^DIVISION_BY_ZERO: Division by zero/);
  });

  it('an unknown workgroup and a workgroup the role may not use: input errors naming them, no query started', async () => {
    const before = sim.athenaQueries().length;
    const unknown = await athenaGate(['row_count: { min: 1 }'], { workgroup: 'nope' });
    expect(unknown.map((r) => [isInputError(r), r.message])).toEqual(
      ['2 data.dataset', '3 data.reference'].map((key) => [true, `model-release.yml:${key}: Athena workgroup nope, database ${schema}: StartQueryExecution was refused (InvalidRequestException): WorkGroup nope is not found.`]),
    );
    sim.createAthenaWorkgroup({ name: 'locked', outputLocation: 's3://locked-results/', denyAccess: true });
    const denied = await athenaGate(['row_count: { min: 1 }'], { workgroup: 'locked' });
    expect(isInputError(denied[0]!)).toBe(true);
    expect(denied[0]!.message).toMatch(/refused \(AccessDeniedException\): .*not authorized to perform: athena:StartQueryExecution/);
    expect(sim.athenaQueries()).toHaveLength(before);
  });
});
