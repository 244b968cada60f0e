/**
 * Candidate and production predictions from two scoring jobs, in two files paired by an id
 * column (model.predictions.production-path + id), read with a real DuckDB: the same verdicts as
 * one file with both columns, whatever order each job wrote its rows in; ids missing on either
 * side, repeated or empty are an input error with the counts and the first ids; the config keys
 * go together, with errors at their line.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { runModelGate } from '../../src/model/gate.js';
import type { CheckResult } from '../../src/report/result.js';
import { workspace, write } from './data/fixtures.js';

let dir: string;

/** Row i of the hold-out set: id, label, both scores, tier. */
function row(i: number) {
  const y = i % 3 === 0 ? 1 : 0;
  const c = Number((0.15 + 0.6 * y + ((i * 7) % 10) / 40).toFixed(3));
  const p = Number((0.2 + 0.5 * y + ((i * 3) % 10) / 30).toFixed(3));
  return { id: 1000 + i, y, c, p, tier: i % 4 === 0 ? 'VIP' : 'standard' };
}
const N = 300;
const ROWS = Array.from({ length: N }, (_, i) => row(i));

/** Production's rows in another order (the second job's own), with a column of its own. */
function productionCsv(rows = ROWS): string {
  const shuffled = [...rows].sort((a, b) => ((a.id * 37) % 101) - ((b.id * 37) % 101) || a.id - b.id);
  return ['request_id,model_version,score', ...shuffled.map((r) => `${r.id},v41,${r.p}`)].join('\n') + '\n';
}

function candidateCsv(rows = ROWS): string {
  return ['request_id,y,score,tier', ...rows.map((r) => `${r.id},${r.y},${r.c},${r.tier}`)].join('\n') + '\n';
}

