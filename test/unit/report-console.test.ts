import { renderConsoleReport, sanitizeForTerminal, shouldUseColor } from '../../src/report/console.js';
import type { Report } from '../../src/report/result.js';
import { configError, hostileCommit, promotedRollout, rolledBackRollout, skippedTriggerOnly } from './report-fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(ANSI, '');

describe('renderConsoleReport', () => {
  it('opens with tool, command and outcome, then the headline', () => {
    const lines = renderConsoleReport(promotedRollout(), { color: false }).split('\n');
    expect(lines[0]).toBe('model-release-gate 0.1.0 · release · PROMOTED');
    expect(lines[1]).toBe('Released version 7 of churn-api: alias prod promoted after 2 steps.');
  });

  it('aligns result columns, grouped by gate in pipeline order', () => {
    const text = renderConsoleReport(promotedRollout(), { color: false });
    expect(text).toContain('Results (1 warning, 4 passed)');
    const rows = text.split('\n').filter((line) => /^ {2}(STATUS|PASS|WARN|FAIL|SKIP|ERROR) /.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/)[2])).toEqual([
      'CHECK',
      'trigger.release',
      'data.rows',
      'model.precision',
      'rollout.step-1',
      'rollout.step-2',
    ]);
    const messageColumn = rows[0]?.indexOf('MESSAGE');
    expect(rows[3]?.indexOf('Precision is within')).toBe(messageColumn);
    expect(rows[2]?.indexOf('Enough rows.')).toBe(messageColumn);
    expect(rows[2]?.indexOf('>= 1000')).toBe(rows[0]?.indexOf('EXPECTED'));
  });

  it('has no escape codes without colour, and coloured status labels with it', () => {
    const report = rolledBackRollout();
    expect(renderConsoleReport(report, { color: false })).not.toMatch(ANSI);
    const coloured = renderConsoleReport(report, { color: true });
    expect(coloured).toContain('\u001b[31mFAIL\u001b[39m');
    expect(coloured).toContain('\u001b[32mPASS\u001b[39m');
    // Colour changes nothing but the escape codes, so alignment holds.
    expect(plain(coloured)).toBe(renderConsoleReport(report, { color: false }));
  });

  it('prints the timeline when a rollout ran', () => {
    const text = renderConsoleReport(rolledBackRollout(), { color: false });
    expect(text).toContain('Rollout timeline');
    const observe = text.split('\n').find((line) => line.includes(' observe '));
    expect(observe?.trim().split(/\s{2,}/)).toEqual([
      '+1:00', '1', '10%', 'observe', '40', '3 (7.5%)', '310 ms', '360', '0 (0%)', '82 ms', 'fail', '3 errors > max 0',
    ]);
    expect(renderConsoleReport(skippedTriggerOnly(), { color: false })).not.toContain('Rollout timeline');
  });

  it('lists outputs aligned and explains the exit code', () => {
    const text = renderConsoleReport(rolledBackRollout(), { color: false });
    expect(text).toContain('Outputs\n  release          = true\n  outcome          = rolled-back\n');
    expect(text).toContain('  previous-version = 6\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe('exit code 1: a gate failed the release, or the rollout was rolled back or aborted · ran 1m 05s');
    expect(renderConsoleReport(configError(), { color: false })).toContain('exit code 2: usage, configuration or input error; nothing was changed');
  });

  it('stays readable with no results and no outputs', () => {
    const empty: Report = { ...skippedTriggerOnly(), results: [], outputs: {} };
    const text = renderConsoleReport(empty, { color: false });
    expect(text).toContain('Results (no checks)\n  No checks ran.');
    expect(text).not.toContain('Outputs');
  });

  it('strips escape sequences and line breaks that come from commit text', () => {
    const text = renderConsoleReport(hostileCommit(), { color: false });
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const row = text.split('\n').find((line) => line.startsWith('  FAIL'));
    expect(row).toContain('<script>alert(1)</script>  ↵ **bold** & more[2J');
  });
});

describe('sanitizeForTerminal', () => {
  it('removes control characters and marks line breaks', () => {
    expect(sanitizeForTerminal('a\u001b[31mred\u0007\r\nb\tc\u009b')).toBe('a[31mred ↵ b c');
  });
});

describe('shouldUseColor', () => {
  it('colours a TTY and not a pipe by default', () => {
    expect(shouldUseColor({}, true)).toBe(true);
    expect(shouldUseColor({}, false)).toBe(false);
  });

  it('honours NO_COLOR when it is non-empty', () => {
    expect(shouldUseColor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(shouldUseColor({ NO_COLOR: '' }, true)).toBe(true);
  });

  it('lets FORCE_COLOR decide either way, over NO_COLOR and the TTY', () => {
    expect(shouldUseColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(shouldUseColor({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(shouldUseColor({ FORCE_COLOR: '3', NO_COLOR: '1' }, false)).toBe(true);
    expect(shouldUseColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(shouldUseColor({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });

  it('colours CI logs that render ANSI, but never a dumb terminal', () => {
    expect(shouldUseColor({ GITLAB_CI: 'true' }, false)).toBe(true);
    expect(shouldUseColor({ GITHUB_ACTIONS: 'true' }, false)).toBe(true);
    expect(shouldUseColor({ GITHUB_ACTIONS: 'true', NO_COLOR: '1' }, false)).toBe(false);
    expect(shouldUseColor({ TERM: 'dumb' }, true)).toBe(false);
  });
});
