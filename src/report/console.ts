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
  formatObservation,
  groupByGate,
  runDurationMs,
  timelineRowCells,
  collapseTimeline,
  type CollapsedTimelineRow,
  truncateText,
} from './format.js';

export interface ConsoleOptions {
  /** Emit ANSI colours (decide with `shouldUseColor`). */
  color: boolean;
}

/** Observed/expected values wider than this are cut; the JSON report has them in full. */
const MAX_VALUE_WIDTH = 24;
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

function renderResults(report: Report, painter: Painter): string[] {
  const lines = [painter.paint(`Results (${formatCounts(report.results)})`, 'bold')];
  if (report.results.length === 0) return [...lines, '  No checks ran.', ''];
  const rows: string[][] = [['STATUS', 'GATE', 'CHECK', 'OBSERVED', 'EXPECTED', 'MESSAGE']];
  const statuses: Array<CheckStatus | undefined> = [undefined];
  for (const { results } of groupByGate(report.results)) {
    for (const result of results) {
      statuses.push(result.status);
      rows.push([
        result.status.toUpperCase(),
        result.gate,
        sanitizeForTerminal(result.id),
        truncateText(sanitizeForTerminal(formatObservation(result.observed)), MAX_VALUE_WIDTH),
        truncateText(sanitizeForTerminal(formatObservation(result.expected)), MAX_VALUE_WIDTH),
        sanitizeForTerminal(result.message),
      ]);
    }
  }
  const aligned = painter.columns(rows, (row, column) => {
    if (row === 0) return 'dim';
    const status = statuses[row];
    return column === 0 && status ? STATUS_STYLE[status] : undefined;
  });
  return [...lines, ...aligned.map((line) => `  ${line}`), ''];
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

function renderTimeline(timeline: readonly TimelineRow[], painter: Painter): string[] {
  const lines = [painter.paint('Rollout timeline', 'bold')];
  if (timeline.length === 0) return [...lines, '  The rollout recorded no steps.', ''];
  const header = ['TIME', 'STEP', 'WEIGHT', 'EVENT', 'CANARY INV', 'ERR', 'P99', 'STABLE INV', 'ERR', 'P99', 'VERDICT', 'REASON'];
  const rows = collapseTimeline(timeline);
  const aligned = painter.columns([header, ...rows.map(timelineCells)], (row, column) => {
    if (row === 0) return 'dim';
    const verdict = rows[row - 1]?.row.verdict;
    return column === 10 && verdict ? VERDICT_STYLE[verdict] : undefined;
  });
  return [...lines, ...aligned.map((line) => `  ${line}`), ''];
}

function renderOutputs(outputs: Readonly<Record<string, string>>, painter: Painter): string[] {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return [];
  const width = Math.max(...entries.map(([name]) => Array.from(sanitizeForTerminal(name)).length));
  return [
    painter.paint('Outputs', 'bold'),
    ...entries.map(
      ([name, value]) =>
        `  ${sanitizeForTerminal(name).padEnd(width)} = ${truncateText(sanitizeForTerminal(value), MAX_OUTPUT_WIDTH)}`,
    ),
    '',
  ];
}

/**
 * Render the report for a terminal: tool and outcome, headline, results in aligned columns
 * (status labels coloured when `options.color`), the rollout timeline when there is one, the
 * outputs, and a last line with the exit code, its meaning and the run duration.
 */
export function renderConsoleReport(report: Report, options: ConsoleOptions): string {
  const painter = new Painter(options.color);
  const lines = [
    `${painter.paint('model-release-gate', 'bold')} ${sanitizeForTerminal(report.toolVersion)} · ${report.command} · ` +
      painter.paint(report.outcome.toUpperCase(), OUTCOME_STYLE[report.outcome]),
    sanitizeForTerminal(report.headline),
    '',
    ...renderResults(report, painter),
  ];
  if (report.timeline) lines.push(...renderTimeline(report.timeline, painter));
  lines.push(...renderOutputs(report.outputs, painter));
  const exit = `exit code ${report.exitCode}: ${EXIT_CODE_MEANING[report.exitCode]}`;
  lines.push(
    `${painter.paint(exit, report.exitCode === 0 ? 'green' : 'red')} · ran ${formatDuration(runDurationMs(report))}`,
  );
  return `${lines.join('\n')}\n`;
}
