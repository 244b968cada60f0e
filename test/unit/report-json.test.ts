import { renderJsonReport } from '../../src/report/json.js';
import type { Report } from '../../src/report/result.js';
import { configError, promotedRollout } from './report-fixtures.js';

/** The same object with its own keys inserted in reverse order. */
function reverseKeys<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T;
}

describe('renderJsonReport', () => {
  it('puts schemaVersion first, then the report fields in a fixed order', () => {
    const parsed = JSON.parse(renderJsonReport(promotedRollout())) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'tool',
      'toolVersion',
      'command',
      'outcome',
      'exitCode',
      'headline',
      'startedAt',
      'finishedAt',
      'results',
      'outputs',
      'timeline',
    ]);
    expect(parsed.schemaVersion).toBe(1);
  });

  it('keeps every value, details included', () => {
    const report = promotedRollout();
    const parsed = JSON.parse(renderJsonReport(report)) as Report & { schemaVersion: number };
    const { schemaVersion, ...rest } = parsed;
    expect(schemaVersion).toBe(1);
    expect(rest).toEqual(report);
  });

  it('produces the same bytes whatever order the fields were built in', () => {
    const report = configError();
    const [result] = report.results;
    if (!result) throw new Error('fixture has a result');
    const shuffled: Report = {
      ...reverseKeys(report),
      results: [
        {
          ...reverseKeys(result),
          location: { column: 5, line: 12, file: '.model-release.yml' },
          details: { zeta: 1, alpha: { y: 2, x: 1 } },
        },
      ],
      outputs: { b: '2', a: '1' },
    };
    const ordered: Report = {
      ...report,
      results: [{ ...result, details: { alpha: { x: 1, y: 2 }, zeta: 1 } }],
      outputs: { a: '1', b: '2' },
    };
    expect(renderJsonReport(shuffled)).toBe(renderJsonReport(ordered));
    const json = renderJsonReport(shuffled);
    expect(json.indexOf('"id"')).toBeLessThan(json.indexOf('"gate"'));
    expect(json.indexOf('"file"')).toBeLessThan(json.indexOf('"line"'));
    expect(json.indexOf('"alpha"')).toBeLessThan(json.indexOf('"zeta"'));
  });

  it('orders timeline rows and samples by their documented keys', () => {
    const json = renderJsonReport(promotedRollout());
    const parsed = JSON.parse(json) as { timeline: Array<Record<string, unknown>> };
    const observe = parsed.timeline[2] ?? {};
    expect(Object.keys(observe)).toEqual(['atMs', 'step', 'weight', 'event', 'canary', 'stable', 'verdict', 'reason']);
    expect(Object.keys(observe.canary as object)).toEqual(['version', 'invocations', 'errors', 'throttles', 'p99Ms']);
  });

  it('is pretty-printed and ends with a newline', () => {
    const json = renderJsonReport(configError());
    expect(json.startsWith('{\n  "schemaVersion": 1,\n  "tool": "model-release-gate",')).toBe(true);
    expect(json.endsWith('}\n')).toBe(true);
  });
});
