/**
 * Input errors of the model gate's predictions file (read with a real DuckDB): NaN, infinities,
 * empty values, non-numbers, ragged rows, missing columns and a missing file are `error` results with
 * `cause: 'input'` at every check that reads the predictions, each message naming the check, its
 * config line, the file and what is wrong with it; nothing is computed from such a file.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { runModelGate } from '../../src/model/gate.js';
import type { CheckResult } from '../../src/report/result.js';
import { numberedCsv, workspace, write, writeParquet } from './data/fixtures.js';

let dir: string;

beforeAll(() => {
  dir = workspace();
  write(dir, 'clean.csv', predictions());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AUC = '    - type: metric\n      metric: auc\n      min: 0.5\n';
const ACCURACY = '    - type: metric\n      metric: accuracy\n      min: 0.5\n';

/**
 * The model gate on `model.predictions` = `path` (label y, candidate c, production p when asked)
 * with these checks (YAML list items, indented 4; the first on line 7, or 8 with production).
 */
async function gate(path: string, checks = AUC, options: { production?: boolean; extra?: string } = {}): Promise<CheckResult[]> {
  const head = `model:\n  predictions:\n    path: ${path}\n    label: y\n    candidate: c\n${options.production ? '    production: p\n' : ''}`;
  const loaded = parseConfigText(`${head}  checks:\n${checks}`, 'model-release.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return runModelGate(loaded.config.model!, { cwd: dir });
}

/** The results, each of which must be an input error at a model check: [id, message, config line]. */
function inputErrors(results: CheckResult[]): Array<[string, string, number | undefined]> {
  for (const r of results) expect({ id: r.id, gate: r.gate, status: r.status, cause: r.cause }).toEqual({ id: r.id, gate: 'model', status: 'error', cause: 'input' });
  return results.map((r) => [r.id, r.message, r.location?.line]);
}

/** A good row i: label i % 2, a candidate score that ranks the labels perfectly, a production score. */
function good(i: number): string {
  return `${i % 2},${((i % 2) * 0.5 + (i % 7) / 20).toFixed(3)},${((i % 5) / 5).toFixed(2)}`;
}

/** 40 good rows of y,c,p with row i replaced by `bad[i]`. */
function predictions(bad: Record<number, string> = {}, n = 40): string {
  return numberedCsv('y,c,p', n, (i) => bad[i] ?? good(i));
}

const AT = 'model-release.yml:7 model.checks.0 (metric auc)';

describe('a clean file is judged, not an input error', () => {
  it('the checks run and pass', async () => {
    const results = await gate('clean.csv', AUC + ACCURACY, { production: true });
    expect(results.map((r) => [r.id, r.status, r.cause])).toEqual([
      ['model.metric-1', 'pass', undefined],
      ['model.metric-2', 'pass', undefined],
    ]);
  });
});

describe('NaN', () => {
  it('in the candidate scores: names the file, the column, the count and the first data row', async () => {
    write(dir, 'nan.csv', predictions({ 6: '0,NaN,0.2', 9: '1,NaN,0.4' }));
    expect(inputErrors(await gate('nan.csv'))).toEqual([[`model.metric-1`, `${AT}: ${join(dir, 'nan.csv')}: column 'c' has 2 NaN values, the first on data row 6 (NaN is not a number)`, 7]]);
  });

  it('in the label (written `nan`)', async () => {
    write(dir, 'nan-label.csv', predictions({ 11: 'nan,0.5,0.5' }));
    expect(inputErrors(await gate('nan-label.csv')).map(([, message]) => message)).toEqual([
      `${AT}: ${join(dir, 'nan-label.csv')}: column 'y' has 1 NaN value, the first on data row 11 (NaN is not a number)`,
    ]);
  });

  it('in the production scores, read only when a production column is configured', async () => {
    write(dir, 'nan-prod.csv', predictions({ 2: '0,0.1,NaN' }));
    expect(inputErrors(await gate('nan-prod.csv', AUC, { production: true })).map(([, message]) => message)).toEqual([
      `model-release.yml:8 model.checks.0 (metric auc): ${join(dir, 'nan-prod.csv')}: column 'p' has 1 NaN value, the first on data row 2 (NaN is not a number)`,
    ]);
    expect((await gate('nan-prod.csv'))[0]).toMatchObject({ status: 'pass' });
  });

  it('in Parquet', async () => {
    await writeParquet(
      dir,
      'nan.parquet',
      "SELECT (i % 2)::INTEGER AS y, CASE WHEN i = 4 THEN 'NaN'::DOUBLE ELSE (i % 2) * 0.5 + (i % 7) / 20 END AS c FROM range(1, 41) t(i) ORDER BY i",
    );
    expect(inputErrors(await gate('nan.parquet'))).toEqual([
      ['model.metric-1', `${AT}: ${join(dir, 'nan.parquet')}: column 'c' has 1 NaN value, the first on data row 4 (NaN is not a number)`, 7],
    ]);
  });

  it('in the middle of a large file: the row is counted in file order', async () => {
    write(dir, 'nan-large.csv', predictions({ 250_000: '0,NaN,0.5' }, 300_000));
    expect(inputErrors(await gate('nan-large.csv')).map(([, message]) => message)).toEqual([
      `${AT}: ${join(dir, 'nan-large.csv')}: column 'c' has 1 NaN value, the first on data row 250000 (NaN is not a number)`,
    ]);
  });
});

describe('infinities', () => {
  it('inf, -inf and Infinity in the candidate scores: names the file, the column, the count and the first data row', async () => {
    write(dir, 'inf.csv', predictions({ 4: '0,inf,0.2', 9: '1,-inf,0.4', 12: '1,Infinity,0.4' }));
    expect(inputErrors(await gate('inf.csv'))).toEqual([
      ['model.metric-1', `${AT}: ${join(dir, 'inf.csv')}: column 'c' has 3 infinite values, the first Infinity on data row 4 (only finite numbers can be scored)`, 7],
    ]);
  });

  it('-Infinity in the production scores and in the label, next to NaN', async () => {
    write(dir, 'inf-prod.csv', predictions({ 3: '-Infinity,0.5,0.5', 7: '0,0.3,-inf', 8: '1,NaN,0.5' }));
    expect(inputErrors(await gate('inf-prod.csv', AUC, { production: true })).map(([, message]) => message)).toEqual([
      `model-release.yml:8 model.checks.0 (metric auc): ${join(dir, 'inf-prod.csv')}: column 'y' has 1 infinite value, the first -Infinity on data row 3 (only finite numbers can be scored); column 'c' has 1 NaN value, the first on data row 8 (NaN is not a number); column 'p' has 1 infinite value, the first -Infinity on data row 7 (only finite numbers can be scored)`,
    ]);
  });

  it('in Parquet', async () => {
    await writeParquet(
      dir,
      'inf.parquet',
      "SELECT (i % 2)::INTEGER AS y, CASE WHEN i IN (5, 30) THEN '-inf'::DOUBLE ELSE (i % 2) * 0.5 + (i % 7) / 20 END AS c FROM range(1, 41) t(i) ORDER BY i",
    );
    expect(inputErrors(await gate('inf.parquet')).map(([, message]) => message)).toEqual([
      `${AT}: ${join(dir, 'inf.parquet')}: column 'c' has 2 infinite values, the first -Infinity on data row 5 (only finite numbers can be scored)`,
    ]);
  });
});

describe('empty values and values that are not numbers', () => {
  it('an empty label', async () => {
    write(dir, 'empty-label.csv', predictions({ 5: ',0.5,0.5' }));
    expect(inputErrors(await gate('empty-label.csv'))).toEqual([['model.metric-1', `${AT}: ${join(dir, 'empty-label.csv')}: column 'y' has 1 empty value`, 7]]);
  });

  it('a score that is not a number: names the column, the value and its data row', async () => {
    write(dir, 'text.csv', predictions({ 5: '1,high,0.5', 12: '0,low,0.5' }));
    expect(inputErrors(await gate('text.csv'))).toEqual([
      ['model.metric-1', `${AT}: ${join(dir, 'text.csv')}: column 'c' has 2 values that are not numbers, the first "high" on data row 5`, 7],
    ]);
  });

  it('a non-number past the rows the sniffer samples: names the line, the column and the value', async () => {
    write(dir, 'text-late.csv', predictions({ 25_000: '1,high,0.5' }, 30_000));
    expect(inputErrors(await gate('text-late.csv')).map(([, message]) => message)).toEqual([
      `${AT}: ${join(dir, 'text-late.csv')}: line 25001: column 'c' has "high", which is not a DOUBLE like the values before it`,
    ]);
  });

  it('every problem of every numeric column in one message', async () => {
    write(dir, 'many.csv', predictions({ 3: ',0.5,0.5', 7: '1,NaN,0.5', 8: '0,0.5,n/a' }));
    expect(inputErrors(await gate('many.csv', AUC, { production: true })).map(([, message]) => message)).toEqual([
      `model-release.yml:8 model.checks.0 (metric auc): ${join(dir, 'many.csv')}: column 'y' has 1 empty value; column 'c' has 1 NaN value, the first on data row 7 (NaN is not a number); column 'p' has 1 value that is not a number, the first "n/a" on data row 8`,
    ]);
  });
});

describe('ragged rows', () => {
  it('past the rows the sniffer samples: names the file, the line and the field counts', async () => {
    write(dir, 'ragged-late.csv', predictions({ 25_000: '1,0.5' }, 30_000));
    expect(inputErrors(await gate('ragged-late.csv'))).toEqual([
      ['model.metric-1', `${AT}: ${join(dir, 'ragged-late.csv')}: ragged CSV row at line 25001: 2 fields where the header has 3`, 7],
    ]);
  });

  it('within the rows the sniffer samples: names the file and the line (from DuckDB\'s rejects table)', async () => {
    write(dir, 'ragged.csv', predictions({ 5: '1,0.5,0.5,9' }));
    expect(inputErrors(await gate('ragged.csv')).map(([, message]) => message)).toEqual([`${AT}: ${join(dir, 'ragged.csv')}: ragged CSV row at line 6: 4 fields where the header has 3`]);
  });

  it('a short row within the sample: the line, not "has no column" for a column the header has', async () => {
    write(dir, 'short.csv', predictions({ 12: '1,0.5' }));
    expect(inputErrors(await gate('short.csv', AUC, { production: true })).map(([, message]) => message)).toEqual([
      `model-release.yml:8 model.checks.0 (metric auc): ${join(dir, 'short.csv')}: ragged CSV row at line 13: 2 fields where the header has 3`,
    ]);
    write(dir, 'short.tsv', predictions({ 12: '1\t0.5' }).replaceAll(',', '\t'));
    expect(inputErrors(await gate('short.tsv', AUC, { production: true })).map(([, message]) => message)).toEqual([
      `model-release.yml:8 model.checks.0 (metric auc): ${join(dir, 'short.tsv')}: ragged CSV row at line 13: 2 fields where the header has 3`,
    ]);
  });

  it('unbalanced quotes: DuckDB cannot say which line, the message says what to look for', async () => {
    write(dir, 'quotes.csv', predictions({ 5: '1,"0.5,0.5' }));
    expect(inputErrors(await gate('quotes.csv')).map(([, message]) => message)).toEqual([
      `${AT}: ${join(dir, 'quotes.csv')}: not a consistent CSV file (rows with a different number of fields than the header, i.e. ragged rows, or unbalanced quotes)`,
    ]);
  });
});

describe('missing columns and files', () => {
  it('a missing score column: names it and lists the file\'s columns', async () => {
    write(dir, 'renamed.csv', predictions().replace('y,c,p', 'y,cand,p'));
    expect(inputErrors(await gate('renamed.csv'))).toEqual([['model.metric-1', `${AT}: ${join(dir, 'renamed.csv')} has no column 'c' (its columns: y, cand, p)`, 7]]);
  });

  it('a segment column the file does not have', async () => {
    const segment = '    - type: segment\n      where: { tier: VIP }\n      metric: auc\n      min: 0.5\n';
    expect(inputErrors(await gate('clean.csv', segment))).toEqual([
      ['model.segment-1', `model-release.yml:7 model.checks.0 (segment auc where tier = VIP): ${join(dir, 'clean.csv')} has no column 'tier' (its columns: y, c, p)`, 7],
    ]);
  });

  it('a missing file', async () => {
    expect(inputErrors(await gate('nope.csv'))).toEqual([['model.metric-1', `${AT}: predictions file not found: ${join(dir, 'nope.csv')}`, 7]]);
  });

  it('a file of an unknown format', async () => {
    write(dir, 'preds.data', predictions());
    expect(inputErrors(await gate('preds.data')).map(([, message]) => message)).toEqual([`${AT}: cannot tell the format of ${join(dir, 'preds.data')}: use a .csv or .parquet file`]);
  });

  it('is the error of every check that reads the predictions, each at its own line', async () => {
    expect(inputErrors(await gate('nope.csv', AUC + ACCURACY))).toEqual([
      ['model.metric-1', `${AT}: predictions file not found: ${join(dir, 'nope.csv')}`, 7],
      ['model.metric-2', `model-release.yml:10 model.checks.1 (metric accuracy): predictions file not found: ${join(dir, 'nope.csv')}`, 10],
    ]);
  });
});
