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

/** Unit words people write, by what they mean; matched case-sensitively first (`M` is not `m`). */
const UNIT_WORDS: ReadonlyArray<{ ms: number; words: readonly string[] }> = [
  { ms: 86_400_000, words: ['d', 'day', 'days'] },
  { ms: 3_600_000, words: ['h', 'hr', 'hrs', 'hour', 'hours'] },
  { ms: 60_000, words: ['m', 'min', 'mins', 'minute', 'minutes'] },
  { ms: 1_000, words: ['s', 'sec', 'secs', 'second', 'seconds'] },
  { ms: 1, words: ['ms', 'msec', 'msecs', 'millis', 'millisecond', 'milliseconds'] },
];

function unitMs(word: string): number | undefined {
  const lower = word.toLowerCase();
  // `M` and `MS` are read as minutes and milliseconds, the only sensible guesses in a config of durations.
  return UNIT_WORDS.find((unit) => unit.words.includes(lower))?.ms;
}

/** `10 min`, `1.5h`, `30m1h`: number-and-unit pairs as a person would mean them, or undefined. */
function readLoosely(text: string): { ms: number; parts: Array<{ amount: string; unit: string }> } | undefined {
  const parts: Array<{ amount: string; unit: string }> = [];
  const part = /\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-zA-Z]+)\s*(?:,|and)?/y;
  let index = 0;
  let ms = 0;
  while (index < text.length) {
    part.lastIndex = index;
    const match = part.exec(text);
    if (!match) return undefined;
    const [, amount = '', unit = ''] = match;
    const size = unitMs(unit);
    if (size === undefined) return undefined;
    parts.push({ amount, unit });
    ms += Number(amount) * size;
    index = part.lastIndex;
  }
  // 0.1h is 360000.00000000006 in floating point: a hair off a whole millisecond is that millisecond.
  const whole = Math.abs(ms - Math.round(ms)) < 1e-6 ? Math.round(ms) : ms;
  return parts.length > 0 && Number.isSafeInteger(Math.round(whole)) ? { ms: whole, parts } : undefined;
}

/**
 * Why a value is not a duration, in words that lead to the fix: `10min` → "did you mean 10m?",
 * `90` → "has no unit", `1.5h` → "did you mean 1h30m?". For values {@link parseDuration} refuses.
 */
export function describeBadDuration(value: unknown): string {
  if (typeof value === 'number') {
    return `has no unit; a bare number is not a duration: write ${value}s, ${value}m or ${value}h (units h, m, s, ms)`;
  }
  if (typeof value !== 'string') return DURATION_HINT;
  const text = value.trim();
  if (text === '') return `is empty; ${DURATION_HINT}`;
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) return `has no unit; a bare number is not a duration: write ${text}s, ${text}m or ${text}h (units h, m, s, ms)`;
  if (/^-/.test(text)) return `must not be negative; ${DURATION_HINT}`;
  const loose = readLoosely(text);
  if (loose === undefined || !Number.isInteger(loose.ms)) return `${DURATION_HINT} (units h, m, s, ms, largest first, like 1h30m)`;
  const suggestion = formatDuration(loose.ms);
  const ask = `did you mean ${suggestion}?`;
  if (loose.parts.some((p) => p.amount.includes('.'))) return `must use whole numbers of each unit; ${ask}`;
  if (loose.parts.some((p) => unitMs(p.unit) === 86_400_000)) return `days are not a unit here (units h, m, s, ms); ${ask}`;
  const wrongCase = loose.parts.find((p) => p.unit !== p.unit.toLowerCase() && UNITS.some((u) => u.suffix === p.unit.toLowerCase()));
  if (wrongCase) return `units are lowercase (h, m, s, ms); ${ask}`;
  const spelled = loose.parts.find((p) => !UNITS.some((u) => u.suffix === p.unit.toLowerCase()));
  if (spelled) return `'${spelled.unit}' is not a unit (units h, m, s, ms); ${ask}`;
  if (/\s/.test(text)) return `must be written without spaces; ${ask}`;
  return `must give each unit once, largest first (h, m, s, ms); ${ask}`;
}

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
