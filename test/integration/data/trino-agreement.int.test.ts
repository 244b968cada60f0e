/**
 * The data gate on a real Trino (test/support/trino.ts) agrees with DuckDB: the same fixtures as
 * CSV files for DuckDB and as tables in Trino's memory catalog, every check type and every drift
 * method, the same decisions and the same numbers (drift inputs: bucket counts and grids equal,
 * statistics within 1e-9 relative, the order of floating-point sums being the engines' own).
 * Also: each table is read at most twice per gate run (reference once, dataset twice), and bad
 * input (a missing table, a server that is not there) is a clear error, not a hang.
 */
import { join } from 'node:path';
import { parseConfigText } from '../../../src/config/load.js';
import { runDataGate } from '../../../src/data/gate.js';
import { DuckDbEngine } from '../../../src/data/engine/duckdb-engine.js';
import { loadDuckDb } from '../../../src/data/engine/load-duckdb.js';
import { TableEngine } from '../../../src/data/engine/table-engine.js';
import { createTrinoRunner } from '../../../src/data/engine/trino-runner.js';
import type { QueryResult, QueryRunner } from '../../../src/data/engine/query-runner.js';
import type { DataGateConfig } from '../../../src/config/types.js';
import type { DataSourceConfig } from '../../../src/config/data-types.js';
import type { CheckResult } from '../../../src/report/result.js';
import { INPUT_ERROR_EXIT_CODE, isInputError } from '../../../src/report/input-error.js';
import { freePort } from '../../support/python-server.js';
import { describeWithTrino, loadTable, startTrino, stopTrino, trinoRunner, trinoType, type TrinoServer } from '../../support/trino.js';
import { CONFIG_FILE, csv, dataConfig, workspace, write } from './fixtures.js';

/** A seeded generator (mulberry32): the same fixtures on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER = ['id', 'day', 'age', 'income', 'score', 'delta', 'plan', 'country', 'active'];

/**
 * Training (shift 0) or production (shift 1) rows: integers with few values (day) and many
 * (age, with missing values), doubles (income, lognormal-like; score in [0, 1], rounded to 3
 * decimals so values repeat; delta, halves around 0), categories (plan, country), booleans. Production's income is 30 %
 * higher (drift), its score slightly higher, and it has a plan training never saw.
 */
function rows(n: number, seed: number, shift: 0 | 1): Array<Array<string | number | null>> {
  const next = random(seed);
  const plans = shift === 0 ? ['free', 'free', 'free', 'pro', 'pro', 'vip', 'gold', 'trial'] : ['free', 'free', 'pro', 'pro', 'vip', 'gold', 'enterprise', 'trial'];
  const countries = shift === 0 ? ['FR', 'DE', 'ES', 'IT'] : ['FR', 'FR', 'DE', 'ES', 'IT'];
  return Array.from({ length: n }, (_, i) => {
    const age = next() < 0.02 ? null : 18 + Math.floor(next() * 62);
    const income = Math.round(Math.exp(10 + next() + next()) * (shift === 1 ? 1.3 : 1) * 100) / 100;
    const score = Math.round(Math.min(1, next() * (1 + 0.05 * shift)) * 1000) / 1000;
    // Halves from −2.5 to 2.5: zeros, negatives, and data values equal to the grid's points.
    const delta = (Math.floor(next() * 11) - 5) / 2 + 0.5 * shift * (next() < 0.2 ? 1 : 0);
    return [i + 1, 1 + Math.floor(next() * 7), age, income, score, delta, plans[Math.floor(next() * plans.length)]!, countries[Math.floor(next() * countries.length)]!, next() < 0.5 ? 'true' : 'false'];
  });
}

