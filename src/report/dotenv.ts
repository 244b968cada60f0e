/**
 * Step outputs as a GitLab dotenv report (`artifacts:reports:dotenv`), so later jobs read
 * `$MRG_RELEASE`, `$MRG_VERSION`...
 *
 * GitLab's parser is not the `dotenv` library. It reads one `KEY=value` per line and strips
 * blanks around key and value; it keeps quotes as part of the value, has no escapes, no
 * comments, rejects empty lines, accepts only `[A-Za-z0-9_]` in keys, and rejects the whole
 * file when it reaches the size limit (5 KB by default) or has more variables than the
 * instance allows (20 on the smallest plans). One bad line and no variable reaches the
 * next job, so this module never emits a line GitLab would reject.
 *
 * Encoding: a value that GitLab could not carry verbatim (a line break, another control
 * character, leading/trailing blanks, or a leading `"`) is written as a JSON string literal
 * on one line, quotes included. Rule for consumers: a value that starts with `"` is JSON;
 * decode it with `JSON.parse` (or `decodeDotenvValue`). Every other value is literal.
 */

export interface DotenvLimits {
  /** The file must be strictly smaller than this many bytes (GitLab `dotenv_size`). */
  maxBytes: number;
  /** At most this many variables (GitLab `dotenv_variables`). */
  maxVariables: number;
}

/** The smallest limits GitLab ships with (5 KB, 20 variables): safe on every plan and instance. */
export const GITLAB_DOTENV_LIMITS: DotenvLimits = { maxBytes: 5120, maxVariables: 20 };

export interface DotenvFile {
  /** File content: one `KEY=value` line per variable, each ending in `\n`. */
  text: string;
  /** Output names whose value was shortened to fit the size limit. */
  truncated: string[];
  /** Output names left out: over the variable limit, or a duplicate key after normalisation. */
  dropped: string[];
}

/** Appended to a shortened free-text value. */
export const TRUNCATION_MARKER = ' …[truncated]';

/** The output whose size grows with the number of commits; shortened first. */
const COMMITS_OUTPUT = 'commits';

// eslint-disable-next-line no-control-regex
const NEEDS_JSON = /[\u0000-\u001F\u007F]|^\s|\s$|^"/;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * `previous-version` → `PREVIOUS_VERSION`, `previousVersion` → `PREVIOUS_VERSION`: anything
 * outside `[A-Za-z0-9]` becomes one underscore, since GitLab rejects other key characters.
 */
export function dotenvKey(name: string, prefix = 'MRG_'): string {
  if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new RangeError(`dotenv prefix must match [A-Za-z0-9_]*: ${prefix}`);
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return `${prefix}${snake}`;
}

/** Write a value on one line that GitLab reads back unchanged (see the module comment). */
export function encodeDotenvValue(value: string): string {
  return NEEDS_JSON.test(value) ? JSON.stringify(value) : value;
}

/** Inverse of `encodeDotenvValue`, for consumers of the variables and for tests. */
export function decodeDotenvValue(value: string): string {
  return value.startsWith('"') ? (JSON.parse(value) as string) : value;
}

interface Entry {
  name: string;
  key: string;
  value: string;
}

const lineBytes = (entry: Entry): number => utf8Bytes(`${entry.key}=${encodeDotenvValue(entry.value)}\n`);

/** Largest value built by `build(n)`, n in 0..max, whose line fits `budget` bytes; undefined if none. */
function largestFitting(key: string, max: number, budget: number, build: (n: number) => string): string | undefined {
  const fits = (n: number): boolean => utf8Bytes(`${key}=${encodeDotenvValue(build(n))}\n`) <= budget;
  if (!fits(0)) return undefined;
  let low = 0;
  let high = max;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return build(low);
}

