/**
 * Load model-release.yml: read the file, apply overrides, validate against the JSON Schema and
 * the cross-key rules, and return either the typed config or every error, each pointing at a
 * line and key (or at the override that set it). Nothing here throws for bad input.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { buildGateConfig } from './build.js';
import { sortConfigErrors } from './errors.js';
import type { ConfigError } from './errors.js';
import { dottedPath } from './issues.js';
import type { ConfigIssue } from './issues.js';
import { describeSchemaErrors } from './messages.js';
import { applyOverrides, overrideSourceFor } from './overrides.js';
import type { ConfigOverride, OverrideOrigins } from './overrides.js';
import { keyPathAtOffset, positionOf } from './positions.js';
import { namesRemovedValue, withoutRefusedValues } from './prune.js';
import type { RawConfig } from './raw.js';
import { validateAgainstSchema } from './schema.js';
import type { GateConfig } from './types.js';

export { formatConfigError } from './errors.js';
export type { ConfigError } from './errors.js';
export type { ConfigOverride } from './overrides.js';
export { configSchema } from './schema.js';

/** The file read when none is named. */
export const DEFAULT_CONFIG_FILE = 'model-release.yml';

export type ConfigLoadResult = { ok: true; config: GateConfig } | { ok: false; errors: ConfigError[] };

export interface LoadConfigOptions {
  /** Path of the config file, relative to `cwd`. Default `model-release.yml`. */
  file?: string;
  /** The user named the file: a missing file is then an error instead of "use the defaults". */
  explicit: boolean;
  /** Directory `file` is relative to. Default the process's working directory. */
  cwd?: string;
  /** Inputs and flags, applied over the file in order. */
  overrides?: ConfigOverride[];
}

/**
 * Load and validate the config file. Without the file at the default path the defaults apply,
 * so a trigger-only run needs no file; a file the user named must exist.
 */
export function loadConfig(options: LoadConfigOptions): ConfigLoadResult {
  const file = options.file ?? DEFAULT_CONFIG_FILE;
  const fullPath = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !options.explicit) return validateText('', undefined, options.overrides ?? []);
    const message = code === 'ENOENT' ? `config file not found (looked for ${fullPath})` : `cannot read the config file ${fullPath}: ${(error as Error).message}`;
    return { ok: false, errors: [{ file, path: '', message }] };
  }
  return validateText(text, file, options.overrides ?? []);
}

/**
 * Validate config text as if read from `fileName` (used in messages), with optional overrides.
 * Empty text means "all defaults".
 */
export function parseConfigText(text: string, fileName: string | undefined, overrides: readonly ConfigOverride[] = []): ConfigLoadResult {
  return validateText(text, fileName, overrides);
}

function validateText(text: string, file: string | undefined, overrides: readonly ConfigOverride[]): ConfigLoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, errors: sortConfigErrors(syntaxErrors(doc, lineCounter, file)) };

  const { origins, errors } = applyOverrides(doc, overrides);
  // An empty file (or one with only comments) is a valid config with every default.
  const data: unknown = doc.toJS() ?? {};
  const place = (issue: ConfigIssue) => placeIssue(issue, { doc, lineCounter, file, origins });

  const schemaErrors = validateAgainstSchema(data);
  const schemaIssues = describeSchemaErrors(schemaErrors);
  // Every problem in one run: the rules that need schema-valid input still check what the schema
  // accepted, so a file with a type error and a cross-key conflict shows both at once.
  const checkable = schemaErrors.length === 0 ? { value: data, removed: [] } : withoutRefusedValues(data, schemaErrors, validateAgainstSchema);
  const built = checkable === undefined ? undefined : buildGateConfig(checkable.value as RawConfig, file, (path) => positionOf(doc, lineCounter, path)?.line);
  const laterIssues = (built?.issues ?? []).filter((issue) => !namesRemovedValue(issue.message, checkable?.removed ?? []));
  const issues = [...schemaIssues, ...laterIssues];
  if (built === undefined || issues.length > 0 || errors.length > 0) {
    return { ok: false, errors: sortConfigErrors([...errors, ...issues.map(place)]) };
  }
  return { ok: true, config: built.config };
}

function syntaxErrors(doc: Document, lineCounter: LineCounter, file: string | undefined): ConfigError[] {
  return doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const placed: ConfigError = { path: '', message: error.message, line, column: col };
    if (file !== undefined) placed.file = file;
    if (error.code === 'MULTIPLE_DOCS') placed.message = "the file must hold one YAML document; remove the extra '---' document";
    if (error.code === 'DUPLICATE_KEY') {
      const path = keyPathAtOffset(doc, error.pos[0]);
      if (path) {
        placed.path = dottedPath(path);
        placed.message = `duplicate key '${path.at(-1) ?? ''}'; a key may appear only once in a map`;
      }
    }
    return placed;
  });
}

interface Placement {
  doc: Document;
  lineCounter: LineCounter;
  file: string | undefined;
  origins: OverrideOrigins;
}

/** Attach the position in the file, or the override the value came from. */
function placeIssue(issue: ConfigIssue, { doc, lineCounter, file, origins }: Placement): ConfigError {
  const path = dottedPath(issue.path);
  const source = overrideSourceFor(origins, issue.path);
  if (source !== undefined) return { path, message: issue.message, source };
  const placed: ConfigError = { path, message: issue.message };
  if (file !== undefined) placed.file = file;
  const position = positionOf(doc, lineCounter, issue.path, issue.at);
  if (position) {
    placed.line = position.line;
    placed.column = position.column;
  }
  return placed;
}
