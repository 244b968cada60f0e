/**
 * Which columns a drift check compares, and how (issue #17), on real CSV files with a real DuckDB:
 * ids are inferred and not drifted (and the report says so), `columns.categorical` gives an
 * integer-coded category the categorical test, `columns.numeric` drifts an id-looking column
 * anyway, `exclude` and `columns.id` are honoured, and a misspelt column is an input error.
 */
import { rmSync } from 'node:fs';
import { runDataGate } from '../../../src/data/gate.js';
import type { CheckResult } from '../../../src/report/result.js';
import { CONFIG_FILE, csv, dataConfig, workspace, write } from './fixtures.js';

let dir: string;

/**
 * Training: 200 rows.
 * - customer_id 1..200 (integer, all distinct: an id); session 's0001'… (text, all distinct)
 * - store 1 + i % 5 (an integer-coded category, 40 rows each); age 18 + i % 50; plan free/pro
 * - amount 1000·i (integer, all distinct, but a measurement); label i % 2; train_only (training only)
 * Production: 100 rows, other customers (1001..1100: a KS D of 1 if it were compared), store 1
 * twice as often, the same ages, plans and labels, amounts up to 300,000 (training: 200,000).
 */
const TRAIN_HEADER = ['customer_id', 'session', 'store', 'age', 'plan', 'amount', 'label', 'train_only'];
const PROD_HEADER = ['customer_id', 'session', 'store', 'age', 'plan', 'amount', 'label'];

function trainRows(): Array<Array<string | number>> {
  return Array.from({ length: 200 }, (_, k) => {
    const i = k + 1;
    return [i, `s${String(i).padStart(4, '0')}`, 1 + (i % 5), 18 + (i % 50), i % 3 === 0 ? 'pro' : 'free', 1000 * i, i % 2, i];
  });
}

function prodRows(store: (i: number) => string | number): Array<Array<string | number>> {
  return Array.from({ length: 100 }, (_, k) => {
    const i = k + 1;
    return [1000 + i, `p${String(i).padStart(4, '0')}`, store(i), 18 + (i % 50), i % 3 === 0 ? 'pro' : 'free', 3000 * i, i % 2];
  });
}

/** Store 1 in 40 of 100 rows (training: 20 %), the others 15 each. */
const skewedStore = (i: number): number => (i <= 40 ? 1 : 2 + (i % 4));

