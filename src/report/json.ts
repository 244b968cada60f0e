/**
 * The machine-readable report: everything in the result model, including `details` that the
 * other reporters leave out. Key order is fixed (known keys in a documented order, then any
 * other keys alphabetically) so two runs with the same result produce the same bytes and
 * diffs between reports show only what changed.
 *
 * By default the report leaves out the bulky diagnostics of the data gate (`report.verbose`
 * keeps them): the SQL text of its queries and the vectors its drift statistics were computed
 * from. At 5M rows they were nine tenths of the file; every number a verdict rests on stays.
 */
import type { CheckResult, Report } from './result.js';

/** Bumped when a consumer-visible field changes meaning or is removed (adding fields is not a bump). */
export const JSON_REPORT_SCHEMA_VERSION = 1;

const REPORT_KEYS = [
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
] as const;
const RESULT_KEYS = ['id', 'gate', 'status', 'cause', 'observed', 'observedText', 'expected', 'expectedText', 'message', 'location', 'details'] as const;
const LOCATION_KEYS = ['file', 'line', 'column'] as const;
const TIMELINE_KEYS = ['atMs', 'step', 'weight', 'event', 'canary', 'stable', 'verdict', 'reason'] as const;
const SAMPLE_KEYS = ['version', 'invocations', 'errors', 'throttles', 'p99Ms'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface JsonReportOptions {
  /** Keep the bulky diagnostics (`report.verbose`). Default false: see {@link withoutDiagnostics}. */
  verbose?: boolean;
}

/**
 * A data-gate result without its bulky diagnostics:
 * - `details.queries[].sql` (the `data.plan` result): the SQL of each pass; `pass` and `ms` stay;
 * - every array of `details.input` (a drift result): the CDF grid and both CDFs (and their left
 *   limits), quantiles and their probabilities, PSI bin cuts and bin counts, a categorical
 *   column's categories and counts per category. The input's scalars stay (kind, column, counts,
 *   reference standard deviation, tail sums), as do the statistic, p-values, threshold, verdict
 *   and reason beside it.
 * Other gates' details are small and kept whole.
 */
function withoutDiagnostics(result: CheckResult): CheckResult {
  if (result.gate !== 'data' || !isPlainObject(result.details)) return result;
  const details = { ...result.details };
  if (Array.isArray(details.queries)) {
    details.queries = details.queries.map((query: unknown) => {
      if (!isPlainObject(query)) return query;
      const { sql: _sql, ...rest } = query;
      return rest;
    });
  }
  if (isPlainObject(details.input)) details.input = Object.fromEntries(Object.entries(details.input).filter(([, value]) => !Array.isArray(value)));
  return { ...result, details };
}

/** Known keys first in the given order, then the rest sorted; nested values sorted recursively. */
function ordered(value: unknown, known: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item));
  if (typeof value === 'bigint') return value.toString();
  if (!isPlainObject(value)) return value;
  const rest = Object.keys(value)
    .filter((key) => !known.includes(key))
    .sort();
  const out: Record<string, unknown> = {};
  for (const key of [...known, ...rest]) {
    if (key in value) out[key] = ordered(value[key]);
  }
  return out;
}

/**
 * Render the report as pretty JSON with `schemaVersion` first and a stable key order at every
 * level (outputs and details sorted by key). Non-finite numbers become `null`, as in JSON.
 * Without `verbose`, data-gate results lose their bulky diagnostics ({@link withoutDiagnostics}).
 */
export function renderJsonReport(report: Report, options: JsonReportOptions = {}): string {
  const document = ordered({ schemaVersion: JSON_REPORT_SCHEMA_VERSION, ...report }, REPORT_KEYS) as Record<
    string,
    unknown
  >;
  document.results = report.results.map((given) => {
    const result = options.verbose === true ? given : withoutDiagnostics(given);
    const shaped = ordered(result, RESULT_KEYS) as Record<string, unknown>;
    if (result.location) shaped.location = ordered(result.location, LOCATION_KEYS);
    return shaped;
  });
  if (report.timeline) {
    document.timeline = report.timeline.map((row) => {
      const shaped = ordered(row, TIMELINE_KEYS) as Record<string, unknown>;
      if (row.canary) shaped.canary = ordered(row.canary, SAMPLE_KEYS);
      if (row.stable) shaped.stable = ordered(row.stable, SAMPLE_KEYS);
      return shaped;
    });
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}
