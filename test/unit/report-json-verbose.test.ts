/**
 * `report.verbose` (issue #17): by default the JSON report leaves out the data gate's bulky
 * diagnostics (the SQL text of its queries, the vectors its drift statistics were computed from)
 * and keeps every number a verdict rests on; `verbose: true` keeps everything. The console is
 * the same either way. A real `check` run (CLI adapter, runGate, DuckDB) on small CSV files.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/app.js';
import { parseConfigText } from '../../src/config/load.js';
import { CliPlatform, parseCli } from '../../src/platform/cli.js';
import { renderJsonReport } from '../../src/report/json.js';
import type { Report } from '../../src/report/result.js';
import { VirtualClock } from '../support/virtual-clock.js';

const yaml = (...lines: string[]) => lines.join('\n') + '\n';

/** 300 training rows and 200 production rows: two numeric and one categorical column; production's age and plan moved. */
function writeData(dir: string): void {
  const plans = ['free', 'pro', 'vip'];
  const train = Array.from({ length: 300 }, (_, i) => `${i + 1},${18 + ((i * 7) % 50)},${1000 + ((i * 37) % 900)},${plans[i % 3]}`);
  const prod = Array.from({ length: 200 }, (_, i) => `${i + 1},${33 + ((i * 7) % 50)},${1000 + ((i * 37) % 900)},${i % 4 === 0 ? 'pro' : 'free'}`);
  writeFileSync(join(dir, 'train.csv'), ['id,age,income,plan', ...train].join('\n') + '\n');
  writeFileSync(join(dir, 'prod.csv'), ['id,age,income,plan', ...prod].join('\n') + '\n');
}

const CONFIG = yaml(
  'data:',
  '  dataset: train.csv',
  '  reference: prod.csv',
  '  checks:',
  '    - row_count: { min: 10 }',
  '    - missing: { columns: [age, plan], max-count: 0 }',
  '    - drift: { columns: [age, income, plan] }',
  '    - drift: { columns: [age, income], method: ks }',
  '    - drift: { columns: [plan], method: chi2 }',
  '    - drift: { columns: [income], method: psi }',
  'report:',
  '  json: report.json',
);

/** The CLI adapter, keeping the report it publishes. */
class KeepingPlatform extends CliPlatform {
  report: Report | undefined;
  override async publish(report: Report, files: Parameters<CliPlatform['publish']>[1]): Promise<void> {
    this.report = report;
    await super.publish(report, files);
  }
}

