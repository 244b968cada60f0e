/**
 * Folds in the CI log: GitHub `::group::`, GitLab collapsible sections in exactly the form GitLab
 * documents (`\e[0Ksection_start:<unix seconds>:<name>[collapsed=true]\r\e[0K<header>` …
 * `\e[0Ksection_end:<unix seconds>:<name>\r\e[0K`), nothing in a terminal.
 */
import { jest } from '@jest/globals';
import { renderConsoleReport } from '../../src/report/console.js';
import { inSection, logSectionStyle, sectionEnd, sectionName, sectionStart } from '../../src/report/log-sections.js';
import { consoleLogger, consoleLoggerFor } from '../../src/platform/cli.js';
import { actionsLogger } from '../../src/platform/github.js';
import { promotedRollout, rolledBackRollout } from './report-fixtures.js';

const ESC = '\u001b';
const AT = Date.UTC(2026, 2, 2, 10, 0, 1, 500);

describe('log sections', () => {
  it('follow the CI the process runs in', () => {
    expect(logSectionStyle({ GITHUB_ACTIONS: 'true' })).toBe('github');
    expect(logSectionStyle({ GITLAB_CI: 'true' })).toBe('gitlab');
    expect(logSectionStyle({})).toBe('none');
  });

  it('GitHub: ::group::<title> … ::endgroup::', () => {
    expect(sectionStart('github', 'x', 'Rollout timeline', { nowMs: AT })).toBe('::group::Rollout timeline');
    expect(sectionEnd('github', 'x', { nowMs: AT })).toBe('::endgroup::');
  });

  it('GitLab: section_start/section_end with unix seconds, the name, [collapsed=true] and the header', () => {
    expect(sectionStart('gitlab', 'rollout_timeline', 'Rollout timeline', { nowMs: AT, collapsed: true })).toBe(
      `${ESC}[0Ksection_start:1772445601:rollout_timeline[collapsed=true]\r${ESC}[0KRollout timeline`,
    );
    expect(sectionStart('gitlab', 'results', 'Results', { nowMs: AT })).toBe(`${ESC}[0Ksection_start:1772445601:results\r${ESC}[0KResults`);
    expect(sectionEnd('gitlab', 'rollout_timeline', { nowMs: AT })).toBe(`${ESC}[0Ksection_end:1772445601:rollout_timeline\r${ESC}[0K`);
  });

  it('name GitLab sections with only the characters GitLab allows', () => {
    expect(sectionName('Results (3 passed, 1 info)')).toBe('results_3_passed_1_info');
    expect(sectionName('Rollout of version 8 on lambda:churn-model:prod')).toBe('rollout_of_version_8_on_lambda_churn-model_prod');
    expect(sectionName('✨')).toBe('section');
  });

  it('leave a terminal as it was: the header as a plain first line', () => {
    expect(inSection('none', 'Outputs', ['  a = 1'], { nowMs: AT })).toEqual(['Outputs', '  a = 1']);
  });
});

describe('the console report in a CI log', () => {
  it('is unchanged in a terminal', () => {
    expect(renderConsoleReport(promotedRollout(), { color: false, sections: 'none' })).toBe(renderConsoleReport(promotedRollout(), { color: false }));
  });

  it('GitHub: folds the passing results, the timeline and the outputs; the headline and exit line stay outside', () => {
    const lines = renderConsoleReport(promotedRollout(), { color: false, sections: 'github' }).split('\n');
    const groups = lines.filter((l) => l.startsWith('::group::'));
    expect(groups).toEqual(['::group::Rollout timeline', '::group::Outputs']);
    expect(lines.filter((l) => l === '::endgroup::')).toHaveLength(groups.length);
    // The promoted fixture has a warning: its results stay open (GitHub cannot open a group by default).
    expect(lines).toContain('Results (1 warning, 4 passed)');
    expect(lines[1]).toBe('Released version 7 of churn-api: alias prod promoted after 2 steps.');
    expect(lines.at(-2)).toMatch(/^exit code 0: /);
    const start = lines.indexOf('::group::Rollout timeline');
    expect(lines[start + 1]).toMatch(/^ {2}TIME +STEP/);
  });

  it('GitLab: a collapsed section for the timeline and outputs, an open one for results that need attention', () => {
    const text = renderConsoleReport(rolledBackRollout(), { color: false, sections: 'gitlab' });
    const starts = text.split('\n').filter((l) => l.includes('section_start:'));
    expect(starts.map((l) => l.replace(/section_start:\d+:/, 'section_start:T:'))).toEqual([
      // eslint-disable-next-line no-control-regex
      expect.stringMatching(/^\u001b\[0Ksection_start:T:results_[a-z0-9_]+\r\u001b\[0KResults \(/),
      `${ESC}[0Ksection_start:T:rollout_timeline[collapsed=true]\r${ESC}[0KRollout timeline`,
      `${ESC}[0Ksection_start:T:outputs[collapsed=true]\r${ESC}[0KOutputs`,
    ]);
    expect(text.split('\n').filter((l) => l.includes('section_end:'))).toHaveLength(3);
  });

  it('GitLab: all-passing results fold too', () => {
    const report = promotedRollout();
    report.results = report.results.filter((r) => r.status === 'pass');
    const text = renderConsoleReport(report, { color: false, sections: 'gitlab' });
    // eslint-disable-next-line no-control-regex
    expect(text).toMatch(/section_start:\d+:results_\d+_passed\[collapsed=true\]\r\u001b\[0KResults \(\d+ passed\)/);
  });
});

describe('the loggers fold the rollout live log', () => {
  it('CLI in a GitLab job: collapsed sections with matching names, nested ones closed in order', () => {
    const written: string[] = [];
    const log = consoleLoggerFor({ GITLAB_CI: 'true' }, (line) => written.push(line), () => AT);
    log.startGroup?.('Rollout of version 8: live log');
    log.endGroup?.();
    expect(written).toEqual([
      `${ESC}[0Ksection_start:1772445601:rollout_of_version_8_live_log_1[collapsed=true]\r${ESC}[0KRollout of version 8: live log`,
      `${ESC}[0Ksection_end:1772445601:rollout_of_version_8_live_log_1\r${ESC}[0K`,
    ]);
  });

  it('CLI in a terminal: no groups', () => {
    expect(consoleLoggerFor({})).toBe(consoleLogger);
  });

  it('the action: @actions/core groups', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      actionsLogger.startGroup?.('Rollout of version 8: live log');
      actionsLogger.endGroup?.();
      expect(write.mock.calls.map((call) => String(call[0]).trim())).toEqual(['::group::Rollout of version 8: live log', '::endgroup::']);
    } finally {
      write.mockRestore();
    }
  });
});
