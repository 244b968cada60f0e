import { escapeMarkdown, renderSummaryMarkdown } from '../../src/report/summary.js';
import type { Report } from '../../src/report/result.js';
import { configError, hostileCommit, promotedRollout, rolledBackRollout, skippedTriggerOnly } from './report-fixtures.js';

/** Cells of a GFM table row, splitting on unescaped pipes as GitHub does. */
function cells(row: string): string[] {
  return row
    .replace(/^\|\s?/, '')
    .replace(/\s?\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function rowFor(markdown: string, firstCell: string): string[] {
  const row = markdown.split('\n').find((line) => line.startsWith(`| ${firstCell} |`));
  if (!row) throw new Error(`no table row starting with ${firstCell}`);
  return cells(row);
}

describe('renderSummaryMarkdown', () => {
  it('starts with the outcome title and the headline, and ends with version and duration', () => {
    const markdown = renderSummaryMarkdown(promotedRollout());
    const lines = markdown.trimEnd().split('\n');
    expect(lines[0]).toBe('## model-release-gate: promoted');
    expect(lines[2]).toBe('Released version 7 of churn-api: alias prod promoted after 2 steps.');
    expect(lines.at(-1)).toBe('<sub>model-release-gate 0.1.0 · release · ran 2m 06s · exit code 0</sub>');
  });

  it('groups results by gate in pipeline order with a five-column table each', () => {
    const markdown = renderSummaryMarkdown(promotedRollout());
    const headings = markdown.split('\n').filter((line) => line.startsWith('#### '));
    expect(headings).toEqual(['#### trigger (1 passed)', '#### data (1 passed)', '#### model (1 warning)', '#### rollout (2 passed)']);
    expect(markdown).toContain('| Check | Status | Observed | Expected | Message |');
    expect(rowFor(markdown, 'model.precision')).toEqual([
      'model.precision',
      '⚠️ warn',
      '0.9123',
      '&gt;= 0.91',
      'Precision is within 0.5 points of the floor.',
    ]);
    // Machine-only details never reach the summary.
    expect(markdown).not.toContain('pValue');
  });

  it('renders the 6-row timeline with canary and stable samples', () => {
    const markdown = renderSummaryMarkdown(promotedRollout());
    expect(markdown).toContain('### Rollout timeline');
    const header = cells(markdown.split('\n').find((line) => line.startsWith('| Time |')) ?? '');
    expect(header).toHaveLength(12);
    const timelineRows = markdown.split('\n').filter((line) => /^\| \+\d+:\d\d \|/.test(line));
    expect(timelineRows).toHaveLength(6);
    expect(rowFor(markdown, '+1:01')).toEqual([
      '+1:01', '1', '10%', 'observe', '120', '0 (0%)', '85.4 ms', '1080', '1 (0.09%)', '80 ms', 'pass', '0 errors in 120 invocations',
    ]);
    // Stable with no p99 datapoint shows a dash, not 0.
    expect(rowFor(markdown, '+2:02')[9]).toBe('—');
    expect(rowFor(markdown, '+2:05').slice(0, 4)).toEqual(['+2:05', '2', '100%', 'promote']);
  });

  it('charts error rates and weight per minute in two mermaid charts (test/unit/report-chart.test.ts has the details)', () => {
    const markdown = renderSummaryMarkdown(rolledBackRollout());
    const charts = [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(charts).toHaveLength(2);
    expect(charts[0]).toContain('x-axis "minutes since the rollout started" ["m0", "m1"]');
    const lines = (chart: string, kind: string) => chart.split('\n').map((line) => line.trim()).filter((line) => line.startsWith(`${kind} `));
    expect(lines(charts[0]!, 'line')).toEqual(['line [0, 7.5]', 'line [0, 0]']);
    expect(charts[0]).toContain('y-axis "error rate %" 0 --> 10');
    expect(lines(charts[1]!, 'bar')).toEqual(['bar [10, 10]']);
    expect(markdown).toContain('**Rolled back at 1m 01s (step 1, weight 10%).**');
  });

  it('has no timeline or chart when no rollout ran', () => {
    const markdown = renderSummaryMarkdown(skippedTriggerOnly());
    expect(markdown).not.toContain('Rollout timeline');
    expect(markdown).not.toContain('mermaid');
    expect(rowFor(markdown, 'trigger.release')).toEqual([
      'trigger.release',
      '⏭️ skip',
      'docs(readme): fix typo',
      'feat\\|fix\\|perf\\|revert(api)',
      'No commit in scope among 1 considered.',
    ]);
  });

  it('lists the outputs in a small table', () => {
    const markdown = renderSummaryMarkdown(skippedTriggerOnly());
    expect(markdown).toContain('| Output | Value |');
    expect(rowFor(markdown, 'release')).toEqual(['release', 'false']);
    expect(rowFor(markdown, 'commits')).toEqual(['commits', '\\[\\]']);
  });

  it('stays readable with no results and no outputs', () => {
    const empty: Report = { ...configError(), results: [], outputs: {} };
    const markdown = renderSummaryMarkdown(empty);
    expect(markdown).toContain('No checks ran.');
    expect(markdown).not.toContain('| Check |');
    expect(markdown).not.toContain('### Outputs');
    expect(markdown).toContain('exit code 2');
  });

  it('shows an error with its status label', () => {
    expect(rowFor(renderSummaryMarkdown(configError()), 'config.schema')[1]).toBe('💥 error');
    expect(rowFor(renderSummaryMarkdown(rolledBackRollout()), 'rollout.step-1').slice(1, 4)).toEqual(['❌ fail', '3', '0']);
  });

  it('keeps a hostile commit header inside its cell and never emits its HTML', () => {
    const markdown = renderSummaryMarkdown(hostileCommit());
    expect(markdown).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex
    expect(markdown).not.toMatch(/[\u0000-\u0008\u001b]/);
    const row = rowFor(markdown, 'trigger.release');
    // Five columns despite the `|` and the newline in the header.
    expect(row).toHaveLength(5);
    expect(row[2]).toBe('feat(api): speed up \\| &lt;script&gt;alert(1)&lt;/script&gt; <br>\\*\\*bold\\*\\* &amp; more');
    // The whole row stays on one line.
    const line = markdown.split('\n').find((l) => l.startsWith('| trigger.release |')) ?? '';
    expect(line.endsWith('|')).toBe(true);
    // The headline paragraph cannot become bold text or raw HTML either.
    expect(markdown.split('\n')[2]).toContain('\\*\\*bold\\*\\*');
  });
});

describe('renderSummaryMarkdown: release notes', () => {
  /** The notes as the recorder writes them: escaped commit text, our own headings and links. */
  const NOTES = '### ⚠ BREAKING CHANGES\n\n* **api:** drops \\`score\\_v1\\`\n\n### Features\n\n* **api:** add &lt;b&gt;explain&lt;/b&gt; ([abc1234](https://forge.example/c/abc1234))\n';
  const withNotes = (report: Report): Report => ({
    ...report,
    results: [
      ...report.results,
      { id: 'release.tag', gate: 'release', status: 'pass', observed: 'model-v2.0.0', message: 'Created release model-v2.0.0 at abc1234.' },
      { id: 'release.notes', gate: 'release', status: 'pass', observed: 'model-v2.0.0', message: 'Release notes of model-v2.0.0: 1 commit.', details: { markdown: NOTES } },
    ],
  });

  it('shows the notes of a promoted release after the results, their sections one level down', () => {
    const markdown = renderSummaryMarkdown(withNotes(promotedRollout()));
    const section = markdown.slice(markdown.indexOf('### Release notes'), markdown.indexOf('### Rollout timeline'));
    expect(section).toBe(
      '### Release notes of model-v2.0.0\n\n#### ⚠ BREAKING CHANGES\n\n* **api:** drops \\`score\\_v1\\`\n\n#### Features\n\n* **api:** add &lt;b&gt;explain&lt;/b&gt; ([abc1234](https://forge.example/c/abc1234))\n\n',
    );
    expect(markdown.indexOf('### Results')).toBeLessThan(markdown.indexOf('### Release notes'));
  });

  it('shows no notes when the release was not promoted, or when there are none', () => {
    expect(renderSummaryMarkdown(withNotes(rolledBackRollout()))).not.toContain('### Release notes');
    expect(renderSummaryMarkdown(promotedRollout())).not.toContain('### Release notes');
  });
});

describe('escapeMarkdown', () => {
  it('escapes table, HTML and emphasis characters and keeps line breaks in the cell', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeMarkdown('x\r\ny\nz')).toBe('x<br>y<br>z');
    expect(escapeMarkdown('[link](javascript:alert(1))')).toBe('\\[link\\](javascript:alert(1))');
    expect(escapeMarkdown('&lt;')).toBe('&amp;lt;');
  });
});

describe('a long rollout in the summary', () => {
  /** A 7-minute rollout polled every 15 s: each minute's numbers are read four times. */
  function longRollout(): Report {
    const report = promotedRollout();
    const rows: NonNullable<Report['timeline']> = [{ atMs: 0, step: 1, weight: 0.1, event: 'shift', reason: 'Shifted 10% to version 7.' }];
    for (let minute = 1; minute <= 7; minute++) {
      for (let poll = 0; poll < 4; poll++) {
        rows.push({
          atMs: minute * 60_000 + poll * 15_000,
          step: 1,
          weight: 0.1,
          event: 'observe',
          canary: { version: '7', invocations: minute * 60, errors: 0, throttles: 0, p99Ms: 120 },
          stable: { version: '6', invocations: minute * 540, errors: 1, throttles: 0, p99Ms: 118 },
          verdict: 'continue',
          reason: `${minute} published minute${minute === 1 ? '' : 's'}: no error.`,
        });
      }
    }
    rows.push({ atMs: 8 * 60_000, step: 1, weight: 1, event: 'promote', reason: 'Promoted version 7.' });
    return { ...report, timeline: rows };
  }

  it('folds the timeline in <details> after the chart, one row per distinct poll with ×N and its time span', () => {
    const markdown = renderSummaryMarkdown(longRollout());
    const section = markdown.slice(markdown.indexOf('### Rollout timeline'));
    expect(section.indexOf('```mermaid')).toBeLessThan(section.indexOf('<details>'));
    expect(section).toContain('<summary>Every poll: 9 rows (28 polls, identical consecutive polls shown once with ×N)</summary>');
    const timelineRows = section.split('\n').filter((line) => /^\| \+\d+:\d\d/.test(line));
    expect(timelineRows).toHaveLength(9);
    expect(cells(timelineRows[1]!).slice(0, 4)).toEqual(['+1:00–+1:45', '1', '10%', 'observe ×4']);
    expect(cells(timelineRows[0]!)[3]).toBe('shift');
    expect(cells(timelineRows.at(-1)!)[3]).toBe('promote');
    expect(section.indexOf('</details>')).toBeGreaterThan(section.lastIndexOf('| +8:00'));
  });

  it('never merges polls whose numbers or verdict differ, nor a shift with a poll', () => {
    const report = longRollout();
    const timeline = report.timeline!.map((row, i) => (i === 3 ? { ...row, verdict: 'pass' as const } : row));
    const markdown = renderSummaryMarkdown({ ...report, timeline });
    const spans = markdown.split('\n').filter((line) => /^\| \+1:/.test(line)).map((line) => cells(line).slice(0, 4).join(' '));
    expect(spans).toEqual(['+1:00–+1:15 1 10% observe ×2', '+1:30 1 10% observe', '+1:45 1 10% observe']);
  });
});
