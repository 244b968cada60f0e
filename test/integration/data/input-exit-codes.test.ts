/**
 * Exit codes of data and model input errors, through the pipeline and the app: an input error
 * (NaN, a missing file or column, a ragged row) stops a `release` with exit 2 and the headline
 * `Input error: …; nothing was changed.` before the target is even created; a check that ran
 * and failed is exit 1; `check` exits 2 when any gate had an input error, else 1 when a check
 * failed; an engine failure (out of memory) is not an input error and stays exit 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../../src/app.js';
import { parseConfigText } from '../../../src/config/load.js';
import type { TargetConfig } from '../../../src/config/types.js';
import { MemoryStateStore } from '../../../src/core/state.js';
import { runPipeline } from '../../../src/pipeline.js';
import type { GateInputs, Platform } from '../../../src/platform/types.js';
import { renderJsonReport } from '../../../src/report/json.js';
import type { Report } from '../../../src/report/result.js';
import type { CommitCollection } from '../../../src/trigger/types.js';
import { messagesToCommits } from '../../../src/trigger/sources/messages.js';
import { FakeTarget } from '../../support/fake-target.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { TRAINING_HEADER, csv, numberedCsv, trainingRows, workspace, write } from './fixtures.js';

const CONFIG = 'model-release.yml';
let dir: string;

beforeAll(() => {
  dir = workspace();
  write(dir, 'train.csv', csv(TRAINING_HEADER, trainingRows()));
  // income with NaN at data rows 4 and 7 (the training set's other columns as they are).
  write(dir, 'nan.csv', numberedCsv('id,income', 10, (i) => `${i},${i === 4 || i === 7 ? 'NaN' : 1000.5 * i}`));
  write(dir, 'ragged.csv', numberedCsv('id,income', 30_000, (i) => (i === 25_000 ? `${i}` : `${i},${i + 0.5}`)));
  write(dir, 'preds.csv', numberedCsv('y,c', 40, (i) => `${i % 2},${((i % 2) * 0.5 + (i % 7) / 20).toFixed(3)}`));
  write(dir, 'preds-nan.csv', numberedCsv('y,c', 40, (i) => `${i % 2},${i === 6 ? 'NaN' : ((i % 2) * 0.5 + (i % 7) / 20).toFixed(3)}`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The config text: a Lambda target and a rollout, a `data:` section on `dataset` with these
 * check lines (the dataset on line 4, check i on line 6 + i), and a model section on
 * `predictions` when given.
 */
function configText(dataset: string, checks: string[], options: { predictions?: string; engine?: string } = {}): string {
  return [
    'target: { function-name: churn-model, alias: prod }',
    'rollout: { strategy: all-at-once, bake: 1m }',
    'data:',
    `  dataset: ${dataset}`,
    ...(options.engine !== undefined ? [`  engine: ${options.engine}`] : []),
    '  checks:',
    ...checks.map((c) => `    - ${c}`),
    ...(options.predictions !== undefined
      ? ['model:', '  predictions:', `    path: ${options.predictions}`, '    label: y', '    candidate: c', '  checks:', '    - type: metric', '      metric: auc', '      min: 0.5']
      : []),
  ].join('\n') + '\n';
}

interface Run {
  report: Report;
  target: FakeTarget;
  /** How many times the pipeline asked for the target (zero: no AWS client was even built). */
  targetsCreated: number;
}

async function pipeline(command: 'release' | 'check', dataset: string, checks: string[], options: { predictions?: string; engine?: string } = {}): Promise<Run> {
  const loaded = parseConfigText(configText(dataset, checks, options), CONFIG);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const clock = new VirtualClock();
  const target = new FakeTarget({ clock, version: '1' });
  let targetsCreated = 0;
  const report = await runPipeline(
    { command, config: loaded.config, commits: { commits: messagesToCommits(['feat(api): new model']), source: 'test', warnings: [] }, force: false },
    {
      clock,
      state: new MemoryStateStore(),
      log: () => {},
      createTarget: () => {
        targetsCreated++;
        return target;
      },
      workspace: dir,
    },
  );
  return { report, target, targetsCreated };
}

/** Nothing reached the target: it was never created, so no AWS call could be made. */
function expectNoTargetCall(run: Run): void {
  expect(run.targetsCreated).toBe(0);
  expect([...run.target.calls.keys()]).toEqual([]);
  expect(run.report.results.some((r) => r.gate === 'rollout')).toBe(false);
}

const NAN_MESSAGE = `${CONFIG}:4 data.dataset: nan.csv: column 'income' has 2 NaN values, the first at data row 4; NaN is not a number, so no check can judge it (leave the field empty for a missing value)`;