beforeAll(() => {
  dir = workspace();
  write(dir, 'both.csv', ['y,c,p,tier', ...ROWS.map((r) => `${r.y},${r.c},${r.p},${r.tier}`)].join('\n') + '\n');
  write(dir, 'candidate.csv', candidateCsv());
  write(dir, 'production.csv', productionCsv());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECKS = [
  '    - name: acc\n      type: non-inferiority\n      metric: accuracy\n      margin: 0.05\n',
  '    - name: auc\n      type: non-inferiority\n      metric: auc\n      margin: 0.05\n',
  '    - name: f1\n      type: non-inferiority\n      metric: f1\n      margin: 0.05\n      resamples: 300\n',
  '    - name: vip\n      type: segment\n      metric: recall\n      where: { tier: VIP }\n      min: 0.5\n      margin: 0.1\n      min-size: 10\n      resamples: 300\n',
  '    - name: agree\n      type: agreement\n      min-spearman: 0.1\n',
].join('');

const PAIRED = '  predictions:\n    path: candidate.csv\n    label: y\n    candidate: score\n    id: request_id\n    production-path: production.csv\n    production: score\n';

async function gate(predictions: string, checks = CHECKS): Promise<CheckResult[]> {
  const loaded = parseConfigText(`model:\n${predictions}  checks:\n${checks}`, 'model-release.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return runModelGate(loaded.config.model!, { cwd: dir });
}

/** Every result must be an input error at a model check; their messages without the check prefix. */
function inputErrors(results: CheckResult[]): string[] {
  for (const r of results) expect({ status: r.status, cause: r.cause }).toEqual({ status: 'error', cause: 'input' });
  return results.map((r) => r.message.replace(/^model-release\.yml:\d+ model\.checks\.\d+ \([^)]*\): /, ''));
}

describe('two files paired by id', () => {
  it('give the verdicts and numbers of one file holding both columns, whatever order production was written in', async () => {
    const one = await gate('  predictions:\n    path: both.csv\n    label: y\n    candidate: c\n    production: p\n');
    const two = await gate(PAIRED);
    expect(one.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(two.map((r) => [r.id, r.status, r.observed])).toEqual(one.map((r) => [r.id, r.status, r.observed]));
    expect(two.map((r) => r.details)).toEqual(one.map((r) => r.details));
  });

  it('ids compared as text: integers in one file pair with the same digits quoted in the other', async () => {
    write(dir, 'production-text.csv', productionCsv().replace(/^(\d+),/gm, '"$1",'));
    const results = await gate(PAIRED.replace('production.csv', 'production-text.csv'), CHECKS.split('    - ').slice(0, 2).join('    - '));
    expect(results.map((r) => r.status)).toEqual(['pass']);
  });

  it('ids missing on either side or on more than one row: one input error with the counts and the first ids', async () => {
    // The candidate lacks ids 1003 and 1010; production lacks 1020, 1021 … 1026 (7 ids), and has 1050 twice and 1051 three times.
    const candidate = ROWS.filter((r) => r.id !== 1003 && r.id !== 1010);
    const production = ROWS.filter((r) => r.id < 1020 || r.id > 1026);
    production.push(row(50), row(51), row(51));
    write(dir, 'c-gaps.csv', candidateCsv(candidate));
    write(dir, 'p-gaps.csv', productionCsv(production));
    const results = await gate(PAIRED.replace('candidate.csv', 'c-gaps.csv').replace('production.csv', 'p-gaps.csv'), CHECKS.split('    - ').slice(0, 2).join('    - '));
    expect(inputErrors(results)).toEqual([
      `the candidate's and production's predictions must pair one to one by 'request_id': ${join(dir, 'p-gaps.csv')} has 2 ids on more than one row (first: "1051" ×3, "1050" ×2); 7 ids of ${join(dir, 'c-gaps.csv')} are not in ${join(dir, 'p-gaps.csv')} (first: "1020", "1021", "1022", "1023", "1024", …); 2 ids of ${join(dir, 'p-gaps.csv')} are not in ${join(dir, 'c-gaps.csv')} (first: "1010", "1003")`,
    ]);
  });

  it('an empty id, and a repeated id in the candidate file', async () => {
    const candidate = [...ROWS, row(7)];
    write(dir, 'c-dup.csv', candidateCsv(candidate).replace(/^1012,/m, ','));
    const results = await gate(PAIRED.replace('candidate.csv', 'c-dup.csv'), CHECKS.split('    - ').slice(0, 2).join('    - '));
    expect(inputErrors(results)).toEqual([
      `the candidate's and production's predictions must pair one to one by 'request_id': ${join(dir, 'c-dup.csv')} has 1 empty id in column 'request_id', the first on data row 13; ${join(dir, 'c-dup.csv')} has 1 id on more than one row (first: "1007" ×2); 1 id of ${join(dir, 'production.csv')} is not in ${join(dir, 'c-dup.csv')} (first: "1012")`,
    ]);
  });

  it("names production's file for its own problems: a missing column, NaN, a missing file", async () => {
    write(dir, 'p-renamed.csv', productionCsv().replace('request_id,model_version,score', 'request_id,model_version,prob'));
    const checks = CHECKS.split('    - ').slice(0, 2).join('    - ');
    expect(inputErrors(await gate(PAIRED.replace('production.csv', 'p-renamed.csv'), checks))).toEqual([
      `${join(dir, 'p-renamed.csv')} has no column 'score' (its columns: request_id, model_version, prob)`,
    ]);
    write(dir, 'p-nan.csv', productionCsv().replace(/^1004,v41,[^\n]*$/m, '1004,v41,NaN'));
    expect(inputErrors(await gate(PAIRED.replace('production.csv', 'p-nan.csv'), checks))).toEqual([
      expect.stringMatching(new RegExp(`^${join(dir, 'p-nan.csv').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: column 'score' has 1 NaN value, the first on data row \\d+ \\(NaN is not a number\\)$`)),
    ]);
    expect(inputErrors(await gate(PAIRED.replace('production.csv', 'nope.csv'), checks))).toEqual([`production's predictions file not found: ${join(dir, 'nope.csv')}`]);
  });
});

describe('config', () => {
  const errors = (predictions: string) => {
    const loaded = parseConfigText(`model:\n${predictions}  checks:\n    - type: agreement\n      min-pearson: 0.5\n`, 'model-release.yml');
    if (loaded.ok) throw new Error('expected config errors');
    return loaded.errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
  };

  it('production-path needs id and production; id needs production-path; each error at its line', () => {
    expect(errors('  predictions:\n    path: c.csv\n    label: y\n    candidate: s\n    production-path: p.csv\n')).toEqual([
      "6 model.predictions.production-path: needs model.predictions.production: production's score column in that file",
      "6 model.predictions.production-path: pairs production's rows with the candidate's by id: set model.predictions.id (the column both files share)",
      "8 model.checks.0: a 'agreement' check compares with production: set model.predictions.production (the production model's column)",
    ]);
    expect(errors('  predictions:\n    path: c.csv\n    label: y\n    candidate: s\n    production: p\n    id: request_id\n')).toEqual([
      '7 model.predictions.id: pairs two files: set model.predictions.production-path (production\'s predictions), or remove id to pair the columns of one file by row',
    ]);
  });

  it('the schema knows the keys', () => {
    const loaded = parseConfigText(`model:\n${PAIRED}  checks: []\n`, 'model-release.yml');
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.config.model?.predictions).toMatchObject({ path: 'candidate.csv', production: 'score', productionPath: 'production.csv', id: 'request_id' });
  });
});
