/**
 * The machine-readable report: everything in the result model, including `details` that the
 * other reporters leave out. Key order is fixed (known keys in a documented order, then any
 * other keys alphabetically) so two runs with the same result produce the same bytes and
 * diffs between reports show only what changed.
 */
import type { Report } from './result.js';

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
const RESULT_KEYS = ['id', 'gate', 'status', 'cause', 'observed', 'expected', 'message', 'location', 'details'] as const;
const LOCATION_KEYS = ['file', 'line', 'column'] as const;
const TIMELINE_KEYS = ['atMs', 'step', 'weight', 'event', 'canary', 'stable', 'verdict', 'reason'] as const;
const SAMPLE_KEYS = ['version', 'invocations', 'errors', 'throttles', 'p99Ms'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
 */
export function renderJsonReport(report: Report): string {
  const document = ordered({ schemaVersion: JSON_REPORT_SCHEMA_VERSION, ...report }, REPORT_KEYS) as Record<
    string,
    unknown
  >;
  document.results = report.results.map((result) => {
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