async function check(dir: string, extra: string[] = []): Promise<{ code: number; stdout: string; json: string; report: Report }> {
  let stdout = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const { command, options } = parseCli(['check', '--config', 'gate.yml', '-m', 'feat(api): new model', ...extra]);
    const platform = new KeepingPlatform(command as 'check', options, { CI_PROJECT_DIR: dir });
    const code = await runGate(platform, {
      clock: new VirtualClock(),
      env: {},
      createTarget: () => {
        throw new Error('check with no target must not touch AWS');
      },
    });
    return { code, stdout, json: readFileSync(join(dir, 'report.json'), 'utf8'), report: platform.report! };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

interface JsonResult {
  id: string;
  details?: Record<string, unknown>;
}
const results = (json: string) => (JSON.parse(json) as { results: JsonResult[] }).results;
const drift = (json: string) => results(json).filter((r) => r.id.startsWith('data.drift'));
const queries = (json: string) => (results(json).find((r) => r.id === 'data.plan')?.details?.queries ?? []) as Array<Record<string, unknown>>;
const input = (r: JsonResult) => r.details?.input as Record<string, unknown>;

/** The diagnostics the default report leaves out, by field. */
const NUMERIC_VECTORS = ['grid', 'datasetCdf', 'referenceCdf', 'datasetCdfBelow', 'referenceCdfBelow', 'binCuts', 'datasetBinCounts', 'referenceBinCounts', 'probabilities', 'datasetQuantiles', 'referenceQuantiles'];
const CATEGORICAL_VECTORS = ['categories', 'datasetCounts', 'referenceCounts'];

describe('report.verbose', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mrg-report-verbose-'));
    writeData(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a boolean of the report section, unset by default', () => {
    const read = (text: string) => parseConfigText(text, 'model-release.yml');
    const verbose = read(yaml('report:', '  verbose: true'));
    expect(verbose.ok && verbose.config.report).toEqual({ verbose: true });
    const plain = read(yaml('report:', '  json: r.json'));
    expect(plain.ok && plain.config.report).toEqual({ jsonPath: 'r.json' });
    const wrong = read(yaml('report:', '  verbose: yes please'));
    expect(wrong.ok ? [] : wrong.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`)).toEqual(['2:12 report.verbose: must be true or false']);
  });

  it('by default leaves out the SQL text and the drift vectors, and keeps every number a verdict rests on', async () => {
    writeFileSync(join(dir, 'gate.yml'), CONFIG);
    const { code, json } = await check(dir);
    expect(code).toBe(1); // age and plan drift
    expect(json).not.toContain('SELECT');
    // Each query keeps its pass and time.
    expect(queries(json).map((q) => Object.keys(q).sort())).toEqual([
      ['ms', 'pass'],
      ['ms', 'pass'],
    ]);
    const scores = drift(json);
    expect(scores.map((r) => r.id)).toEqual([
      'data.drift.age',
      'data.drift.income',
      'data.drift.plan',
      'data.drift.age#2',
      'data.drift.income#2',
      'data.drift.plan#2',
      'data.drift.income#3',
    ]);
    for (const r of scores) {
      expect(Object.values(input(r)).filter(Array.isArray)).toEqual([]);
      expect(input(r)).toMatchObject({ column: expect.any(String), kind: expect.stringMatching(/^(numeric|categorical)$/), datasetCount: expect.any(Number), referenceCount: expect.any(Number) });
      expect(r.details).toMatchObject({ statistic: expect.any(Number), threshold: expect.any(Number), drifted: expect.any(Boolean), reason: expect.any(String), datasetCount: expect.any(Number), referenceCount: expect.any(Number) });
    }
    // Tests keep their p-values, raw and corrected across columns (holm by default).
    for (const id of ['data.drift.age#2', 'data.drift.income#2', 'data.drift.plan#2']) {
      expect(scores.find((r) => r.id === id)?.details).toMatchObject({ pValue: expect.any(Number) });
    }
    expect(scores.find((r) => r.id === 'data.drift.age#2')?.details).toMatchObject({ adjustedPValue: expect.any(Number) });
    expect(input(scores.find((r) => r.id === 'data.drift.age')!)).toMatchObject({ referenceStd: expect.any(Number) });
  });

  it('verbose: true keeps the SQL and the vectors', async () => {
    writeFileSync(join(dir, 'gate.yml'), CONFIG + '  verbose: true\n');
    const { json } = await check(dir);
    expect(queries(json).map((q) => q.pass)).toEqual(['reference', 'dataset pass 1']);
    for (const q of queries(json)) expect(q.sql).toMatch(/^SELECT\n/);
    const byId = Object.fromEntries(drift(json).map((r) => [r.id, input(r)]));
    for (const name of NUMERIC_VECTORS.filter((n) => !/Quantiles|probabilities/.test(n))) expect((byId['data.drift.age#2']?.[name] as unknown[]).length).toBeGreaterThan(0);
    for (const name of CATEGORICAL_VECTORS) expect(byId['data.drift.plan#2']?.[name]).toEqual(expect.arrayContaining([expect.anything()]));
    expect(byId['data.drift.plan#2']?.categories).toEqual(['free', 'pro', 'vip']);
  });

  it('drops those fields and nothing else; the console is the same either way', async () => {
    writeFileSync(join(dir, 'gate.yml'), CONFIG);
    const plain = await check(dir);
    const verbose = await check(dir, ['--set', 'report.verbose=true']);
    expect(verbose.json).toContain('"datasetCdf"');
    expect(plain.stdout).toBe(verbose.stdout);
    expect(plain.stdout).not.toContain('SELECT');
    // One report rendered both ways: the verbose JSON less the listed fields is the default JSON.
    const full = JSON.parse(renderJsonReport(plain.report, { verbose: true })) as { results: JsonResult[] };
    for (const r of full.results) {
      for (const q of (r.details?.queries ?? []) as Array<Record<string, unknown>>) delete q.sql;
      const vectors = r.details?.input as Record<string, unknown> | undefined;
      for (const name of [...NUMERIC_VECTORS, ...CATEGORICAL_VECTORS]) delete vectors?.[name];
    }
    expect(JSON.parse(renderJsonReport(plain.report))).toEqual(full);
    expect(renderJsonReport(plain.report)).toBe(plain.json);
    expect(renderJsonReport(plain.report, { verbose: true }).length).toBeGreaterThan(5 * plain.json.length);
  });

  it('leaves the other gates’ details whole', () => {
    const report: Report = {
      tool: 'model-release-gate',
      toolVersion: '0.0.0',
      command: 'check',
      outcome: 'checked',
      exitCode: 0,
      headline: 'ok',
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:01.000Z',
      results: [
        { id: 'model.agreement-1', gate: 'model', status: 'pass', message: 'ok', details: { psiBins: { cuts: [0.1, 0.5], production: [0.3, 0.3, 0.4], candidate: [0.3, 0.3, 0.4] }, input: { sql: 'x', grid: [1, 2] } } },
        { id: 'data.row_count', gate: 'data', status: 'pass', message: 'ok', details: { rows: 10 } },
      ],
      outputs: {},
    };
    expect(renderJsonReport(report)).toBe(renderJsonReport(report, { verbose: true }));
  });
});