/** The `commits` output as a JSON array, or undefined when it is something else. */
function commitsArray(entry: Entry): unknown[] | undefined {
  if (entry.name !== COMMITS_OUTPUT) return undefined;
  try {
    const parsed: unknown = JSON.parse(entry.value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Shorten the `commits` JSON array by whole commits, ending it with a marker element
 * `{"truncated":true,"omitted":N}` so the value stays valid JSON for `jq` and friends.
 * Undefined when there is nothing to omit or not even the marker fits.
 */
function shortenCommits(key: string, commits: readonly unknown[], budget: number): string | undefined {
  if (commits.length === 0) return undefined;
  return largestFitting(key, commits.length - 1, budget, (n) =>
    JSON.stringify([...commits.slice(0, n), { truncated: true, omitted: commits.length - n }]),
  );
}

/** Shorten free text by code points (never splitting a character), ending with the marker. */
function shortenText(entry: Entry, budget: number): string {
  const chars = Array.from(entry.value);
  return (
    largestFitting(entry.key, chars.length, budget, (n) => `${chars.slice(0, n).join('')}${TRUNCATION_MARKER}`) ?? ''
  );
}

/**
 * Shorten values until the file fits: `commits` first (by whole commits), then the longest
 * values. A `commits` array is never cut as text, so it stays parseable.
 */
function fitSize(entries: Entry[], maxBytes: number, truncated: string[]): void {
  const total = (): number => entries.reduce((sum, entry) => sum + lineBytes(entry), 0);
  const commitsFirst = (entry: Entry): number => (entry.name === COMMITS_OUTPUT ? 0 : 1);
  const candidates = [...entries].sort(
    (a, b) => commitsFirst(a) - commitsFirst(b) || utf8Bytes(b.value) - utf8Bytes(a.value),
  );
  for (const entry of candidates) {
    const overflow = total() - (maxBytes - 1);
    if (overflow <= 0) return;
    const budget = lineBytes(entry) - overflow;
    const commits = commitsArray(entry);
    const shortened = commits ? shortenCommits(entry.key, commits, budget) : shortenText(entry, budget);
    if (shortened !== undefined && shortened !== entry.value) {
      entry.value = shortened;
      truncated.push(entry.name);
    }
  }
}

/**
 * Render outputs as a GitLab dotenv file and say what had to give: keys are
 * `prefix + UPPER_SNAKE(name)`, values are single-line (JSON-encoded when needed), the file
 * stays under `limits.maxBytes` by shortening `commits` (whole commits, valid JSON) and then
 * the longest values, and outputs beyond `limits.maxVariables` are dropped.
 */
export function renderDotenvFile(
  outputs: Readonly<Record<string, string>>,
  prefix = 'MRG_',
  limits: DotenvLimits = GITLAB_DOTENV_LIMITS,
): DotenvFile {
  const entries: Entry[] = [];
  const dropped: string[] = [];
  const truncated: string[] = [];
  const keys = new Set<string>();
  for (const [name, value] of Object.entries(outputs)) {
    const key = dotenvKey(name, prefix);
    // An empty name leaves only the prefix (or nothing); a repeated key would silently overwrite.
    if (key === prefix || key === '' || keys.has(key) || entries.length >= limits.maxVariables) {
      dropped.push(name);
      continue;
    }
    keys.add(key);
    entries.push({ name, key, value });
  }
  fitSize(entries, limits.maxBytes, truncated);
  // Keys alone can exceed a tiny limit; drop from the end rather than emit a file GitLab rejects.
  while (entries.length > 0 && entries.reduce((sum, entry) => sum + lineBytes(entry), 0) >= limits.maxBytes) {
    const last = entries.pop();
    if (last) dropped.push(last.name);
  }
  const text = entries.map((entry) => `${entry.key}=${encodeDotenvValue(entry.value)}\n`).join('');
  return { text, truncated, dropped };
}

/**
 * Render outputs as GitLab dotenv text (see `renderDotenvFile` for what is truncated or
 * dropped to stay within GitLab's limits).
 */
export function renderDotenv(outputs: Readonly<Record<string, string>>, prefix = 'MRG_'): string {
  return renderDotenvFile(outputs, prefix).text;
}