beforeAll(() => {
  dir = workspace();
  write(dir, 'train.csv', csv(TRAIN_HEADER, trainRows()));
  write(dir, 'prod.csv', csv(PROD_HEADER, prodRows(skewedStore)));
  // The same production sample with store written 1.0, 2.0…: read as DOUBLE, not BIGINT.
  write(dir, 'prod-decimal.csv', csv(PROD_HEADER, prodRows((i) => `${skewedStore(i)}.0`)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one drift check (on line 5 of the config) of train.csv against a production sample. */
async function run(check: string, reference = 'prod.csv'): Promise<CheckResult[]> {
  const config = dataConfig('data:', '  dataset: train.csv', `  reference: ${reference}`, '  checks:', `    - drift: ${check}`);
  return runDataGate(config, { workspace: dir, configFile: CONFIG_FILE });
}

function byId(results: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

/** The drift results as [id, status], in report order. */
function statuses(results: CheckResult[]): Array<[string, string]> {
  return results.filter((r) => r.id.startsWith('data.drift')).map((r) => [r.id, r.status]);
}

function inputKind(result: CheckResult | undefined): string | undefined {
  return (result?.details as { input?: { kind: string } } | undefined)?.input?.kind;
}

function datasetSql(results: CheckResult[]): string {
  const queries = (results[0]?.details as { queries: Array<{ pass: string; sql: string }> }).queries;
  return queries.find((q) => q.pass === 'dataset pass 1')?.sql ?? '';
}

describe('columns: all', () => {
  it('infers the ids (integer and text columns whose 200 values are all distinct): not drifted, and says so', async () => {
    const results = await run('{ columns: all, correction: none }');
    const r = byId(results);
    expect(r['data.drift.customer_id']).toMatchObject({
      status: 'skip',
      observed: 200,
      message: 'customer_id looks like an id (all 200 values distinct): not drifted; list it under columns.numeric to drift it anyway.',
      details: { inferredId: true, distinctValues: 200 },
    });
    expect(r['data.drift.session']).toMatchObject({
      status: 'skip',
      message: 'session looks like an id (all 200 values distinct): not drifted; list it under columns.categorical to drift it anyway.',
    });
    // amount is all distinct too: the rule cannot tell a measurement from an id (columns.numeric can).
    expect(r['data.drift.amount']?.status).toBe('skip');
    // The others are compared, in the dataset's column order; train_only is not in production.
    expect(statuses(results)).toEqual([
      ['data.drift.customer_id', 'skip'],
      ['data.drift.session', 'skip'],
      ['data.drift.store', 'fail'],
      ['data.drift.age', 'pass'],
      ['data.drift.plan', 'pass'],
      ['data.drift.amount', 'skip'],
      ['data.drift.label', 'pass'],
    ]);
    // An integer column is numeric by default: KS on its values (store 1 twice as frequent shows there too).
    expect(inputKind(r['data.drift.store'])).toBe('numeric');
    expect(r['data.drift.store']?.message).toMatch(/^store: KS D /);
  });

  it('decides in the dataset pass it already runs: count(DISTINCT) for integer candidates only, no extra query', async () => {
    const results = await run('{ columns: all }');
    expect(results[0]).toMatchObject({ id: 'data.plan', observed: 2, details: { datasetPasses: 1, referencePasses: 1 } });
    const sql = datasetSql(results);
    for (const name of ['customer_id', 'store', 'age', 'amount', 'label']) expect(sql).toContain(`count(DISTINCT "${name}")`);
    // Text: the top values the categorical test counts already tell (the most frequent value occurs once).
    expect(sql).not.toContain('count(DISTINCT "session")');
    expect(sql).not.toContain('count(DISTINCT "plan")');
  });

  it('an id column listed explicitly is compared as given (and drifts: other customers)', async () => {
    const r = byId(await run('{ columns: [customer_id, store] }'));
    expect(r['data.drift.customer_id']?.status).toBe('fail');
    expect(r['data.drift.customer_id']?.message).toMatch(/^customer_id: KS D 1 /);
  });

  it('needs at least 20 values: 20 distinct ones are an id, 19 are compared', async () => {
    const twenty = byId(await run('{ columns: all, where: "customer_id <= 20 OR customer_id > 1000" }'));
    expect(twenty['data.drift.customer_id']).toMatchObject({
      status: 'skip',
      message: `customer_id looks like an id (all 20 values distinct): not drifted; list it under columns.numeric to drift it anyway. (where customer_id <= 20 OR customer_id > 1000)`,
    });
    const nineteen = byId(await run('{ columns: all, where: "customer_id <= 19 OR customer_id > 1000" }'));
    expect(nineteen['data.drift.customer_id']?.status).toBe('fail');
    expect(nineteen['data.drift.customer_id']?.message).toMatch(/^customer_id: KS D 1 \(19 vs 100 values\)/);
  });

  it('a column with repeated values is not an id', async () => {
    // age: 50 distinct values in 200 rows; label: 2.
    const r = byId(await run('{ columns: all }'));
    expect(r['data.drift.age']?.status).toBe('pass');
    expect(r['data.drift.label']?.status).toBe('pass');
  });

  it('drift-share counts only the compared columns', async () => {
    const r = byId(await run('{ columns: all, drift-share: 0.5 }'));
    expect(r['data.drift']?.message).toBe('1 of 4 columns drifted (25%), below the drift share 50%.');
    expect(r['data.drift']?.details).toMatchObject({ total: 4 });
  });
});

describe('exclude', () => {
  it('leaves the excluded columns out, including one only the dataset has', async () => {
    const results = await run('{ columns: all, exclude: [label, store, train_only] }');
    expect(statuses(results)).toEqual([
      ['data.drift.customer_id', 'skip'],
      ['data.drift.session', 'skip'],
      ['data.drift.age', 'pass'],
      ['data.drift.plan', 'pass'],
      ['data.drift.amount', 'skip'],
    ]);
    // Not read either.
    expect(datasetSql(results)).not.toContain('"label"');
  });

  it('a misspelt excluded column is an input error naming it, with a guess', async () => {
    const results = await run('{ columns: all, exclude: [lable] }');
    expect(results.map((r) => [r.id, r.status, r.cause, r.message])).toEqual([
      [
        'data.drift',
        'error',
        'input',
        "model-release.yml:5 data.checks.0.drift: exclude: column 'lable' is in neither the dataset train.csv nor the reference prod.csv; did you mean 'label'?",
      ],
    ]);
  });

  it('an excluded name with no close column lists the columns', async () => {
    const [result] = await run('{ columns: all, exclude: [zzzzzz] }');
    expect(result?.message).toBe(
      "model-release.yml:5 data.checks.0.drift: exclude: column 'zzzzzz' is in neither the dataset train.csv nor the reference prod.csv; the columns are customer_id, session, store, age, plan, amount, label, train_only",
    );
  });

  it('excluding every shared column leaves nothing to compare: an input error', async () => {
    const [result] = await run('{ columns: { id: [customer_id, session] }, exclude: [store, age, plan, amount, label] }');
    expect(result).toMatchObject({
      status: 'error',
      cause: 'input',
      message:
        'model-release.yml:5 data.checks.0.drift: every column the dataset and the reference share (customer_id, session, store, age, plan, amount, label) is excluded or under columns.id: nothing is left to compare',
    });
  });
});

describe('columns: { id, categorical, numeric }', () => {
  it('is every column with these overrides: an integer-coded category gets chi-square, an id-looking measurement KS', async () => {
    const results = await run('{ columns: { id: [session], categorical: [store], numeric: [amount] }, exclude: [label], correction: none }');
    const r = byId(results);
    expect(statuses(results)).toEqual([
      // Not listed: still inferred.
      ['data.drift.customer_id', 'skip'],
      // session: under columns.id, not drifted and no note; label excluded.
      ['data.drift.store', 'fail'],
      ['data.drift.age', 'pass'],
      ['data.drift.plan', 'pass'],
      ['data.drift.amount', 'fail'],
    ]);
    const store = r['data.drift.store']!;
    expect(inputKind(store)).toBe('categorical');
    expect((store.details as { input: { categories: string[]; referenceCounts: number[] } }).input).toMatchObject({
      categories: ['1', '2', '3', '4', '5'],
      referenceCounts: [40, 15, 15, 15, 15],
    });
    expect(store.message).toMatch(/^store: Chi-square [\d.]+ \(dof 4, 5 categories, 200 vs 100 values\), p [\d.e-]+ < α 0\.05\. \[auto: effective n 67 ≤ 1000 → test\]$/);
    // amount's 200 distinct values are compared as numbers (production's reach 300,000).
    expect(inputKind(r['data.drift.amount'])).toBe('numeric');
    expect(r['data.drift.amount']?.message).toMatch(/^amount: KS D /);
    // Fixed kinds get no distinct count; the inferred candidates keep theirs.
    const sql = datasetSql(results);
    expect(sql).not.toContain('count(DISTINCT "store")');
    expect(sql).not.toContain('count(DISTINCT "amount")');
    expect(sql).toContain('count(DISTINCT "customer_id")');
    expect(sql).not.toContain('"session"');
  });

  it('an integer category against the same values written as decimals: the same categories', async () => {
    const r = byId(await run('{ columns: { categorical: [store] } }', 'prod-decimal.csv'));
    const input = (r['data.drift.store']?.details as { input: { categories: string[]; referenceCounts: number[]; datasetCounts: number[] } }).input;
    expect(input).toMatchObject({ categories: ['1.0', '2.0', '3.0', '4.0', '5.0'], referenceCounts: [40, 15, 15, 15, 15], datasetCounts: [40, 40, 40, 40, 40] });
  });

  it('a method for numbers refuses a column forced categorical', async () => {
    const results = await run('{ columns: { categorical: [store] }, exclude: [session, plan], method: ks }');
    expect(results.map((r) => r.message)).toEqual([
      "model-release.yml:5 data.checks.0.drift: method 'ks' needs numeric columns; 'store' is categorical (use psi, chi2 or jensen-shannon)",
    ]);
  });

  it('columns that are not there, or not numbers, are input errors naming the key', async () => {
    const results = await run('{ columns: { id: [custmer_id], categorical: [train_only], numeric: [plan, agee] } }');
    expect(results.map((r) => [r.status, r.cause, r.message])).toEqual([
      ['error', 'input', "model-release.yml:5 data.checks.0.drift: columns.id: column 'custmer_id' is in neither the dataset train.csv nor the reference prod.csv; did you mean 'customer_id'?"],
      ['error', 'input', "model-release.yml:5 data.checks.0.drift: columns.categorical: column 'train_only' is not in the reference prod.csv; its columns are customer_id, session, store, age, plan, amount, label"],
      ['error', 'input', "model-release.yml:5 data.checks.0.drift: columns.numeric: 'plan' is VARCHAR in the dataset train.csv, not a number; list it under columns.categorical or leave it out"],
      ['error', 'input', "model-release.yml:5 data.checks.0.drift: columns.numeric: column 'agee' is not in the dataset train.csv; did you mean 'age'?"],
    ]);
  });
});
