/**
 * The data gate on real files with a real DuckDB: every check passes where it should and fails
 * where it should, with the known answers of the fixtures (fixtures.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runDataGate } from '../../../src/data/gate.js';
import { DuckDbEngine } from '../../../src/data/engine/duckdb-engine.js';
import { loadDuckDb } from '../../../src/data/engine/load-duckdb.js';
import type { CheckResult } from '../../../src/report/result.js';
import { CONFIG_FILE, TRAINING_HEADER, csv, dataConfig, trainingRows, workspace, write } from './fixtures.js';

let dir: string;

beforeAll(async () => {
  dir = workspace();
  write(dir, 'train.csv', csv(TRAINING_HEADER, trainingRows()));
  // The same table as Parquet and NDJSON, written by DuckDB itself.
  const engine = await DuckDbEngine.open(await loadDuckDb());
  const from = `read_csv('${join(dir, 'train.csv')}')`;
  await engine.query(`COPY (SELECT * FROM ${from}) TO '${join(dir, 'train.parquet')}' (FORMAT parquet)`);
  await engine.query(`COPY (SELECT * FROM ${from} WHERE id <= 50) TO '${join(dir, 'part-1.parquet')}' (FORMAT parquet)`);
  await engine.query(`COPY (SELECT * FROM ${from} WHERE id > 50) TO '${join(dir, 'part-2.parquet')}' (FORMAT parquet)`);
  await engine.query(`COPY (SELECT * FROM ${from}) TO '${join(dir, 'train.ndjson')}' (FORMAT json)`);
  await engine.close();
  // Production: a new plan 'enterprise' (never in training), 'trial' (2 training rows).
  write(
    dir,
    'prod.csv',
    csv(['plan', 'country', 'age'], [
      ...Array.from({ length: 6 }, () => ['free', 'FR', 30]),
      ['enterprise', 'FR', 40],
      ['enterprise', 'DE', 41],
      ['pro', 'DE', 50],
      ['trial', 'DE', 20],
    ]),
  );
  // Twice the training rows 1..3: 3 duplicate rows of 103, 3 repeated (id, day) keys.
  write(dir, 'dups.csv', csv(TRAINING_HEADER, [...trainingRows(), ...trainingRows().slice(0, 3)]));
});

/** Run a config whose `data:` section has these check lines (check i is on line 4 + i). */
async function run(checks: string[], options: { dataset?: string; reference?: string } = {}): Promise<CheckResult[]> {
  const config = dataConfig(
    'data:',
    `  dataset: ${options.dataset ?? 'train.csv'}`,
    ...(options.reference ? [`  reference: ${options.reference}`] : []),
    '  checks:',
    ...checks.map((c) => `    - ${c}`),
  );
  return runDataGate(config, { workspace: dir, configFile: CONFIG_FILE });
}

function byId(results: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

function statuses(results: CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.filter((r) => r.id !== 'data.plan').map((r) => [r.id, r.status]));
}