describe('release', () => {
  it('NaN in the dataset: exit 2, an Input error headline, nothing deployed', async () => {
    const run = await pipeline('release', 'nan.csv', ['range: { column: income, min: 0 }']);
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode, headline: run.report.headline }).toEqual({
      outcome: 'aborted',
      exitCode: 2,
      headline: `Input error: ${NAN_MESSAGE}; nothing was changed.`,
    });
    expect(run.report.results.find((r) => r.gate === 'data')).toEqual({
      id: 'data.dataset',
      gate: 'data',
      status: 'error',
      cause: 'input',
      message: NAN_MESSAGE,
      location: { file: CONFIG, line: 4 },
    });
    expectNoTargetCall(run);
  });

  it('the JSON report carries cause: input on the result', async () => {
    const run = await pipeline('release', 'nan.csv', ['range: { column: income, min: 0 }']);
    const json = JSON.parse(renderJsonReport(run.report)) as { exitCode: number; results: Array<{ id: string; status: string; cause?: string }> };
    expect(json.exitCode).toBe(2);
    expect(json.results.find((r) => r.id === 'data.dataset')).toMatchObject({ status: 'error', cause: 'input' });
  });

  it('a check naming a column the dataset does not have: exit 2', async () => {
    const run = await pipeline('release', 'train.csv', ['missing: { column: agee }']);
    expect({ exitCode: run.report.exitCode, outcome: run.report.outcome }).toEqual({ exitCode: 2, outcome: 'aborted' });
    expect(run.report.headline).toBe(`Input error: ${CONFIG}:6 data.checks.0.missing: column 'agee' is not in the dataset train.csv; did you mean 'age'?; nothing was changed.`);
    expectNoTargetCall(run);
  });

  it('a missing dataset file: exit 2', async () => {
    const run = await pipeline('release', 'nope.csv', ['row_count: { min: 1 }']);
    expect(run.report.exitCode).toBe(2);
    expect(run.report.headline).toBe(`Input error: ${CONFIG}:4 data.dataset: file not found: ${join(dir, 'nope.csv')}; nothing was changed.`);
    expectNoTargetCall(run);
  });

  it('a ragged row: exit 2, the headline names the line', async () => {
    const run = await pipeline('release', 'ragged.csv', ['row_count: { min: 1 }']);
    expect(run.report.exitCode).toBe(2);
    expect(run.report.headline).toBe(`Input error: ${CONFIG}:4 data.dataset: ${join(dir, 'ragged.csv')}: ragged CSV row at line 25001: 1 field where the header has 2; nothing was changed.`);
    expectNoTargetCall(run);
  });

  it('a data check that ran and failed (row count below the minimum): exit 1, no input error', async () => {
    const run = await pipeline('release', 'train.csv', ['row_count: { min: 1000 }']);
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode, headline: run.report.headline }).toEqual({
      outcome: 'aborted',
      exitCode: 1,
      headline: 'Data checks failed: nothing was deployed. See the data results below.',
    });
    expect(run.report.results.find((r) => r.id === 'data.row_count')).toMatchObject({ status: 'fail', observed: 100 });
    expect(run.report.results.filter((r) => r.cause !== undefined)).toEqual([]);
    expectNoTargetCall(run);
  });

  it('the data gate passes but the predictions hold NaN: exit 2 from the model gate, nothing deployed', async () => {
    const run = await pipeline('release', 'train.csv', ['row_count: { min: 10 }'], { predictions: 'preds-nan.csv' });
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 2 });
    expect(run.report.results.find((r) => r.id === 'data.row_count')?.status).toBe('pass');
    const message = `${CONFIG}:13 model.checks.0 (metric auc): ${join(dir, 'preds-nan.csv')}: column 'c' has 1 NaN value, the first on data row 6 (NaN is not a number)`;
    expect(run.report.results.find((r) => r.gate === 'model')).toMatchObject({ status: 'error', cause: 'input', message });
    expect(run.report.headline).toBe(`Input error: ${message}; nothing was changed.`);
    expectNoTargetCall(run);
  });

  it('the engine running out of memory is not an input error: exit 1, an error without a cause', async () => {
    write(dir, 'wide.csv', csv(['id'], Array.from({ length: 300_000 }, (_, i) => [i])));
    const run = await pipeline('release', 'wide.csv', ['unique: { column: id }'], { engine: '{ memory-limit: 1MB, threads: 1 }' });
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    const error = run.report.results.find((r) => r.gate === 'data' && r.status === 'error');
    expect(error?.message).toMatch(/out of memory/i);
    expect(error?.cause).toBeUndefined();
    expect(run.report.headline).not.toMatch(/^Input error/);
    expectNoTargetCall(run);
  });

  it('clean inputs go on to the rollout (so the cases above can fail)', async () => {
    const run = await pipeline('release', 'train.csv', ['row_count: { min: 10 }', 'range: { column: income, min: 0 }'], { predictions: 'preds.csv' });
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(run.targetsCreated).toBe(1);
  });
});

