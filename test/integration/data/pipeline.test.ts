/**
 * The data gate inside the pipeline: a failing error-severity data check stops a release before
 * the target is even read; a failing warn-severity check lets it go on.
 */
import { parseConfigText } from '../../../src/config/load.js';
import { MemoryStateStore } from '../../../src/core/state.js';
import { runPipeline } from '../../../src/pipeline.js';
import type { Report } from '../../../src/report/result.js';
import { messagesToCommits } from '../../../src/trigger/sources/messages.js';
import { FakeTarget } from '../../support/fake-target.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { TRAINING_HEADER, csv, trainingRows, workspace, write } from './fixtures.js';

const dir = workspace();
write(dir, 'train.csv', csv(TRAINING_HEADER, trainingRows()));

async function release(check: string, engine?: string, dataset = 'train.csv'): Promise<{ report: Report; target: FakeTarget }> {
  const text = [
    'target: { function-name: churn-model, alias: prod }',
    'rollout: { strategy: all-at-once, bake: 1m }',
    'data:',
    `  dataset: ${dataset}`,
    ...(engine !== undefined ? [`  engine: ${engine}`] : []),
    '  checks:',
    `    - ${check}`,
  ].join('\n');
  const loaded = parseConfigText(text + '\n', 'model-release.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const clock = new VirtualClock();
  const target = new FakeTarget({ clock, version: '1' });
  const report = await runPipeline(
    { command: 'release', config: loaded.config, commits: { commits: messagesToCommits(['feat(api): new model']), source: 'test', warnings: [] }, force: false },
    { clock, state: new MemoryStateStore(), log: () => {}, createTarget: () => target, workspace: dir },
  );
  return { report, target };
}

it('a failing data check stops the release before the rollout touches the target', async () => {
  const { report, target } = await release('row_count: { min: 1000 }');
  expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
  expect(report.results.find((r) => r.id === 'data.row_count')).toMatchObject({ status: 'fail', observed: 100, location: { file: 'model-release.yml', line: 6 } });
  expect(report.results.some((r) => r.gate === 'rollout')).toBe(false);
  expect([...target.calls.keys()]).toEqual([]);
});

it('a data error (unknown column) stops the release the same way', async () => {
  const { report, target } = await release('missing: { column: agee }');
  expect(report.outcome).toBe('aborted');
  expect(report.results.find((r) => r.gate === 'data')).toMatchObject({ status: 'error', message: expect.stringContaining("model-release.yml:6 data.checks.0.missing: column 'agee'") });
  expect([...target.calls.keys()]).toEqual([]);
});

it('a failing warn-severity check does not stop the release', async () => {
  const { report, target } = await release('row_count: { min: 1000, severity: warn }');
  expect(report.results.find((r) => r.id === 'data.row_count')?.status).toBe('warn');
  expect(report.outcome).toBe('promoted');
  expect(target.calls.get('shiftTraffic') ?? target.calls.get('promote')).toBeGreaterThan(0);
});

it('data.engine reaches DuckDB: a memory-limit too small for the data fails with a hint, a sufficient one passes', async () => {
  // 300,000 distinct ids: the unique check's hash table needs a few MB.
  write(dir, 'wide.csv', csv(['id'], Array.from({ length: 300_000 }, (_, i) => [i])));
  const starved = await release('unique: { column: id }', '{ memory-limit: 1MB, threads: 1 }', 'wide.csv');
  expect(starved.report.outcome).toBe('aborted');
  expect(starved.report.results.find((r) => r.gate === 'data' && r.status === 'error')?.message).toMatch(/Out of Memory.*data\.engine\.memory-limit \(1MB\)/s);
  expect([...starved.target.calls.keys()]).toEqual([]);
  const fed = await release('unique: { column: id }', '{ memory-limit: 256MB, threads: 1 }', 'wide.csv');
  expect(fed.report.results.find((r) => r.id === 'data.unique.id')).toMatchObject({ status: 'pass', message: 'id: all 300000 keys are unique.' });
});
