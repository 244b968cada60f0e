/**
 * Configuration problems as values: where (file, line, key path, or the override that set it)
 * and what, in words a user acts on. The edge decides how to print them and which exit code.
 */

export interface ConfigError {
  /** The config file as the user named it (e.g. `model-release.yml`); unset for override-only problems. */
  file?: string;
  /** 1-based line in `file`, when the problem is in the file. */
  line?: number;
  /** 1-based column in `file`. */
  column?: number;
  /** Dotted key path, e.g. `rollout.step` or `rollout.steps.1.percent`; empty for the whole file. */
  path: string;
  /** What is wrong, e.g. `must be a number from 1 to 100`. */
  message: string;
  /** Set when the value came from an override, e.g. `input 'step'` or `flag --set`. */
  source?: string;
}

/**
 * Render an error the way compilers do, so editors and CI logs can link to it:
 * `model-release.yml:14:7 rollout.step: must be a number from 1 to 100`, or for a value set
 * by an override `input 'step' (rollout.step): must be a number from 1 to 100`.
 */
export function formatConfigError(error: ConfigError): string {
  if (error.source !== undefined) {
    const where = error.path === '' ? '' : ` (${error.path})`;
    return `${error.source}${where}: ${error.message}`;
  }
  let location = error.file ?? '';
  if (error.file !== undefined && error.line !== undefined) {
    location += `:${error.line}`;
    if (error.column !== undefined) location += `:${error.column}`;
  }
  const subject = error.path === '' ? '' : `${error.path}: `;
  if (location === '') return `${subject}${error.message}`;
  // Without a line the location is not clickable, so separate it like a label.
  const separator = error.line === undefined ? ': ' : ' ';
  return `${location}${separator}${subject}${error.message}`;
}

/** Order errors as a reader scans the file (top to bottom, override problems last), dropping repeats. */
export function sortConfigErrors(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = [e.file, e.line, e.column, e.path, e.message, e.source].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const far = Number.MAX_SAFE_INTEGER;
  return unique.sort(
    (a, b) =>
      (a.line ?? far) - (b.line ?? far) ||
      (a.column ?? far) - (b.column ?? far) ||
      a.path.localeCompare(b.path) ||
      a.message.localeCompare(b.message),
  );
}
