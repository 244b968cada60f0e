/**
 * Durations as users write them in the config and in inputs: `500ms`, `30s`, `5m`, `1h`,
 * `1h30m`. A bare number is never a duration: when time governs traffic, "30" meaning
 * seconds to one reader and minutes to another is a production incident.
 */

/** Units largest first: a duration is written in this order, each unit at most once. */
const UNITS = [
  { suffix: 'h', ms: 3_600_000 },
  { suffix: 'm', ms: 60_000 },
  { suffix: 's', ms: 1_000 },
  { suffix: 'ms', ms: 1 },
] as const;

/** Same language as `$defs/duration` in the JSON Schema (a test keeps the two in step). */
const DURATION = /^(?=[0-9])(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;

/** What a user is told when a value is not a duration. */
export const DURATION_HINT = 'must be a duration like 30s, 5m or 1h';

/**
 * Parse a duration such as `1h30m` or `500ms` into milliseconds.
 * Returns undefined for anything else, including a bare number and the empty string.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  let total = 0;
  UNITS.forEach((unit, index) => {
    const digits = match[index + 1];
    if (digits !== undefined) total += Number(digits) * unit.ms;
  });
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Format milliseconds the way a user would write them: `0s`, `500ms`, `1m30s`, `1h`.
 * The result always parses back to the same value with {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration in milliseconds: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let text = '';
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.ms);
    if (count > 0) {
      text += `${count}${unit.suffix}`;
      rest -= count * unit.ms;
    }
  }
  return text;
}
