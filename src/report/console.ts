/**
 * The terminal report of the CLI (local runs and GitLab job logs): headline, aligned result
 * columns, the rollout timeline, outputs and what the exit code means. Text from outside is
 * stripped of control characters first, so a commit message cannot move the cursor, clear
 * the screen or recolour the log with its own escape sequences.
 */
import type { CheckStatus, Outcome, Report, TimelineRow } from './result.js';
import {
  EXIT_CODE_MEANING,
  formatCounts,
  formatDuration,
  formatExpected,
  formatObserved,
  groupByGate,
  runDurationMs,
  timelineRowCells,
  collapseTimeline,
  type CollapsedTimelineRow,
  truncateText,
} from './format.js';
import { inSection, type LogSectionStyle } from './log-sections.js';

export interface ConsoleOptions {
  /** Emit ANSI colours (decide with `shouldUseColor`). */
  color: boolean;
  /**
   * Fold the long parts (results, timeline, outputs) into the CI log's sections (logSectionStyle):
   * GitHub `::group::`, GitLab collapsible sections; default none (a terminal).
   */
  sections?: LogSectionStyle;
}

/**
 * Observed/expected values wider than this are cut; the JSON report has them in full. Wide
 * enough for a data check's self-describing text ("3 values outside [0, 120] (min -4, max 130)").
 */
const MAX_VALUE_WIDTH = 48;
const MAX_OUTPUT_WIDTH = 120;

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'boldRed';

const ANSI: Record<Style, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  boldRed: ['\u001b[1;31m', '\u001b[22;39m'],
};

const STATUS_STYLE: Record<CheckStatus, Style> = {
  pass: 'green',
  fail: 'red',
  warn: 'yellow',
  skip: 'dim',
  error: 'boldRed',
  info: 'cyan',
};

const OUTCOME_STYLE: Record<Outcome, Style> = {
  promoted: 'green',
  'rolled-back': 'red',
  aborted: 'red',
  skipped: 'dim',
  checked: 'cyan',
  planned: 'cyan',
  'rolled-back-manually': 'yellow',
};

/**
 * Make outside text safe and single-line for a terminal: line breaks become ` ↵ `, tabs a
 * space, and every other C0/C1 control character (ESC included) is removed.
 */
export function sanitizeForTerminal(text: string): string {
  return (
    text
      .replace(/\r\n|\r|\n/g, ' ↵ ')
      .replace(/\t/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001F\u007F-\u009F]/g, '')
  );
}

/**
 * Whether to colour terminal output, following Node's own precedence: `FORCE_COLOR` decides
 * when set (`''`, `1`, `2`, `3`, `true` force colour; `0`, `false` or anything else disable
 * it); else a non-empty `NO_COLOR` (no-color.org) or `TERM=dumb` disables it; else the
 * GitHub Actions and GitLab job logs, which render ANSI without a TTY, get colour; else
 * colour only on a TTY.
 */
export function shouldUseColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (env.GITHUB_ACTIONS === 'true' || env.GITLAB_CI === 'true') return true;
  return isTTY;
}

/** One rendering context: colour on or off, plus column alignment that ignores escape codes. */
class Painter {
  constructor(private readonly color: boolean) {}

  paint(text: string, style: Style): string {
    if (!this.color || text === '') return text;
    const [open, close] = ANSI[style];
    return `${open}${text}${close}`;
  }

  /** Rows as aligned columns; the last column is not padded; `styles` colours whole cells. */
  columns(rows: readonly string[][], styleOf: (row: number, column: number) => Style | undefined): string[] {
    const widths: number[] = [];
    for (const row of rows) {
      row.forEach((cell, column) => {
        widths[column] = Math.max(widths[column] ?? 0, Array.from(cell).length);
      });
    }
    return rows.map((row, rowIndex) =>
      row
        .map((cell, column) => {
          const last = column === row.length - 1;
          const padded = last ? cell : cell + ' '.repeat((widths[column] ?? 0) - Array.from(cell).length);
          const style = styleOf(rowIndex, column);
          // Pad outside the colour so trailing spaces are never underlined or highlighted.
          return style ? this.paint(cell, style) + padded.slice(cell.length) : padded;
        })
        .join('  ')
        .trimEnd(),
    );
  }
}

/** Wraps a part of the report in a log section, or heads it with its bold title in a terminal. */
type Section = (title: string, body: string[], options?: { collapsed?: boolean }) => string[];

