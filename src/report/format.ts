/**
 * Formatting shared by every reporter, so a number, a duration or a status reads the same in
 * the job summary, the terminal, JUnit and the annotations. Escaping is not here: each output
 * format (markdown, XML, terminal) owns its own rules.
 */
import type { CheckResult, CheckStatus, Gate, Observation, Report, TimelineRow, VersionSample } from './result.js';
import { plural } from '../core/plural.js';

/** Gates in pipeline order: results are grouped and listed in the order they ran. */
export const GATE_ORDER: readonly Gate[] = ['config', 'trigger', 'data', 'model', 'pretraffic', 'rollout', 'release', 'rollback'];

/** Status order for counts, worst first, so a summary line leads with what needs attention. */
export const STATUS_ORDER: readonly CheckStatus[] = ['error', 'fail', 'warn', 'pass', 'skip', 'info'];

const STATUS_EMOJI: Record<CheckStatus, string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  skip: '⏭️',
  error: '💥',
  info: 'ℹ️',
};

/** Status as emoji plus word (`❌ fail`): the word keeps it readable where emoji do not render. */
export function statusLabel(status: CheckStatus): string {
  return `${STATUS_EMOJI[status]} ${status}`;
}

/** The emoji alone, for compact counts (`2 ✅ 1 ❌`). */
export function statusEmoji(status: CheckStatus): string {
  return STATUS_EMOJI[status];
}

/** What each exit code tells the pipeline that ran us. */
export const EXIT_CODE_MEANING: Record<Report['exitCode'], string> = {
  0: 'released, or nothing to release',
  1: 'a gate failed the release, or the rollout was rolled back or aborted',
  2: 'usage, configuration or input error; nothing was changed',
};

/** The observed value of a result as a person reads it: its `observedText` when it has one. */
export function formatObserved(result: Pick<CheckResult, 'observed' | 'observedText'>): string {
  return result.observedText ?? formatObservation(result.observed);
}

/** The expected value of a result as a person reads it: its `expectedText` when it has one. */
export function formatExpected(result: Pick<CheckResult, 'expected' | 'expectedText'>): string {
  return result.expectedText ?? formatObservation(result.expected);
}

/** Whether a result has an observed value to show (its text or its value). */
export function hasObserved(result: Pick<CheckResult, 'observed' | 'observedText'>): boolean {
  return result.observedText !== undefined || result.observed !== undefined;
}

/** Whether a result has an expected value to show (its text or its value). */
export function hasExpected(result: Pick<CheckResult, 'expected' | 'expectedText'>): boolean {
  return result.expectedText !== undefined || result.expected !== undefined;
}

/**
 * An observation as a person reads it in a cell. `undefined` (not applicable) is empty;
 * `null` (looked, found no value) is a dash, so "no data" never looks like zero.
 */
