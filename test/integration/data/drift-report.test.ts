/**
 * `report.html` (issue #17): the real data gate on real CSV files writes the drift report after
 * it ran, also when it fails the release; not when it stopped on an input error; and a report
 * that cannot be written is a warning that changes nothing else.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../../src/config/load.js';
import { MemoryStateStore } from '../../../src/core/state.js';
import { runPipeline } from '../../../src/pipeline.js';
import type { Report } from '../../../src/report/result.js';
import { messagesToCommits } from '../../../src/trigger/sources/messages.js';
import { DRIFT_REPORT_CONFIG, writeDriftReportSamples } from '../../support/drift-report-fixture.js';
import { FakeTarget } from '../../support/fake-target.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { workspace } from './fixtures.js';

let dir: string;
beforeAll(() => {
  dir = workspace();
  writeDriftReportSamples(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(command: 'release' | 'check', html: string, data = DRIFT_REPORT_CONFIG): Promise<{ report: Report; target: FakeTarget }> {
  const text = ['target: { function-name: churn-model, alias: prod }', 'rollout: { strategy: all-at-once, bake: 1m }', `report: { html: ${html} }`, ...data].join('\n');
  const loaded = parseConfigText(`${text}\n`, 'model-release.yml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const clock = new VirtualClock();
  const target = new FakeTarget({ clock, version: '1' });
  const report = await runPipeline(
    { command, config: loaded.config, commits: { commits: messagesToCommits(['feat(api): new model']), source: 'test', warnings: [] }, force: false },
    { clock, state: new MemoryStateStore(), log: () => {}, createTarget: () => target, workspace: dir },
  );
  return { report, target };
}

it('a release whose data drifted is stopped, and the report it needs is written: every column, its verdict, the unseen categories', async () => {
  const { report, target } = await run('release', 'out/drift.html');
  expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
  expect([...target.calls.keys()]).toEqual([]);
  const html = readFileSync(join(dir, 'out/drift.html'), 'utf8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('Data gate failed: 2 of 4 compared columns drifted (1 not compared).');
  for (const column of ['monthly_spend', 'device', 'age', 'plan']) expect(html).toContain(`>${column} <small>`);
  expect(html).toContain('id (inferred: all 3,000 training values distinct)');
  expect(html).toMatch(/Production categories never seen in training: 2/);
  expect(html).toMatch(/<code>smart-tv<\/code> <span class="muted">\d+ production rows/);
  expect(html).toContain('<code>car-display</code>');
  expect(html.match(/<svg\b/g)).toHaveLength(4);
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
  // Nothing was added to the report: the write succeeded.
  expect(report.results.some((r) => r.id === 'data.report-html')).toBe(false);
});

it('a check that passes writes it too', async () => {
  const stable = DRIFT_REPORT_CONFIG.map((line) => line.replace('{ columns: all }', '{ columns: [age, plan] }')).filter((line) => !line.includes('unseen_categories'));
  const { report } = await run('check', 'stable.html', stable);
  expect(report.results.filter((r) => r.gate === 'data' && r.status === 'fail')).toEqual([]);
  const html = readFileSync(join(dir, 'stable.html'), 'utf8');
  expect(html).toContain('Data gate passed: 0 of 2 compared columns drifted.');
});

it('an input error (a missing file) stops the gate before anything is computed: no report', async () => {
  const missing = DRIFT_REPORT_CONFIG.map((line) => line.replace('production.csv', 'nowhere.csv'));
  const { report } = await run('release', 'missing.html', missing);
  expect(report.exitCode).toBe(2);
  expect(existsSync(join(dir, 'missing.html'))).toBe(false);
});

it('a report that cannot be written is a warning; the verdict and the exit code stay', async () => {
  mkdirSync(join(dir, 'taken.html'));
  const { report } = await run('check', 'taken.html');
  expect(report.results.find((r) => r.id === 'data.report-html')).toMatchObject({
    status: 'warn',
    message: expect.stringMatching(/^Could not write the data drift report to taken\.html \(report\.html\): .*The data gate's verdict is not affected\.$/),
  });
  expect(report.exitCode).toBe(1);
});
