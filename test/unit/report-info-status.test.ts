/**
 * The `info` status (a result that reports, like `data.plan`, and never decides) and the
 * labelled observed/expected texts, through every reporter.
 */
import { annotationsFor } from '../../src/report/annotations.js';
import { renderConsoleReport } from '../../src/report/console.js';
import { formatCounts, formatExpected, formatObserved, statusLabel } from '../../src/report/format.js';
import { renderJsonReport } from '../../src/report/json.js';
import { renderJunitXml } from '../../src/report/junit.js';
import type { CheckResult, Report } from '../../src/report/result.js';
import { renderSummaryMarkdown } from '../../src/report/summary.js';

const PLAN: CheckResult = {
  id: 'data.plan',
  gate: 'data',
  status: 'info',
  observed: 2,
  observedText: '2 queries',
  message: '3 data checks ran in 2 queries.',
};

const RANGE: CheckResult = {
  id: 'data.range.age',
  gate: 'data',
  status: 'fail',
  observed: 3,
  observedText: '3 values outside [0, 120] (min -4, max 130)',
  expected: 0,
  expectedText: 'all within [0, 120]',
  message: 'age: 3 values outside [0, 120] (values from -4 to 130).',
};

const MISSING: CheckResult = { id: 'data.missing.age', gate: 'data', status: 'pass', observed: '0%', expected: '≤ 1%', message: 'age: none missing.' };

function report(results: CheckResult[]): Report {
  return {
    tool: 'model-release-gate',
    toolVersion: '0.1.0',
    command: 'check',
    outcome: 'checked',
    exitCode: 0,
    headline: 'Checked.',
    startedAt: '2026-03-02T10:00:00.000Z',
    finishedAt: '2026-03-02T10:00:01.000Z',
    results,
    outputs: {},
  };
}

describe('the info status', () => {
  it('is counted as info, apart from passes, with plural nouns where the word is a noun', () => {
    expect(formatCounts([PLAN, MISSING, MISSING, MISSING])).toBe('3 passed, 1 info');
    expect(formatCounts([RANGE, RANGE, { ...MISSING, status: 'warn' }, { ...MISSING, status: 'error' }])).toBe('1 error, 2 failed, 1 warning');
    expect(formatCounts([{ ...MISSING, status: 'error' }, { ...MISSING, status: 'error' }, { ...MISSING, status: 'warn' }, { ...MISSING, status: 'warn' }])).toBe('2 errors, 2 warnings');
    expect(statusLabel('info')).toBe('ℹ️ info');
  });

  it('reads INFO in the console', () => {
    const text = renderConsoleReport(report([PLAN, MISSING]), { color: false });
    expect(text).toContain('Results (1 passed, 1 info)');
    expect(text).toMatch(/^ {2}INFO +data +data\.plan +2 queries +3 data checks ran in 2 queries\.$/m);
  });

  it('reads ℹ️ info in the job summary', () => {
    const markdown = renderSummaryMarkdown(report([PLAN, MISSING]));
    expect(markdown).toContain('#### data (1 passed, 1 info)');
    expect(markdown).toContain('| data.plan | ℹ️ info | 2 queries |  | 3 data checks ran in 2 queries. |');
  });

  it('is a passing testcase with its message in system-out in JUnit, neither failure nor skip', () => {
    const xml = renderJunitXml(report([PLAN]));
    expect(xml).toContain('<testsuites name="model-release-gate" tests="1" failures="0" errors="0" skipped="0"');
    expect(xml).toContain('<testcase classname="data" name="data.plan">\n      <system-out>info: 3 data checks ran in 2 queries.</system-out>\n    </testcase>');
    expect(xml).not.toMatch(/<failure|<error|<skipped/);
  });

  it('keeps status info in the JSON report, with the labelled text beside the value', () => {
    const json = JSON.parse(renderJsonReport(report([PLAN]))) as { results: CheckResult[] };
    expect(json.results[0]).toMatchObject({ id: 'data.plan', status: 'info', observed: 2, observedText: '2 queries' });
    const range = JSON.parse(renderJsonReport(report([RANGE]))) as { results: Array<Record<string, unknown>> };
    // Each text sits beside its value.
    expect(Object.keys(range.results[0]!)).toEqual(['id', 'gate', 'status', 'observed', 'observedText', 'expected', 'expectedText', 'message']);
  });

  it('is a notice annotation, before the outcome notice, and never an error or warning', () => {
    const annotations = annotationsFor(report([PLAN]));
    expect(annotations.map((a) => [a.level, a.title])).toEqual([
      ['notice', 'data info: data.plan'],
      ['notice', 'model-release-gate: checked'],
    ]);
  });

  it('keeps the outcome notice when there are many info results', () => {
    const annotations = annotationsFor(report(Array.from({ length: 15 }, (_, i) => ({ ...PLAN, id: `data.plan.${i}` }))));
    expect(annotations).toHaveLength(10);
    expect(annotations.at(-2)?.title).toBe('model-release-gate: 7 more notices');
    expect(annotations.at(-1)?.title).toBe('model-release-gate: checked');
  });
});

describe('labelled observed and expected', () => {
  it('prefer the text to the bare value', () => {
    expect(formatObserved(RANGE)).toBe('3 values outside [0, 120] (min -4, max 130)');
    expect(formatExpected(RANGE)).toBe('all within [0, 120]');
    expect(formatObserved(MISSING)).toBe('0%');
  });

  it('appear in every human rendering instead of "3" and "0"', () => {
    const r = report([RANGE]);
    const console = renderConsoleReport(r, { color: false });
    expect(console).toContain('3 values outside [0, 120] (min -4, max 130)  all within [0, 120]');
    expect(renderSummaryMarkdown(r)).toContain('| data.range.age | ❌ fail | 3 values outside \\[0, 120\\] (min -4, max 130) | all within \\[0, 120\\] |');
    expect(renderJunitXml(r)).toContain('Observed: 3 values outside [0, 120] (min -4, max 130)\nExpected: all within [0, 120]');
    expect(annotationsFor(r)[0]?.message).toContain('(observed 3 values outside [0, 120] (min -4, max 130), expected all within [0, 120])');
  });
});