describe('each check passes and fails on data with known answers', () => {
  it('row_count: 100 rows; 50 in the FR segment', async () => {
    const results = byId(await run(['row_count: { min: 100, max: 100 }', 'row_count: { min: 101 }', "row_count: { max: 50, where: \"country = 'FR'\" }"]));
    expect(results['data.row_count']).toMatchObject({ status: 'pass', observed: 100, expected: '[100, 100]', location: { file: CONFIG_FILE, line: 4 } });
    expect(results['data.row_count#2']).toMatchObject({ status: 'fail', observed: 100, expected: '≥ 101', location: { line: 5 } });
    expect(results['data.row_count#3']).toMatchObject({ status: 'pass', observed: 50 });
  });

  it('schema: required kinds and forbidden columns', async () => {
    const results = statuses(await run(['schema: { required: { age: numeric, id: integer, plan: text, income: text, email: text }, forbidden: [ssn, country] }']));
    expect(results).toEqual({
      'data.schema.age': 'pass',
      'data.schema.id': 'pass',
      'data.schema.plan': 'pass',
      'data.schema.income': 'fail', // a number, not text
      'data.schema.email': 'fail', // absent
      'data.schema.ssn': 'pass',
      'data.schema.country': 'fail', // present
    });
  });

  it('missing: 4 of 100 ages are missing', async () => {
    const results = byId(await run(['missing: { columns: [age, income], max-percent: 4 }', 'missing: { column: age, max-count: 3 }', "missing: { column: age, where: \"id > 4\" }"]));
    expect(results['data.missing.age']).toMatchObject({ status: 'pass', observed: '4%', details: { missing: 4, rows: 100 } });
    expect(results['data.missing.income']).toMatchObject({ status: 'pass', observed: '0%' });
    expect(results['data.missing.age#2']).toMatchObject({ status: 'fail', observed: 4, expected: '≤ 3' });
    expect(results['data.missing.age#3']).toMatchObject({ status: 'pass', observed: 0 });
  });

  it('range: one age (130, id 100, DE) is outside [0, 120]; the FR segment has none', async () => {
    const results = byId(await run(['range: { column: age, min: 0, max: 120 }', "range: { column: age, min: 0, max: 120, where: \"country = 'FR'\" }", 'range: { columns: [income, day], min: 1000 }']));
    expect(results['data.range.age']).toMatchObject({ status: 'fail', observed: 1, details: { outside: 1, min: 18, max: 130 } });
    expect(results['data.range.age#2']).toMatchObject({ status: 'pass', observed: 0 });
    expect(results['data.range.income']).toMatchObject({ status: 'pass' });
    expect(results['data.range.day']).toMatchObject({ status: 'fail', observed: 100 });
  });

  it('allowed: gold (3) and trial (2) are not allowed plans, listed with counts', async () => {
    const results = byId(await run(['allowed: { column: plan, values: [free, pro, vip] }', 'allowed: { column: plan, values: [free, pro, vip, gold, trial] }', 'allowed: { column: day, values: [1, 2, 3, 4] }']));
    expect(results['data.allowed.plan']).toMatchObject({
      status: 'fail',
      observed: 5,
      message: 'plan: 5 values not allowed: "gold" (3), "trial" (2).',
      details: { offendingDistinct: 2, offendingValues: [{ value: 'gold', count: 3 }, { value: 'trial', count: 2 }] },
    });
    expect(results['data.allowed.plan#2']).toMatchObject({ status: 'pass', observed: 0 });
    // day = 1 + id % 5: day 5 for ids 4, 9, …, 99 (20 rows).
    expect(results['data.allowed.day']).toMatchObject({ status: 'fail', observed: 20, details: { offendingValues: [{ value: '5', count: 20 }] } });
  });

  it('allowed lists at most 10 offending values, most frequent first', async () => {
    const results = byId(await run(['allowed: { column: id, values: [1] }']));
    const details = results['data.allowed.id']?.details as { offendingValues: unknown[]; offendingDistinct: number };
    expect(details.offendingDistinct).toBe(99);
    expect(details.offendingValues).toHaveLength(10);
    expect(results['data.allowed.id']?.message).toMatch(/and 89 more\.$/);
  });

  it('unique and duplicates: 3 rows copied twice', async () => {
    const clean = statuses(await run(['unique: { column: id }', 'unique: { columns: [id, day] }', 'duplicates: { max-percent: 0 }']));
    expect(clean).toEqual({ 'data.unique.id': 'pass', 'data.unique.id+day': 'pass', 'data.duplicates': 'pass' });

    const results = byId(await run(['unique: { columns: [id, day] }', 'duplicates: { max-percent: 2 }', 'duplicates: { max-percent: 3 }', 'unique: { column: plan, where: "id <= 50" }'], { dataset: 'dups.csv' }));
    expect(results['data.unique.id+day']).toMatchObject({
      status: 'fail',
      observed: 3,
      details: { repeatedKeys: 3, rowsWithRepeatedKeys: 6, offendingValues: [{ value: '("1", "2")', count: 2 }, { value: '("2", "3")', count: 2 }, { value: '("3", "4")', count: 2 }] },
    });
    // 3 duplicates of 103 rows = 2.91 %.
    expect(results['data.duplicates']).toMatchObject({ status: 'fail', observed: '2.91%', details: { duplicateRows: 3, rows: 103 } });
    expect(results['data.duplicates#2']).toMatchObject({ status: 'pass' });
    // ids 1..50 and the 3 copies are all 'free': one key, 53 rows.
    expect(results['data.unique.plan']).toMatchObject({ status: 'fail', observed: 1, details: { rows: 53, offendingValues: [{ value: '"free"', count: 53 }] } });
  });

  it('unseen_categories: enterprise is unseen; trial has 2 training rows', async () => {
    const results = byId(await run(['unseen_categories: { column: plan }', 'unseen_categories: { column: plan, min-count: 3 }', 'unseen_categories: { column: country }'], { reference: 'prod.csv' }));
    expect(results['data.unseen_categories.plan']).toMatchObject({
      status: 'fail',
      observed: 1,
      details: { unseen: 1, rare: 0, offendingValues: [{ value: 'enterprise', count: 0 }], offending: [{ value: 'enterprise', trainingCount: 0, productionCount: 2 }] },
    });
    expect(results['data.unseen_categories.plan#2']).toMatchObject({
      status: 'fail',
      observed: 2,
      details: { unseen: 1, rare: 1, offendingValues: [{ value: 'enterprise', count: 0 }, { value: 'trial', count: 2 }] },
    });
    expect(results['data.unseen_categories.country']).toMatchObject({ status: 'pass', observed: 0 });
    expect([results['data.unseen_categories.plan']?.observedText, results['data.unseen_categories.plan']?.expectedText]).toEqual(['1 production category unseen in training', 'every one in training']);
    expect([results['data.unseen_categories.plan#2']?.observedText, results['data.unseen_categories.plan#2']?.expectedText]).toEqual(['2 production categories in < 3 training rows', 'every one in ≥ 3 training rows']);
  });

  it('unseen_categories with where: in the FR segment production sends enterprise once and training has none', async () => {
    const results = byId(await run(["unseen_categories: { column: plan, where: \"country = 'FR'\" }"], { reference: 'prod.csv' }));
    expect(results['data.unseen_categories.plan']?.details).toMatchObject({ offending: [{ value: 'enterprise', trainingCount: 0, productionCount: 1 }] });
  });

  it('severity warn reports a failure as warn', async () => {
    const results = byId(await run(['row_count: { min: 1000, severity: warn }']));
    expect(results['data.row_count']).toMatchObject({ status: 'warn', details: { severity: 'warn' } });
  });

  it('reads Parquet, a Parquet glob and NDJSON with the same answers as CSV', async () => {
    const checks = ['row_count: { min: 100, max: 100 }', 'missing: { column: age, max-count: 4 }', 'allowed: { column: plan, values: [free, pro, vip] }', 'range: { column: age, max: 120 }'];
    const expected = { 'data.row_count': 'pass', 'data.missing.age': 'pass', 'data.allowed.plan': 'fail', 'data.range.age': 'fail' };
    for (const dataset of ['train.csv', 'train.parquet', 'part-*.parquet', 'train.ndjson']) {
      const results = await run(checks, { dataset });
      expect({ dataset, statuses: statuses(results) }).toEqual({ dataset, statuses: expected });
      expect(byId(results)['data.allowed.plan']?.observed).toBe(5);
    }
  });

  it('runs the whole catalogue in one reference pass and two dataset passes, recorded in data.plan', async () => {
    const results = await run(
      [
        'row_count: { min: 10 }',
        'schema: { required: { age: numeric } }',
        'missing: { columns: [age, income], max-percent: 5 }',
        "range: { column: age, min: 0, max: 120, where: \"country = 'FR'\" }",
        'allowed: { column: plan, values: [free, pro, vip] }',
        'unique: { columns: [id, day] }',
        'duplicates: { max-percent: 1 }',
        'unseen_categories: { columns: [plan, country] }',
        'drift: { columns: all }',
      ],
      { reference: 'prod.csv' },
    );
    const plan = results[0];
    expect(plan).toMatchObject({ id: 'data.plan', status: 'info', observed: 3, details: { engine: 'duckdb', datasetPasses: 2, referencePasses: 1 } });
    const queries = (plan?.details as { queries: Array<{ pass: string; sql: string }> }).queries;
    expect(queries.map((q) => q.pass)).toEqual(['reference', 'dataset pass 1', 'dataset pass 2']);
    // Each pass reads its source once.
    expect(queries.map((q) => q.sql.match(/read_csv\(/g)?.length)).toEqual([1, 1, 1]);
  });

  it('a one-column unique key that does not repeat is settled in pass 1; one that repeats, or is NULL twice, in pass 2', async () => {
    const clean = await run(['unique: { column: id }']);
    expect(clean[0]).toMatchObject({ id: 'data.plan', observed: 1, details: { datasetPasses: 1 } });
    expect(byId(clean)['data.unique.id']).toMatchObject({ status: 'pass', message: 'id: all 100 keys are unique.', details: { rows: 100, repeatedKeys: 0, rowsWithRepeatedKeys: 0 } });
    write(dir, 'null-keys.csv', csv(['id', 'code'], [[1, 'a'], [2, null], [3, 'b'], [4, null], [5, 'c']]));
    const nulls = await run(['unique: { column: code }', "unique: { column: code, where: \"id <= 3\" }"], { dataset: 'null-keys.csv' });
    expect(nulls[0]).toMatchObject({ details: { datasetPasses: 2 } });
    expect(byId(nulls)['data.unique.code']).toMatchObject({ status: 'fail', details: { repeatedKeys: 1, rowsWithRepeatedKeys: 2, offendingValues: [{ value: 'null', key: [null], count: 2 }] } });
    expect(byId(nulls)['data.unique.code#2']).toMatchObject({ status: 'pass', details: { rows: 3, repeatedKeys: 0 } });
    // Only the repeating key is grouped.
    const grouped = (nulls[0]?.details as { queries: Array<{ pass: string; sql: string }> }).queries.find((q) => q.pass === 'dataset pass 2')?.sql;
    expect(grouped?.match(/GROUPING SETS \(\("__mrg_s0", "code"\)\)/)).not.toBeNull();
  });

  it('allowed, unseen_categories and drift read one histogram of a text column in pass 1, with no value list tested per row', async () => {
    const results = await run(['allowed: { column: plan, values: [free, pro, vip] }', 'unseen_categories: { column: plan }', 'drift: { columns: [plan] }'], { reference: 'prod.csv' });
    const pass1 = (results[0]?.details as { queries: Array<{ pass: string; sql: string }> }).queries.find((q) => q.pass === 'dataset pass 1')?.sql ?? '';
    expect(pass1.match(/histogram\(/g)).toHaveLength(1);
    expect(pass1).not.toMatch(/ IN \(/);
    expect(byId(results)['data.allowed.plan']).toMatchObject({ status: 'fail', observed: 5, details: { offendingDistinct: 2, offendingValues: [{ value: 'gold', count: 3 }, { value: 'trial', count: 2 }] } });
  });

  it('without unique or duplicates there is a single dataset pass and no reference pass', async () => {
    const results = await run(['row_count: { min: 10 }', 'missing: { column: age, max-count: 10 }']);
    expect(results[0]).toMatchObject({ id: 'data.plan', observed: 1, details: { datasetPasses: 1, referencePasses: 0 } });
  });
});

describe('drift inputs computed in SQL', () => {
  beforeAll(() => {
    // Reference: x = 1..100. Same: x = 1..100. Shifted: x = 51..150. Categories: a/b 50/50 vs 90/10.
    const rows = (offset: number, split: number) => Array.from({ length: 100 }, (_, i) => [i + 1 + offset, i < split ? 'a' : 'b']);
    write(dir, 'ref-x.csv', csv(['x', 'c'], rows(0, 50)));
    write(dir, 'same-x.csv', csv(['x', 'c'], rows(0, 50)));
    write(dir, 'shifted-x.csv', csv(['x', 'c'], rows(50, 90)));
  });

  it('identical samples have identical bins, CDFs and quantiles, and do not drift', async () => {
    const results = byId(await run(['drift: { columns: [x, c], method: psi }'], { dataset: 'same-x.csv', reference: 'ref-x.csv' }));
    const input = (results['data.drift.x']?.details as { input: Record<string, number[]> }).input;
    // Reference deciles, type 7 (numpy's default): 10.9, 20.8, …, 90.1.
    const deciles = [10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1];
    expect(input.binCuts).toHaveLength(9);
    input.binCuts?.forEach((c, i) => expect(c).toBeCloseTo(deciles[i] as number, 12));
    expect(input.datasetBinCounts).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(input.referenceBinCounts).toEqual(input.datasetBinCounts);
    // The grid: every reference value (quantiles at 1/1000 steps of 100 values) and the deciles.
    expect(input.grid).toHaveLength(109);
    expect(input.datasetCdf?.[input.grid?.indexOf(50) ?? -1]).toBe(0.5);
    expect(input.datasetCdf).toEqual(input.referenceCdf);
    expect(input.datasetCdfBelow).toEqual(input.referenceCdfBelow);
    expect(input.datasetCdfBelow?.[input.grid?.indexOf(50) ?? -1]).toBe(0.49);
    expect(results['data.drift.x']).toMatchObject({ status: 'pass', observed: 0 });
    expect(results['data.drift.c']).toMatchObject({ status: 'pass' });
  });

  it('a shift of half the range drifts: half the training values fall in the last reference bin', async () => {
    const results = byId(await run(['drift: { columns: [x, c], method: psi }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    const input = (results['data.drift.x']?.details as { input: Record<string, number[]> }).input;
    expect(input.datasetBinCounts).toEqual([0, 0, 0, 0, 0, 10, 10, 10, 10, 60]);
    expect(input.datasetCdf?.[input.grid?.indexOf(50) ?? -1]).toBe(0); // no training value ≤ 50
    expect(results['data.drift.x']?.status).toBe('fail');
    const categorical = (results['data.drift.c']?.details as { input: Record<string, unknown> }).input;
    expect(categorical).toMatchObject({ categories: ['a', 'b'], datasetCounts: [90, 10], referenceCounts: [50, 50] });
    expect(results['data.drift.c']?.status).toBe('fail');
  });

  it('reports the number each method decides on: the p-value for tests, the statistic for distances', async () => {
    const tests = byId(await run(['drift: { columns: [x, c], method: auto, correction: none }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    const ks = tests['data.drift.x']!;
    expect(ks.expected).toBe('p ≥ 0.05');
    expect(ks.observed).toBe(Number(((ks.details as { pValue: number }).pValue).toPrecision(4)));
    expect(ks.status).toBe('fail');
    expect(ks.observed as number).toBeLessThan(0.05);
    const distances = byId(await run(['drift: { columns: [x], method: psi }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    const psi = distances['data.drift.x']!;
    expect(psi.expected).toBe('< 0.2');
    expect(psi.observed).toBe(Number(((psi.details as { statistic: number }).statistic).toPrecision(4)));
  });

  it('says what observed and expected mean for each check, never a bare 0 against 0', async () => {
    const results = byId(
      await run([
        'row_count: { min: 101 }',
        'missing: { column: age, max-percent: 1 }',
        'missing: { column: age, max-count: 0 }',
        'range: { column: age, min: 0, max: 120 }',
        "range: { column: age, min: 0, max: 120, where: \"country = 'FR'\" }",
        'allowed: { column: plan, values: [free, pro, vip] }',
        'unique: { column: id }',
        'schema: { required: { id: integer, email: text }, forbidden: [country] }',
      ]),
    );
    const texts = (id: string) => [results[id]?.observedText, results[id]?.expectedText];
    expect(texts('data.row_count')).toEqual(['100 rows', '≥ 101 rows']);
    expect(texts('data.missing.age')).toEqual(['4% missing (4 of 100)', '≤ 1% missing']);
    expect(texts('data.missing.age#2')).toEqual(['4 missing (4% of 100)', 'none missing']);
    expect(texts('data.range.age')).toEqual(['1 value outside [0, 120] (min 18, max 130)', 'all within [0, 120]']);
    expect(results['data.range.age#2']?.observedText).toMatch(/^none outside \[0, 120\] \(min \d+, max \d+\)$/);
    expect(texts('data.allowed.plan')).toEqual(['5 values not allowed', 'only free, pro, vip']);
    expect(texts('data.unique.id')).toEqual(['all 100 keys unique', 'every key unique']);
    expect(texts('data.schema.id')).toEqual([expect.stringMatching(/^an integer column \(\w+\)$/), 'an integer column']);
    expect(texts('data.schema.email')).toEqual(['column absent', 'a text column']);
    expect(texts('data.schema.country')).toEqual(['column present', 'column absent (forbidden)']);
    expect(results['data.plan']).toMatchObject({ status: 'info', observedText: expect.stringMatching(/^\d+ quer(y|ies)$/) });
  });

  it('labels the drift number with what it is: a named statistic, or a p-value with its correction', async () => {
    const holm = byId(await run(['drift: { columns: [x, c], method: auto, correction: holm }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    expect(holm['data.drift.x']?.observedText).toMatch(/^p \(Holm-adjusted\) (< 0\.0001|0\.\d+)$/);
    expect(holm['data.drift.x']?.expectedText).toBe('p (Holm-adjusted) ≥ 0.05 (no drift)');
    const plain = byId(await run(['drift: { columns: [x], method: ks, correction: none }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    expect(plain['data.drift.x']?.observedText).toMatch(/^p (< 0\.0001|0\.\d+)$/);
    const psi = byId(await run(['drift: { columns: [x], method: psi }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    expect(psi['data.drift.x']?.observedText).toBe(`PSI ${psi['data.drift.x']?.observed}`);
    expect(psi['data.drift.x']?.expectedText).toBe('PSI < 0.2');
    const share = byId(await run(['drift: { columns: [x, c], method: psi, drift-share: 0.5 }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    expect(share['data.drift']).toMatchObject({ observedText: '2 of 2 columns drifted (100%)', expectedText: '< 50% of columns drifted' });
  });

  it('a segment with no reference value cannot be compared: drifted, with the reason', async () => {
    const results = byId(await run(['drift: { columns: [x], method: wasserstein, where: "x > 120" }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    expect(results['data.drift.x']).toMatchObject({ status: 'fail', observed: null });
    expect(results['data.drift.x']?.message).toContain('No non-null value in the reference');
  });

  it('drift-share: drifted columns warn and the share decides', async () => {
    const results = byId(await run(['drift: { columns: [x, c], method: psi, drift-share: 0.5 }'], { dataset: 'shifted-x.csv', reference: 'ref-x.csv' }));
    expect(results['data.drift.x']?.status).toBe('warn');
    expect(results['data.drift']).toMatchObject({ status: 'fail', observed: 1, expected: '< 0.5' });
  });
});

describe('the DuckDB engine', () => {
  it('runs a small input on one thread and goes back to its thread count after, even when the query fails', async () => {
    const engine = await DuckDbEngine.open(await loadDuckDb(), { threads: 2 });
    try {
      const threads = async () => Number((await engine.query("SELECT current_setting('threads') AS t"))[0]?.t);
      expect(await engine.query('SELECT current_setting(\'threads\') AS t', { smallInput: true })).toEqual([{ t: '1' }]);
      expect(await threads()).toBe(2);
      await expect(engine.query('SELECT nope', { smallInput: true })).rejects.toThrow(/nope/);
      expect(await threads()).toBe(2);
    } finally {
      await engine.close();
    }
  });
});

describe('bad input is an error naming the check and its config line', () => {
  const only = (results: CheckResult[]) => results.map((r) => [r.id, r.status, r.message]);

  it('a missing file, and an empty glob', async () => {
    expect(only(await run(['row_count: { min: 1 }'], { dataset: 'nope.csv' }))).toEqual([
      ['data.dataset', 'error', `model-release.yml:2 data.dataset: file not found: ${join(dir, 'nope.csv')}`],
    ]);
    expect(only(await run(['row_count: { min: 1 }'], { dataset: 'nope/*.parquet' }))).toEqual([
      ['data.dataset', 'error', `model-release.yml:2 data.dataset: no file matches ${join(dir, 'nope/*.parquet')}`],
    ]);
  });

  it('a path that cannot be read as a file', async () => {
    mkdirSync(join(dir, 'folder.csv'), { recursive: true });
    expect(only(await run(['row_count: { min: 1 }'], { dataset: 'folder.csv' }))).toEqual([
      ['data.dataset', 'error', `model-release.yml:2 data.dataset: ${join(dir, 'folder.csv')} is not a file`],
    ]);
  });

  it('ragged CSV rows, found by the sniffer or during the scan', async () => {
    write(dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n7,8,9\n');
    expect(only(await run(['row_count: { min: 1 }'], { dataset: 'ragged.csv' }))).toEqual([
      ['data.dataset', 'error', `model-release.yml:2 data.dataset: ${join(dir, 'ragged.csv')}: ragged CSV row at line 3: 2 fields where the header has 3`],
    ]);
    const long = ['a,b,c', ...Array.from({ length: 30000 }, (_, i) => `${i},2,3`), '7,8', '1,2,3'].join('\n') + '\n';
    write(dir, 'ragged-late.csv', long);
    expect(only(await run(['row_count: { min: 1 }'], { dataset: 'ragged-late.csv' }))).toEqual([
      ['data.dataset', 'error', `model-release.yml:2 data.dataset: ${join(dir, 'ragged-late.csv')}: ragged CSV row at line 30002: 2 fields where the header has 3`],
    ]);
  });

  it('an unknown column, with a suggestion', async () => {
    expect(only(await run(['row_count: { min: 1 }', 'missing: { columns: [agee] }']))).toEqual([
      ['data.missing', 'error', "model-release.yml:5 data.checks.1.missing: column 'agee' is not in the dataset train.csv; did you mean 'age'?"],
    ]);
  });

  it('a range on a text column', async () => {
    expect(only(await run(['range: { column: plan, min: 0 }']))).toEqual([
      ['data.range', 'error', "model-release.yml:4 data.checks.0.range: range needs a numeric column; 'plan' is VARCHAR (text); use allowed for categories"],
    ]);
  });

  it('a where that does not bind, or is not a condition', async () => {
    const results = await run(["range: { column: age, min: 0, where: \"contry = 'FR'\" }", 'row_count: { min: 1, where: "age + 1" }', 'row_count: { min: 1, where: "1=1; DROP TABLE x" }']);
    expect(results.map((r) => r.message)).toEqual([
      expect.stringMatching(/^model-release\.yml:4 data\.checks\.0\.range: where: "contry = 'FR'" is not a valid condition on the dataset: Binder Error: Referenced column "contry" not found/),
      'model-release.yml:5 data.checks.1.row_count: where: must be a condition (true or false), but "age + 1" is BIGINT',
      "model-release.yml:6 data.checks.2.row_count: where: must be one SQL condition, without ';'",
    ]);
  });

  it('an empty dataset', async () => {
    write(dir, 'empty.csv', 'id,age\n');
    expect(only(await run(['row_count: { min: 0 }'], { dataset: 'empty.csv' }))).toEqual([
      ['data.dataset', 'error', 'model-release.yml:2 data.dataset: empty.csv: the dataset has no rows; there is nothing to check'],
    ]);
  });

  it('a reference with no column in common, and checks that need a reference', async () => {
    write(dir, 'other.csv', 'x,y\n1,2\n');
    const results = await run(['drift: { columns: all }'], { reference: 'other.csv' });
    expect(only(results)).toEqual([
      ['data.reference', 'error', 'model-release.yml:3 data.reference: the reference other.csv shares no column with the dataset train.csv; compare samples of the same table'],
      ['data.drift', 'error', 'model-release.yml:5 data.checks.0.drift: the dataset and the reference share no numeric, text or boolean column to compare'],
    ]);
    expect(only(await run(['unseen_categories: { column: plan }']))).toEqual([
      ['data.unseen_categories', 'error', 'model-release.yml:4 data.checks.0.unseen_categories: needs data.reference (a production sample to compare the dataset with)'],
    ]);
  });

  it('a file whose format cannot be told from its extension', async () => {
    expect(only(await run(['row_count: { min: 1 }'], { dataset: 'train.data' }))).toEqual([
      ['data.dataset', 'error', 'model-release.yml:2 data.dataset: cannot tell the format of train.data from its extension; set data.format to csv, parquet or json'],
    ]);
  });
});
