/**
 * Input errors of the data gate on real files with a real DuckDB: a dataset or reference that
 * is missing, ragged, holds NaN in a float column or a non-number among numbers, and a check
 * naming a column the file lacks. Each is an `error` result with `cause: 'input'` (exit 2 in the
 * pipeline, input-exit-codes.test.ts) whose message names the file and the facts needed to fix
 * it; nothing is judged. The same files without the bad value give no input error.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runDataGate } from '../../../src/data/gate.js';
import type { CheckResult } from '../../../src/report/result.js';
import { CONFIG_FILE, dataConfig, numberedCsv, workspace, write, writeParquet } from './fixtures.js';

let dir: string;

beforeAll(() => {
  dir = workspace();
  write(dir, 'clean.csv', floats(10));
  write(dir, 'clean-ref.csv', floats(10));
  write(dir, 'ref-nan.csv', floats(10, [3], 'nan'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run a config whose `data:` section has these check lines (check i on line 4 + i, or 5 + i with a reference). */
async function run(checks: string[], options: { dataset: string; reference?: string }): Promise<CheckResult[]> {
  const config = dataConfig(
    'data:',
    `  dataset: ${options.dataset}`,
    ...(options.reference ? [`  reference: ${options.reference}`] : []),
    '  checks:',
    ...checks.map((c) => `    - ${c}`),
  );
  return runDataGate(config, { workspace: dir, configFile: CONFIG_FILE });
}

/** The results, each of which must be an input error: [id, message, config line]. */
function inputErrors(results: CheckResult[]): Array<[string, string, number | undefined]> {
  for (const r of results) expect({ id: r.id, gate: r.gate, status: r.status, cause: r.cause }).toEqual({ id: r.id, gate: 'data', status: 'error', cause: 'input' });
  return results.map((r) => [r.id, r.message, r.location?.line]);
}

/** x = i + 0.5 at data row i, NaN at the rows given. */
function floats(n: number, nanRows: number[] = [], nan = 'NaN'): string {
  return numberedCsv('id,x', n, (i) => `${i},${nanRows.includes(i) ? nan : i + 0.5}`);
}

const NAN_ADVICE = 'NaN is not a number, so no check can judge it (leave the field empty for a missing value)';

describe('a clean file is judged, not an input error', () => {
  it('the same float column without NaN: the range check runs and passes', async () => {
    const results = await run(['range: { column: x, min: 0, max: 100 }'], { dataset: 'clean.csv' });
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    expect(results.some((r) => r.cause !== undefined)).toBe(false);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['data.plan', 'info'],
      ['data.range.x', 'pass'],
    ]);
  });

  it('the same reference without NaN: drift runs', async () => {
    const results = await run(['drift: { columns: [x], method: psi }'], { dataset: 'clean.csv', reference: 'clean-ref.csv' });
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    expect(results.find((r) => r.id === 'data.drift.x')?.status).toBe('pass');
  });
});