function renderResults(report: Report, painter: Painter, section: Section): string[] {
  const title = `Results (${formatCounts(report.results)})`;
  if (report.results.length === 0) return [...section(title, ['  No checks ran.']), ''];
  // Folded only when nothing in it needs a person: a failure, an error or a warning stays open.
  const attention = report.results.some((r) => r.status === 'fail' || r.status === 'error' || r.status === 'warn');
  const rows: string[][] = [['STATUS', 'GATE', 'CHECK', 'OBSERVED', 'EXPECTED', 'MESSAGE']];
  const statuses: Array<CheckStatus | undefined> = [undefined];
  for (const { results } of groupByGate(report.results)) {
    for (const result of results) {
      statuses.push(result.status);
      rows.push([
        result.status.toUpperCase(),
        result.gate,
        sanitizeForTerminal(result.id),
        truncateText(sanitizeForTerminal(formatObserved(result)), MAX_VALUE_WIDTH),
        truncateText(sanitizeForTerminal(formatExpected(result)), MAX_VALUE_WIDTH),
        sanitizeForTerminal(result.message),
      ]);
    }
  }
  const aligned = painter.columns(rows, (row, column) => {
    if (row === 0) return 'dim';
    const status = statuses[row];
    return column === 0 && status ? STATUS_STYLE[status] : undefined;
  });
  return [...section(title, aligned.map((line) => `  ${line}`), { collapsed: !attention }), ''];
}

function timelineCells(collapsed: CollapsedTimelineRow): string[] {
  return timelineRowCells(collapsed.row, sanitizeForTerminal, collapsed);
}

const VERDICT_STYLE: Record<NonNullable<TimelineRow['verdict']>, Style> = {
  pass: 'green',
  fail: 'red',
  continue: 'dim',
  inconclusive: 'yellow',
};

function renderTimeline(timeline: readonly TimelineRow[], painter: Painter, section: Section): string[] {
  if (timeline.length === 0) return [...section('Rollout timeline', ['  The rollout recorded no steps.']), ''];
  const header = ['TIME', 'STEP', 'WEIGHT', 'EVENT', 'CANARY INV', 'ERR', 'P99', 'STABLE INV', 'ERR', 'P99', 'VERDICT', 'REASON'];
  const rows = collapseTimeline(timeline);
  const aligned = painter.columns([header, ...rows.map(timelineCells)], (row, column) => {
    if (row === 0) return 'dim';
    const verdict = rows[row - 1]?.row.verdict;
    return column === 10 && verdict ? VERDICT_STYLE[verdict] : undefined;
  });
  return [...section('Rollout timeline', aligned.map((line) => `  ${line}`), { collapsed: true }), ''];
}

function renderOutputs(outputs: Readonly<Record<string, string>>, section: Section): string[] {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return [];
  const width = Math.max(...entries.map(([name]) => Array.from(sanitizeForTerminal(name)).length));
  const lines = entries.map(
    ([name, value]) => `  ${sanitizeForTerminal(name).padEnd(width)} = ${truncateText(sanitizeForTerminal(value), MAX_OUTPUT_WIDTH)}`,
  );
  return [...section('Outputs', lines, { collapsed: true }), ''];
}

/**
 * Render the report for a terminal: tool and outcome, headline, results in aligned columns
 * (status labels coloured when `options.color`), the rollout timeline when there is one, the
 * outputs, and a last line with the exit code, its meaning and the run duration. With
 * `options.sections`, the results (unless one needs attention), the timeline and the outputs
 * fold into the CI log's sections, so the headline and the exit line stay in sight.
 */
export function renderConsoleReport(report: Report, options: ConsoleOptions): string {
  const painter = new Painter(options.color);
  const style = options.sections ?? 'none';
  const finished = Date.parse(report.finishedAt);
  const nowMs = Number.isFinite(finished) ? finished : 0;
  // In a terminal a part is its bold title then its lines; in a CI log the title heads a fold.
  // GitHub folds every group, so a part that must stay open is not grouped there.
  const section: Section = (title, body, sectionOptions = {}) =>
    style === 'none' || (style === 'github' && sectionOptions.collapsed !== true)
      ? [painter.paint(title, 'bold'), ...body]
      : inSection(style, title, body, { nowMs, collapsed: sectionOptions.collapsed === true });
  const lines = [
    `${painter.paint('model-release-gate', 'bold')} ${sanitizeForTerminal(report.toolVersion)} · ${report.command} · ` +
      painter.paint(report.outcome.toUpperCase(), OUTCOME_STYLE[report.outcome]),
    sanitizeForTerminal(report.headline),
    '',
    ...renderResults(report, painter, section),
  ];
  if (report.timeline) lines.push(...renderTimeline(report.timeline, painter, section));
  lines.push(...renderOutputs(report.outputs, section));
  const exit = `exit code ${report.exitCode}: ${EXIT_CODE_MEANING[report.exitCode]}`;
  lines.push(
    `${painter.paint(exit, report.exitCode === 0 ? 'green' : 'red')} · ran ${formatDuration(runDurationMs(report))}`,
  );
  return `${lines.join('\n')}\n`;
}