/** Every check type; drift with every method and the auto choice; segments; warn severity. */
const CHECKS = [
  'row_count: { min: 1000 }',
  "row_count: { max: 100, where: \"country = 'FR'\" }",
  'schema: { required: { id: integer, age: integer, income: numeric, plan: text, active: boolean }, forbidden: [email, score] }',
  'missing: { columns: [age, income], max-percent: 1 }',
  "missing: { column: age, max-count: 100, where: \"plan = 'pro'\" }",
  'range: { column: age, min: 18, max: 75 }',
  'range: { columns: [income, score], min: 0 }',
  'allowed: { column: plan, values: [free, pro, vip] }',
  'allowed: { column: day, values: [1, 2, 3, 4, 5, 6, 7] }',
  'allowed: { column: active, values: [true] }',
  'unique: { column: id }',
  'unique: { columns: [plan, country] }',
  "unique: { column: age, where: \"day = 1\" }",
  'duplicates: { max-percent: 0 }',
  'duplicates: { columns: [day, plan], max-percent: 50, severity: warn }',
  'unseen_categories: { column: plan }',
  'unseen_categories: { columns: [country, day], min-count: 300 }',
  'drift: { columns: all }',
  'drift: { columns: [income, score, age, day, delta], method: ks, correction: holm }',
  'drift: { columns: [income, score, age, delta], method: wasserstein }',
  'drift: { columns: [income, score, delta, plan, country, active], method: psi }',
  'drift: { columns: [income, score, plan, country], method: jensen-shannon }',
  'drift: { columns: [income, plan, country, day], method: chi2, correction: bh }',
  "drift: { columns: { id: [id], categorical: [day] }, drift-share: 0.5, where: \"age >= 30\" }",
];

const DATASET_ROWS = 1500;
const REFERENCE_ROWS = 600;

/** Numbers within 1e-9 relative (1e-12 absolute near 0), everything else equal, recursively. */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected)) return expect(actual).toBeNaN();
    const tolerance = Math.max(1e-12, 1e-9 * Math.abs(expected));
    if (Math.abs(actual - expected) > tolerance) throw new Error(`${path}: ${actual} (Trino) differs from ${expected} (DuckDB)`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${path}: ${JSON.stringify(actual)?.slice(0, 300)} (Trino) differs from ${JSON.stringify(expected).slice(0, 300)} (DuckDB)`);
    expected.forEach((e, i) => expectClose(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') throw new Error(`${path}: ${JSON.stringify(actual)} (Trino) differs from an object (DuckDB)`);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) expectClose((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: ${JSON.stringify(actual)} (Trino) differs from ${JSON.stringify(expected)} (DuckDB)`);
}

/** A runner that also records each statement's SQL with its usage. */
function recording(runner: QueryRunner): QueryRunner & { statements: Array<{ sql: string; result: QueryResult }> } {
  const statements: Array<{ sql: string; result: QueryResult }> = [];
  return {
    statements,
    description: runner.description,
    async run(sql, signal) {
      const result = await runner.run(sql, signal);
      statements.push({ sql, result });
      return result;
    },
    usage: () => runner.usage(),
    close: () => runner.close(),
  };
}