describe('NaN in a float column', () => {
  it('of the dataset: names the file, the column, the count and the first data row', async () => {
    write(dir, 'nan.csv', floats(10, [4, 7]));
    const results = await run(['range: { column: x, min: 0, max: 100 }'], { dataset: 'nan.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: nan.csv: column 'x' has 2 NaN values, the first at data row 4; ${NAN_ADVICE}`, 2],
    ]);
  });

  it('is an input error whatever check reads the column (missing would not count NaN as missing)', async () => {
    write(dir, 'nan-one.csv', floats(10, [9]));
    const results = await run(['missing: { column: x, max-count: 0 }'], { dataset: 'nan-one.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: nan-one.csv: column 'x' has 1 NaN value, the first at data row 9; ${NAN_ADVICE}`, 2],
    ]);
  });

  it('of the reference (written `nan`): names the reference, the column, the count and the first data row', async () => {
    const results = await run(['drift: { columns: [x], method: psi }'], { dataset: 'clean.csv', reference: 'ref-nan.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.reference', `model-release.yml:3 data.reference: ref-nan.csv: column 'x' has 1 NaN value, the first at data row 3; ${NAN_ADVICE}`, 3],
    ]);
  });

  it('of the reference, for drift over all columns', async () => {
    const results = await run(['drift: { columns: all }'], { dataset: 'clean.csv', reference: 'ref-nan.csv' });
    expect(inputErrors(results).map(([id, message]) => [id, message])).toEqual([
      ['data.reference', `model-release.yml:3 data.reference: ref-nan.csv: column 'x' has 1 NaN value, the first at data row 3; ${NAN_ADVICE}`],
    ]);
  });

  it('one error per column, each with its own first row', async () => {
    write(dir, 'nan-two.csv', numberedCsv('id,x,y', 10, (i) => `${i},${i === 4 ? 'NaN' : i + 0.5},${i === 8 || i === 9 ? 'NaN' : i + 0.25}`));
    const results = await run(['range: { columns: [x, y], min: 0 }'], { dataset: 'nan-two.csv' });
    expect(inputErrors(results).map(([id, message]) => [id, message])).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: nan-two.csv: column 'x' has 1 NaN value, the first at data row 4; ${NAN_ADVICE}`],
      ['data.dataset#2', `model-release.yml:2 data.dataset: nan-two.csv: column 'y' has 2 NaN values, the first at data row 8; ${NAN_ADVICE}`],
    ]);
  });

  it('in Parquet (DOUBLE and FLOAT columns), with the row in file order', async () => {
    await writeParquet(
      dir,
      'nan.parquet',
      "SELECT i AS id, CASE WHEN i IN (3, 8) THEN 'NaN'::DOUBLE ELSE i + 0.5 END AS x, CASE WHEN i = 5 THEN 'NaN'::FLOAT ELSE i::FLOAT END AS f FROM range(1, 11) t(i) ORDER BY i",
    );
    const results = await run(['range: { columns: [x, f], min: 0, max: 100 }'], { dataset: 'nan.parquet' });
    expect(inputErrors(results).map(([id, message]) => [id, message])).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: nan.parquet: column 'x' has 2 NaN values, the first at data row 3; ${NAN_ADVICE}`],
      ['data.dataset#2', `model-release.yml:2 data.dataset: nan.parquet: column 'f' has 1 NaN value, the first at data row 5; ${NAN_ADVICE}`],
    ]);
    // The same file without NaN is judged.
    await writeParquet(dir, 'clean.parquet', 'SELECT i AS id, i + 0.5 AS x, i::FLOAT AS f FROM range(1, 11) t(i) ORDER BY i');
    const clean = await run(['range: { columns: [x, f], min: 0, max: 100 }'], { dataset: 'clean.parquet' });
    expect(clean.map((r) => [r.id, r.status])).toEqual([
      ['data.plan', 'info'],
      ['data.range.x', 'pass'],
      ['data.range.f', 'pass'],
    ]);
  });

  it('in one file of a glob: names that file and the row in it', async () => {
    mkdirSync(join(dir, 'parts'), { recursive: true });
    write(dir, 'parts/p1.csv', floats(5));
    write(dir, 'parts/p2.csv', floats(5, [3]));
    const results = await run(['range: { column: x, min: 0 }'], { dataset: 'parts/*.csv' });
    expect(inputErrors(results).map(([id, message]) => [id, message])).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: parts/*.csv: column 'x' has 1 NaN value, the first at data row 3 of ${join(dir, 'parts/p2.csv')}; ${NAN_ADVICE}`],
    ]);
  });

  it('in the middle of a large file: the row is counted in file order', async () => {
    write(dir, 'nan-large.csv', floats(300_000, [250_000, 260_000]));
    const results = await run(['range: { column: x, min: 0 }'], { dataset: 'nan-large.csv' });
    expect(inputErrors(results).map(([, message]) => message)).toEqual([
      `model-release.yml:2 data.dataset: nan-large.csv: column 'x' has 2 NaN values, the first at data row 250000; ${NAN_ADVICE}`,
    ]);
  });

  it('past the rows the sniffer samples, in a column of integers: names the line, the column and the value', async () => {
    write(dir, 'nan-late-int.csv', numberedCsv('id,x', 30_000, (i) => `${i},${i === 25_000 ? 'NaN' : i}`));
    const results = await run(['range: { column: x, min: 0 }'], { dataset: 'nan-late-int.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: ${join(dir, 'nan-late-int.csv')}: line 25001: column 'x' has "NaN", which is not a BIGINT like the values before it`, 2],
    ]);
  });
});

describe('infinity in a float column', () => {
  it.each(['inf', '-inf', 'Infinity'])('written `%s`: names the file, the column, the count, the first value and its row', async (written) => {
    write(dir, 'inf.csv', floats(10, [6, 9], written));
    const results = await run(['missing: { column: x, max-count: 0 }'], { dataset: 'inf.csv' });
    const value = written.startsWith('-') ? '-inf' : 'inf';
    expect(inputErrors(results)).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: inf.csv: column 'x' has 2 infinite values, the first ${value} at data row 6; only finite numbers can be checked (leave the field empty for a missing value)`, 2],
    ]);
  });

  it('a range check over it stops as an input error: never "values from -Infinity to null"', async () => {
    write(dir, 'neg-inf.csv', floats(10, [3], '-inf'));
    const results = await run(['range: { column: x, min: 0, max: 100 }'], { dataset: 'neg-inf.csv' });
    expect(inputErrors(results)).toHaveLength(1);
    expect(results.some((r) => r.id.startsWith('data.range'))).toBe(false);
    const shown = results.flatMap((r) => [r.message, r.observedText ?? '', r.expectedText ?? '']).join('\n');
    expect(shown).not.toMatch(/Infinity|\bnull\b|NaN/);
  });

  it('in the reference, beside NaN in the same column: both named', async () => {
    write(dir, 'ref-both.csv', numberedCsv('id,x', 10, (i) => `${i},${i === 2 ? 'nan' : i === 5 ? 'inf' : i + 0.5}`));
    const results = await run(['drift: { columns: [x], method: psi }'], { dataset: 'clean.csv', reference: 'ref-both.csv' });
    expect(inputErrors(results).map(([, message]) => message.replace(/^.*ref-both\.csv: /, ''))).toEqual([
      `column 'x' has 1 NaN value, the first at data row 2; ${NAN_ADVICE}`,
      "column 'x' has 1 infinite value, the first inf at data row 5; only finite numbers can be checked (leave the field empty for a missing value)",
    ]);
  });
});

describe('a value that is not a number where a range check reads numbers', () => {
  it('`abc` among numbers: names the file, the column, the data row and the value', async () => {
    write(dir, 'abc.csv', numberedCsv('id,x', 10, (i) => `${i},${i === 6 ? 'abc' : i + 0.5}`));
    const results = await run(['range: { column: x, min: 0, max: 100 }'], { dataset: 'abc.csv' });
    expect(inputErrors(results)).toEqual([
      [
        'data.range',
        `model-release.yml:4 data.checks.0.range: range needs numbers, but abc.csv column 'x' was read as text: data row 6 has "abc", which is not a number (the only one of its 10 values that is not); fix the file, or leave the field empty for a missing value`,
        4,
      ],
    ]);
  });

  it('several: counts them and names the first', async () => {
    write(dir, 'abc-two.csv', numberedCsv('id,x', 10, (i) => `${i},${i === 3 ? 'n/a' : i === 8 ? 'abc' : i + 0.5}`));
    const [result] = inputErrors(await run(['range: { column: x, min: 0 }'], { dataset: 'abc-two.csv' }));
    expect(result?.[1]).toContain(`abc-two.csv column 'x' was read as text: data row 3 has "n/a", which is not a number (2 of its 10 values are not numbers)`);
  });

  it('past the rows the sniffer samples: names the line, the column and the value', async () => {
    write(dir, 'abc-late.csv', numberedCsv('id,x', 30_000, (i) => `${i},${i === 25_000 ? 'abc' : i + 0.5}`));
    const results = await run(['range: { column: x, min: 0 }'], { dataset: 'abc-late.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: ${join(dir, 'abc-late.csv')}: line 25001: column 'x' has "abc", which is not a DOUBLE like the values before it`, 2],
    ]);
  });

  it('a column of categories (no number at all) is a config error at the check, still an input error', async () => {
    write(dir, 'plans.csv', numberedCsv('id,plan', 4, (i) => `${i},${i % 2 === 0 ? 'free' : 'pro'}`));
    const results = await run(['range: { column: plan, min: 0 }'], { dataset: 'plans.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.range', "model-release.yml:4 data.checks.0.range: range needs a numeric column; 'plan' is VARCHAR (text); use allowed for categories", 4],
    ]);
  });
});

describe('a ragged CSV row', () => {
  it('past the rows the sniffer samples: names the file, the line and the field counts', async () => {
    write(dir, 'ragged-late.csv', numberedCsv('id,x,y', 30_000, (i) => (i === 25_000 ? `${i},1.5` : `${i},${i + 0.5},z`)));
    const results = await run(['row_count: { min: 1 }'], { dataset: 'ragged-late.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.dataset', `model-release.yml:2 data.dataset: ${join(dir, 'ragged-late.csv')}: ragged CSV row at line 25001: 2 fields where the header has 3`, 2],
    ]);
  });

  it('a row with too many fields in the reference, past the sample', async () => {
    write(dir, 'ref-ragged.csv', numberedCsv('id,x', 30_000, (i) => (i === 29_000 ? `${i},1.5,extra` : `${i},${i + 0.5}`)));
    const results = await run(['drift: { columns: [x], method: psi }'], { dataset: 'clean.csv', reference: 'ref-ragged.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.reference', `model-release.yml:3 data.reference: ${join(dir, 'ref-ragged.csv')}: ragged CSV row at line 29001: 3 fields where the header has 2`, 3],
    ]);
  });

  it('within the rows the sniffer samples: names the file and the line (DuckDB\'s rejects table)', async () => {
    write(dir, 'ragged.csv', numberedCsv('id,x', 10, (i) => (i === 3 ? `${i}` : `${i},${i + 0.5}`)));
    const results = await run(['row_count: { min: 1 }'], { dataset: 'ragged.csv' });
    expect(inputErrors(results)).toEqual([['data.dataset', `model-release.yml:2 data.dataset: ${join(dir, 'ragged.csv')}: ragged CSV row at line 4: 1 field where the header has 2`, 2]]);
  });

  it('within the sample of the reference, and in one file of a glob', async () => {
    write(dir, 'ref-short.csv', numberedCsv('id,x', 10, (i) => (i === 7 ? `${i},1.5,extra` : `${i},${i + 0.5}`)));
    const reference = await run(['drift: { columns: [x], method: psi }'], { dataset: 'clean.csv', reference: 'ref-short.csv' });
    expect(inputErrors(reference)).toEqual([['data.reference', `model-release.yml:3 data.reference: ${join(dir, 'ref-short.csv')}: ragged CSV row at line 8: 3 fields where the header has 2`, 3]]);
    mkdirSync(join(dir, 'parts'), { recursive: true });
    write(dir, 'parts/a.csv', numberedCsv('id,x', 5, (i) => `${i},${i + 0.5}`));
    write(dir, 'parts/b.csv', numberedCsv('id,x', 5, (i) => (i === 2 ? `${i}` : `${i},${i + 0.5}`)));
    const glob = await run(['row_count: { min: 1 }'], { dataset: 'parts/*.csv' });
    expect(inputErrors(glob)).toEqual([['data.dataset', `model-release.yml:2 data.dataset: ${join(dir, 'parts/b.csv')}: ragged CSV row at line 3: 1 field where the header has 2`, 2]]);
  });
});

describe('a check naming a column the file does not have', () => {
  beforeAll(() => {
    write(dir, 'people.csv', numberedCsv('age,plan', 5, (i) => `${20 + i},free`));
    write(dir, 'people-prod.csv', numberedCsv('agee,plan', 5, (i) => `${30 + i},pro`));
  });

  it('in the dataset: names the check, its line, the file and the closest column', async () => {
    const results = await run(['row_count: { min: 1 }', 'missing: { column: agee }'], { dataset: 'people.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.missing', "model-release.yml:5 data.checks.1.missing: column 'agee' is not in the dataset people.csv; did you mean 'age'?", 5],
    ]);
  });

  it('with nothing close: lists the columns', async () => {
    const results = await run(['range: { column: income, min: 0 }'], { dataset: 'people.csv' });
    expect(inputErrors(results).map(([, message]) => message)).toEqual(["model-release.yml:4 data.checks.0.range: column 'income' is not in the dataset people.csv; its columns are age, plan"]);
  });

  it('in the reference: says the reference, not the dataset', async () => {
    const results = await run(['drift: { columns: [age] }'], { dataset: 'people.csv', reference: 'people-prod.csv' });
    expect(inputErrors(results)).toEqual([
      ['data.drift', "model-release.yml:5 data.checks.0.drift: column 'age' is not in the reference people-prod.csv; did you mean 'agee'?", 5],
    ]);
  });
});

describe('a missing file', () => {
  it('the dataset: names the file', async () => {
    const results = await run(['row_count: { min: 1 }'], { dataset: 'nope.csv' });
    expect(inputErrors(results)).toEqual([['data.dataset', `model-release.yml:2 data.dataset: file not found: ${join(dir, 'nope.csv')}`, 2]]);
  });

  it('the reference: names the file', async () => {
    const results = await run(['drift: { columns: [x] }'], { dataset: 'clean.csv', reference: 'prod/nope.parquet' });
    expect(inputErrors(results)).toEqual([['data.reference', `model-release.yml:3 data.reference: file not found: ${join(dir, 'prod/nope.parquet')}`, 3]]);
  });

  it('a glob that matches nothing', async () => {
    const results = await run(['row_count: { min: 1 }'], { dataset: 'none/*.parquet' });
    expect(inputErrors(results)).toEqual([['data.dataset', `model-release.yml:2 data.dataset: no file matches ${join(dir, 'none/*.parquet')}`, 2]]);
  });
});