describe('check', () => {
  it('an input error in the data gate: exit 2, every gate still reported', async () => {
    const run = await pipeline('check', 'nan.csv', ['range: { column: income, min: 0 }'], { predictions: 'preds.csv' });
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode, headline: run.report.headline }).toEqual({
      outcome: 'checked',
      exitCode: 2,
      headline: `Input error: ${NAN_MESSAGE}; nothing was changed.`,
    });
    // The model gate ran too: a pull request sees every gate's findings at once.
    expect(run.report.results.find((r) => r.gate === 'model')).toMatchObject({ id: 'model.metric-1', status: 'pass' });
    expectNoTargetCall(run);
  });

  it('a failed data check and no input error: exit 1', async () => {
    const run = await pipeline('check', 'train.csv', ['row_count: { min: 1000 }'], { predictions: 'preds.csv' });
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode, headline: run.report.headline }).toEqual({
      outcome: 'checked',
      exitCode: 1,
      headline: 'Checks failed: see the results below.',
    });
    expectNoTargetCall(run);
  });

  it('a failed data check and an input error in the model gate: the input error wins, exit 2', async () => {
    const run = await pipeline('check', 'train.csv', ['row_count: { min: 1000 }'], { predictions: 'nope.csv' });
    expect(run.report.exitCode).toBe(2);
    expect(run.report.results.find((r) => r.id === 'data.row_count')?.status).toBe('fail');
    expect(run.report.headline).toBe(`Input error: ${CONFIG}:13 model.checks.0 (metric auc): predictions file not found: ${join(dir, 'nope.csv')}; nothing was changed.`);
  });

  it('input errors in both gates: the first in the headline, the others counted', async () => {
    const run = await pipeline('check', 'nan.csv', ['range: { column: income, min: 0 }'], { predictions: 'preds-nan.csv' });
    expect(run.report.exitCode).toBe(2);
    expect(run.report.headline).toBe(`Input error: ${NAN_MESSAGE} (and 1 more input error, see the results); nothing was changed.`);
  });

  it('clean inputs pass: exit 0', async () => {
    const run = await pipeline('check', 'train.csv', ['row_count: { min: 10 }'], { predictions: 'preds.csv' });
    expect({ outcome: run.report.outcome, exitCode: run.report.exitCode }).toEqual({ outcome: 'checked', exitCode: 0 });
  });
});

describe('the app returns the exit code to the process', () => {
  /** A platform reading a workspace with a real config file; publishes into `published`. */
  function platform(command: 'release' | 'check', workspaceDir: string): Platform & { published: Report[] } {
    const published: Report[] = [];
    const commits: CommitCollection = { commits: [{ sha: 'a'.repeat(40), message: 'feat(api): new model' }], source: 'test', warnings: [] };
    const ignore = () => undefined;
    return {
      name: 'local',
      state: new MemoryStateStore(),
      log: { info: ignore, warn: ignore, error: ignore, debug: ignore },
      published,
      readInputs: (): GateInputs => ({ command, configPath: CONFIG, configExplicit: true, overrides: [], force: false, workspace: workspaceDir }),
      collectCommits: async () => commits,
      publish: async (report) => {
        published.push(report);
      },
    };
  }

  it.each(['release', 'check'] as const)('%s with NaN in the dataset exits 2 without creating the target', async (command) => {
    const ws = mkdtempSync(join(tmpdir(), 'mrg-app-input-'));
    try {
      writeFileSync(join(ws, CONFIG), configText('nan.csv', ['range: { column: income, min: 0 }']));
      writeFileSync(join(ws, 'nan.csv'), numberedCsv('id,income', 10, (i) => `${i},${i === 4 || i === 7 ? 'NaN' : 1000.5 * i}`));
      const created: TargetConfig[] = [];
      const p = platform(command, ws);
      const code = await runGate(p, {
        clock: new VirtualClock(),
        createTarget: (config) => {
          created.push(config);
          throw new Error('no target expected: an input error stops the run first');
        },
      });
      expect(code).toBe(2);
      expect(created).toEqual([]);
      expect(p.published).toHaveLength(1);
      expect(p.published[0]).toMatchObject({ command, exitCode: 2, headline: `Input error: ${NAN_MESSAGE}; nothing was changed.` });
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('release with a failed data check exits 1', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mrg-app-input-'));
    try {
      writeFileSync(join(ws, CONFIG), configText('train.csv', ['row_count: { min: 1000 }']));
      writeFileSync(join(ws, 'train.csv'), csv(TRAINING_HEADER, trainingRows()));
      const p = platform('release', ws);
      const code = await runGate(p, { clock: new VirtualClock(), createTarget: () => { throw new Error('no target expected'); } });
      expect(code).toBe(1);
      expect(p.published[0]).toMatchObject({ exitCode: 1, outcome: 'aborted' });
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