describeWithTrino('the data gate on Trino agrees with DuckDB', () => {
  let server: TrinoServer | undefined;
  let dir: string;
  let loader: QueryRunner;
  const schema = `agreement_${process.pid}`;
  let duckdbResults: CheckResult[];

  /** The config with the samples as files (DuckDB) or as this schema's tables (Trino). */
  function config(checks: string[], tables: boolean, names: { dataset?: string; reference?: string } = {}): DataGateConfig {
    const parsed = dataConfig('data:', '  dataset: train.csv', '  reference: prod.csv', '  checks:', ...checks.map((c) => `    - ${c}`));
    if (!tables) return parsed;
    const table = (source: DataSourceConfig | undefined, name: string): DataSourceConfig => ({ ...source!, path: `memory.${schema}.${name}`, table: `memory.${schema}.${name}` });
    return { ...parsed, dataset: table(parsed.dataset, names.dataset ?? 'train'), reference: table(parsed.reference, names.reference ?? 'prod') };
  }

  beforeAll(async () => {
    server = await startTrino();
    console.log(`Trino ${server.url}: ${server.owned ? 'started by this file' : 'the run\'s shared server'}, started in ${(server.startupMs / 1000).toFixed(1)} s`);
    dir = workspace();
    const train = rows(DATASET_ROWS, 1, 0);
    const prod = rows(REFERENCE_ROWS, 2, 1);
    write(dir, 'train.csv', csv(HEADER, train));
    write(dir, 'prod.csv', csv(HEADER, prod));
    // The tables get the types DuckDB reads the CSV files with, and the values DuckDB reads.
    const duckdb = await DuckDbEngine.open(await loadDuckDb());
    loader = trinoRunner(server, schema);
    try {
      for (const [file, table] of [['train.csv', 'train'], ['prod.csv', 'prod']] as const) {
        const columns = (await duckdb.describe({ kind: 'files', path: join(dir, file), format: 'csv' })).map((c) => ({ name: c.name, type: trinoType(c.type) }));
        const values = await duckdb.query(`SELECT * FROM ${duckdb.dialect.from({ kind: 'files', path: join(dir, file), format: 'csv' })}`);
        await loadTable(loader, schema, table, columns, values.map((row) => columns.map((c) => row[c.name] ?? null)));
      }
    } finally {
      await duckdb.close();
    }
    duckdbResults = await runDataGate(config(CHECKS, false), { workspace: dir, configFile: CONFIG_FILE });
  }, 240_000);

  afterAll(async () => {
    await loader?.run(`DROP SCHEMA IF EXISTS memory."${schema}" CASCADE`).catch(() => undefined);
    await stopTrino(server);
  });

  it('every check and drift statistic: the same results as DuckDB, each table read at most twice', async () => {
    const runner = recording(trinoRunner(server!, schema));
    const started = performance.now();
    const trinoResults = await runDataGate(config(CHECKS, true), { workspace: dir, configFile: CONFIG_FILE, engine: new TableEngine(runner) });
    console.log(`the gate on Trino: ${trinoResults.length} results in ${Math.round(performance.now() - started)} ms, ${runner.statements.length} statements`);
    expect(trinoResults.filter((r) => r.status === 'error')).toEqual([]);
    expect(trinoResults.map((r) => [r.id, r.status])).toEqual(duckdbResults.map((r) => [r.id, r.status]));
    // Both engines decided something: passes, failures and warnings are all among the results.
    expect([...new Set(duckdbResults.map((r) => r.status))]).toEqual(expect.arrayContaining(['pass', 'fail', 'warn', 'skip']));
    for (const [i, expected] of duckdbResults.entries()) {
      const actual = trinoResults[i]!;
      if (expected.id === 'data.plan') {
        expect(actual.details).toMatchObject({ engine: 'trino', datasetPasses: (expected.details as { datasetPasses: number }).datasetPasses, referencePasses: 1 });
        continue;
      }
      // Type names are each engine's own (DuckDB BIGINT, Trino bigint): schema results name them;
      // messages name the samples as configured (train.csv, memory.<schema>.train).
      const same = (value: unknown) => {
        const text = JSON.stringify(value ?? null).replaceAll(`memory.${schema}.train`, 'train.csv').replaceAll(`memory.${schema}.prod`, 'prod.csv');
        return JSON.parse(expected.id.startsWith('data.schema') ? text.toLowerCase() : text) as unknown;
      };
      expectClose(same(actual.observed), same(expected.observed), `${expected.id}.observed`);
      if (/^data\.(unique|duplicates)/.test(expected.id)) {
        // Which of several keys with the same count make the top 10 is the engine's choice (max_by
        // keeps any of the ties, on DuckDB too): the counts must agree, the keys listed may not.
        type Keys = { offendingValues?: Array<{ count: number }> };
        const counts = (details: unknown) => ((details as Keys).offendingValues ?? []).map((o) => o.count);
        expect(counts(actual.details)).toEqual(counts(expected.details));
        expectClose({ ...(actual.details as object), offendingValues: undefined }, { ...(expected.details as object), offendingValues: undefined }, `${expected.id}.details`);
        expect(actual.message.split(':').slice(0, 2)).toEqual(expected.message.split(':').slice(0, 2));
        continue;
      }
      expect(same(actual.message)).toBe(same(expected.message));
      expectClose(same(actual.details), same(expected.details), `${expected.id}.details`);
    }

    // Reads: a statement reads a table when Trino processed bytes for it; the reference is read by
    // one statement, the dataset by two (the aggregates, the keys), each reading it once.
    const reads = (table: string) => runner.statements.filter((s) => s.sql.includes(`"${table}"`) && (s.result.usage.bytesScanned ?? 0) > 0);
    const fullScan = async (table: string) => (await loader.run(`SELECT ${HEADER.map((c) => `count("${c}")`).join(', ')} FROM memory."${schema}"."${table}"`)).usage.bytesScanned ?? 0;
    for (const [table, most] of [['train', 2], ['prod', 1]] as const) {
      const statements = reads(table);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.length).toBeLessThanOrEqual(most);
      const once = await fullScan(table);
      for (const statement of statements) expect(statement.result.usage.bytesScanned).toBeLessThanOrEqual(once);
    }
    expect(runner.usage().every((u) => u.id !== '' && u.engineMs !== undefined)).toBe(true);
  }, 120_000);

  it('a missing table is an input error with Trino\'s message (exit code 2)', async () => {
    const results = await runDataGate(config(['row_count: { min: 1 }'], true, { dataset: 'nope' }), { workspace: dir, configFile: CONFIG_FILE, engine: new TableEngine(trinoRunner(server!, schema)) });
    expect(results).toHaveLength(1);
    expect(isInputError(results[0]!)).toBe(true);
    expect(INPUT_ERROR_EXIT_CODE).toBe(2);
    expect(results[0]!.message).toMatch(new RegExp(`^model-release.yml:2 data.dataset: .*Table 'memory.${schema}.nope' does not exist`));
  });

  it('data.engine: { type: trino } in the config file runs the gate on the tables', async () => {
    const parsed = parseConfigText(
      [
        'data:',
        '  engine:',
        '    type: trino',
        `    url: ${server!.url}`,
        '    catalog: memory',
        `    schema: ${schema}`,
        '  dataset: { table: train }',
        `  reference: { table: memory.${schema}.prod }`,
        '  checks:',
        `    - row_count: { min: ${DATASET_ROWS}, max: ${DATASET_ROWS} }`,
        '    - unseen_categories: { column: plan }',
      ].join('\n') + '\n',
      CONFIG_FILE,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const results = await runDataGate(parsed.config.data!, { workspace: dir, configFile: CONFIG_FILE });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['data.plan', 'info'],
      ['data.row_count', 'pass'],
      ['data.unseen_categories.plan', 'fail'],
    ]);
    expect(results[0]!.details).toMatchObject({ engine: 'trino', queries: [{ pass: 'reference', queryId: expect.any(String) }, { pass: 'dataset pass 1', queryId: expect.any(String) }] });
  });

  it('an aborted statement is cancelled in Trino, not left running', async () => {
    const runner = trinoRunner(server!, schema);
    const marker = `mrg_abort_${Date.now()}`;
    const slow = `SELECT count(*) AS ${marker} FROM UNNEST(sequence(1, 1000)) a(x) CROSS JOIN UNNEST(sequence(1, 1000)) b(y) CROSS JOIN UNNEST(sequence(1, 1000)) c(z) WHERE (x * y + z) % 7 = 3`;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job cancelled')), 1_500);
    await expect(runner.run(slow, controller.signal)).rejects.toThrow('job cancelled');
    const state = async () => (await loader.run(`SELECT state FROM system.runtime.queries WHERE query LIKE '%${marker} FROM%' AND query NOT LIKE '%system.runtime%'`)).rows.map((r) => r[0]);
    let states = await state();
    for (let waited = 0; waited < 10_000 && states.some((s) => s !== 'FAILED'); waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      states = await state();
    }
    expect(states).toEqual(['FAILED']);
  }, 30_000);

  it('a server that is not there: an engine error naming it within seconds, no hang', async () => {
    const port = await freePort();
    const runner = createTrinoRunner({ url: `http://127.0.0.1:${port}`, catalog: 'memory', schema, env: {} });
    const started = Date.now();
    const results = await runDataGate(config(['row_count: { min: 1 }'], true), { workspace: dir, configFile: CONFIG_FILE, engine: new TableEngine(runner) });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results).toMatchObject([{ status: 'error', message: expect.stringContaining(`cannot reach Trino at http://127.0.0.1:${port}`) }]);
    expect(isInputError(results[0]!)).toBe(false);
  });
});