export function formatObservation(value: Observation | undefined): string {
  if (value === undefined) return '';
  if (value === null) return '—';
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

/**
 * Integers as-is; fractions to 4 significant digits (1 decimal from 100 up) so a p-value or a
 * rate stays readable without hiding that it is small.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return String(Number(value.toFixed(1)));
  return String(Number(value.toPrecision(4)));
}

/** A 0..1 share as a percentage: `0.1` → `10%`, `0.125` → `12.5%`, `0.0004` → `0.04%`. */
export function formatPercent(fraction: number): string {
  return `${formatNumber(Number((fraction * 100).toFixed(2)))}%`;
}

/** Offset from the start of the rollout as `+m:ss` (minutes keep counting past 59). */
export function formatElapsed(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `+${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** A run length for people: `850 ms`, `4.2 s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${formatNumber(Number((ms / 1000).toFixed(1)))} s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** Wall time of the run from its ISO timestamps; NaN when either is unparsable. */
export function runDurationMs(report: Pick<Report, 'startedAt' | 'finishedAt'>): number {
  return Date.parse(report.finishedAt) - Date.parse(report.startedAt);
}

/** p99 latency for a cell; `—` when CloudWatch had no datapoint. */
export function formatLatency(p99Ms: number | null | undefined): string {
  if (p99Ms === null || p99Ms === undefined) return '—';
  return `${formatNumber(Math.round(p99Ms * 10) / 10)} ms`;
}

/** Errors over invocations, 0..1; null when the version received no invocations. */
export function errorRate(sample: VersionSample): number | null {
  return sample.invocations > 0 ? sample.errors / sample.invocations : null;
}

/** Error count with its rate: `3 (2.5%)`; the bare count when there were no invocations. */
export function formatErrors(sample: VersionSample): string {
  const rate = errorRate(sample);
  return rate === null ? String(sample.errors) : `${sample.errors} (${formatPercent(rate)})`;
}

/** Results grouped by gate in pipeline order; order within a gate is kept as reported. */
export function groupByGate(results: readonly CheckResult[]): Array<{ gate: Gate; results: CheckResult[] }> {
  const groups = new Map<Gate, CheckResult[]>();
  for (const result of results) {
    const group = groups.get(result.gate);
    if (group) group.push(result);
    else groups.set(result.gate, [result]);
  }
  const rank = (gate: Gate): number => {
    const index = GATE_ORDER.indexOf(gate);
    return index === -1 ? GATE_ORDER.length : index;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([gate, grouped]) => ({ gate, results: grouped }));
}

/** How many results have each status (every status present, zero when none). */
export function countByStatus(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0, info: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/** How a count of each status reads: `2 errors`, `1 failed`, `3 warnings`, `4 passed`, `1 skipped`, `1 info`. */
export function formatStatusCount(status: CheckStatus, count: number): string {
  switch (status) {
    case 'error':
      return plural(count, 'error');
    case 'warn':
      return plural(count, 'warning');
    case 'fail':
      return `${count} failed`;
    case 'pass':
      return `${count} passed`;
    case 'skip':
      return `${count} skipped`;
    case 'info':
      return `${count} info`;
  }
}

/** `2 failed, 1 passed, 1 info`: non-zero counts, worst first; `no checks` when empty. */
export function formatCounts(results: readonly CheckResult[]): string {
  const counts = countByStatus(results);
  const parts = STATUS_ORDER.filter((status) => counts[status] > 0).map((status) => formatStatusCount(status, counts[status]));
  return parts.length > 0 ? parts.join(', ') : 'no checks';
}

/** Cut text to `max` characters (code points), ending with `…` when cut. */
export function truncateText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * The cells of one rollout timeline row, in the column order every renderer uses (time, step,
 * weight, event, canary inv/err/p99, stable inv/err/p99, verdict, reason). `escapeText` makes the
 * free-text reason safe for the medium (Markdown table, terminal).
 */
/** A timeline row standing for `repeats` consecutive identical polls, the last at `lastAtMs`. */
export interface CollapsedTimelineRow {
  row: TimelineRow;
  repeats: number;
  lastAtMs: number;
}

/**
 * Consecutive polls that saw the same thing (same step, weight, numbers, verdict and reason:
 * the metrics are per minute and a poll comes every 15 s) as one row with "×N": a 7-minute
 * rollout reads in a dozen rows instead of forty. Shifts, extensions, the outcome and every
 * change of numbers or verdict keep their own row.
 */
export function collapseTimeline(timeline: readonly TimelineRow[]): CollapsedTimelineRow[] {
  const rows: CollapsedTimelineRow[] = [];
  const key = (row: TimelineRow) => JSON.stringify([row.step, row.weight, row.canary ?? null, row.stable ?? null, row.verdict ?? null, row.reason]);
  for (const row of timeline) {
    const last = rows.at(-1);
    if (last !== undefined && row.event === 'observe' && last.row.event === 'observe' && key(row) === key(last.row)) {
      last.repeats += 1;
      last.lastAtMs = row.atMs;
      continue;
    }
    rows.push({ row, repeats: 1, lastAtMs: row.atMs });
  }
  return rows;
}

export function timelineRowCells(row: TimelineRow, escapeText: (text: string) => string, collapsed?: Pick<CollapsedTimelineRow, 'repeats' | 'lastAtMs'>): string[] {
  const { canary, stable } = row;
  const repeated = collapsed !== undefined && collapsed.repeats > 1;
  return [
    repeated ? `${formatElapsed(row.atMs)}–${formatElapsed(collapsed.lastAtMs)}` : formatElapsed(row.atMs),
    String(row.step),
    formatPercent(row.weight),
    repeated ? `${row.event} ×${collapsed.repeats}` : row.event,
    canary ? String(canary.invocations) : '',
    canary ? formatErrors(canary) : '',
    canary ? formatLatency(canary.p99Ms) : '',
    stable ? String(stable.invocations) : '',
    stable ? formatErrors(stable) : '',
    stable ? formatLatency(stable.p99Ms) : '',
    row.verdict ?? '',
    escapeText(row.reason),
  ];
}
