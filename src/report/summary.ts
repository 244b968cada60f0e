/**
 * The GitHub job summary (`GITHUB_STEP_SUMMARY`): GitHub-flavoured markdown with tables and
 * mermaid charts (chart-mermaid.ts). Every piece of text that can come from outside (commit headers, config
 * values, AWS error messages) goes through `escapeMarkdown`, so it can neither break a table
 * nor inject HTML into the summary page.
 */
import type { CheckResult, MinuteRow, Report, TimelineRow } from './result.js';
import {
  formatCounts,
  formatDuration,
  formatExpected,
  formatObserved,
  groupByGate,
  runDurationMs,
  statusLabel,
  timelineRowCells,
  truncateText,
  collapseTimeline,
  type CollapsedTimelineRow,
} from './format.js';
import { renderRolloutChartMarkdown } from './chart-mermaid.js';

/** Output values longer than this are cut in the summary; the full value stays in the outputs. */
const MAX_OUTPUT_CELL = 300;

/**
 * Escape untrusted text for a GFM table cell or paragraph. HTML is entity-escaped (`&`, `<`,
 * `>`), markdown punctuation that could start emphasis, links, code or a column break is
 * backslash-escaped, line breaks become `<br>` (ours, added after escaping) so a
 * multi-line commit message stays inside its cell, and other control characters are dropped.
 */
export function escapeMarkdown(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~#!])/g, '\\$1')
    .replace(/\r\n|\r|\n/g, '<br>');
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function tableHeader(headers: readonly string[]): string[] {
  return [tableRow(headers), tableRow(headers.map(() => '---'))];
}

function resultRow(result: CheckResult): string {
  return tableRow([
    escapeMarkdown(result.id),
    statusLabel(result.status),
    escapeMarkdown(formatObserved(result)),
    escapeMarkdown(formatExpected(result)),
    escapeMarkdown(result.message),
  ]);
}

function renderResults(results: readonly CheckResult[]): string[] {
  const lines = ['### Results', ''];
  if (results.length === 0) {
    lines.push('No checks ran.', '');
    return lines;
  }
  for (const { gate, results: grouped } of groupByGate(results)) {
    lines.push(`#### ${escapeMarkdown(gate)} (${formatCounts(grouped)})`, '');
    lines.push(...tableHeader(['Check', 'Status', 'Observed', 'Expected', 'Message']));
    lines.push(...grouped.map(resultRow), '');
  }
  return lines;
}

function timelineRow(collapsed: CollapsedTimelineRow): string {
  return tableRow(timelineRowCells(collapsed.row, escapeMarkdown, collapsed));
}

/**
 * The chart first (the rollout at a glance), then the full timeline folded in a <details>
 * block with identical consecutive polls collapsed: the summary leads with the outcome, the
 * headline and the results, and the timeline is there for whoever wants every poll.
 */
function renderTimeline(timeline: readonly TimelineRow[], minutes?: readonly MinuteRow[]): string[] {
  const lines = ['### Rollout timeline', ''];
  if (timeline.length === 0) {
    lines.push('The rollout recorded no steps.', '');
    return lines;
  }
  lines.push(...renderRolloutChartMarkdown(timeline, escapeMarkdown, minutes));
  const rows = collapseTimeline(timeline);
  const polls = timeline.filter((row) => row.event === 'observe').length;
  lines.push('<details>', `<summary>Every poll: ${rows.length} row${rows.length === 1 ? '' : 's'} (${polls} poll${polls === 1 ? '' : 's'}, identical consecutive polls shown once with ×N)</summary>`, '');
  lines.push(
    ...tableHeader([
      'Time',
      'Step',
      'Weight',
      'Event',
      'Canary inv',
      'Canary err',
      'Canary p99',
      'Stable inv',
      'Stable err',
      'Stable p99',
      'Verdict',
      'Reason',
    ]),
  );
  lines.push(...rows.map(timelineRow), '', '</details>', '');
  return lines;
}

/**
 * The release notes of a promoted release: the `release.notes` result's Markdown, which the
 * recorder built from escaped commit text (src/release/notes.ts), with its `###` sections moved
 * one level down, under this section's heading.
 */
function renderReleaseNotes(report: Report): string[] {
  if (report.outcome !== 'promoted') return [];
  const result = report.results.find((r) => r.id === 'release.notes' && r.gate === 'release');
  const markdown = result?.details?.['markdown'];
  if (typeof markdown !== 'string' || markdown.trim() === '') return [];
  const tag = typeof result?.observed === 'string' ? ` of ${escapeMarkdown(result.observed)}` : '';
  const body = markdown
    .trim()
    .split('\n')
    .map((line) => line.replace(/^### /, '#### '));
  return [`### Release notes${tag}`, '', ...body, ''];
}

function renderOutputs(outputs: Readonly<Record<string, string>>): string[] {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return [];
  return [
    '### Outputs',
    '',
    ...tableHeader(['Output', 'Value']),
    ...entries.map(([name, value]) =>
      tableRow([escapeMarkdown(name), escapeMarkdown(truncateText(value, MAX_OUTPUT_CELL))]),
    ),
    '',
  ];
}

/**
 * Render the GitHub job summary: title with the outcome, the headline, results grouped by
 * gate, the release notes (when promoted), the rollout timeline and its chart (when a rollout ran), the outputs, and a footer
 * with tool version and run duration.
 */
export function renderSummaryMarkdown(report: Report): string {
  const lines = [`## model-release-gate: ${report.outcome}`, '', escapeMarkdown(report.headline), ''];
  lines.push(...renderResults(report.results));
  lines.push(...renderReleaseNotes(report));
  if (report.timeline) lines.push(...renderTimeline(report.timeline, report.minutes));
  lines.push(...renderOutputs(report.outputs));
  lines.push(
    `<sub>model-release-gate ${escapeMarkdown(report.toolVersion)} · ${report.command} · ` +
      `ran ${formatDuration(runDurationMs(report))} · exit code ${report.exitCode}</sub>`,
  );
  return `${lines.join('\n')}\n`;
}
