/**
 * The pre-traffic payload file: JSONL, one request per line,
 *   {"name": "null tenure", "payload": {...}, "expect": {"schema": {...}, "fields": {"score": {"min": 0, "max": 1}}}}
 * `name` and `expect` are optional; `expect.status` (404, or [200, 404]) is the proxy statusCode a
 * payload may answer with (src/pretraffic/proxy.ts). Blank lines and lines starting with // are skipped. Every
 * problem names the file and line.
 */
import { readFileSync } from 'node:fs';

export interface FieldRule {
  min?: number;
  max?: number;
  in?: unknown[];
  equals?: unknown;
  type?: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
  /** true: the field must be present (and not null); false: it must be absent. */
  exists?: boolean;
}

export interface Expectation {
  schema?: Record<string, unknown>;
  /**
   * Dotted path in the response JSON (`prediction.score`, `items.0.label`) → rule. In a proxy
   * response, `body.…` addresses the decoded JSON body (`body.score`).
   */
  fields?: Record<string, FieldRule>;
  /** The proxy statusCodes this payload may answer with (a 4xx it exists to provoke); without it 1xx–3xx pass and 4xx fail. */
  status?: number[];
}

export interface Payload {
  /** 1-based line in the file. */
  line: number;
  name: string;
  /** The request body, serialised as sent. */
  body: string;
  expect?: Expectation;
}

export class PayloadFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadFileError';
  }
}

const RULE_KEYS = new Set(['min', 'max', 'in', 'equals', 'type', 'exists']);
const TYPES = new Set(['string', 'number', 'boolean', 'object', 'array', 'null']);

export function readPayloads(path: string, displayPath: string): Payload[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PayloadFileError(code === 'ENOENT' ? `payload file not found: ${displayPath}` : `cannot read ${displayPath}: ${(error as Error).message}`);
  }
  const payloads: Payload[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('//')) return;
    const at = `${displayPath}:${line}`;
    let entry: unknown;
    try {
      entry = JSON.parse(trimmed);
    } catch (error) {
      problems.push(`${at}: not valid JSON (${(error as Error).message})`);
      return;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !('payload' in entry)) {
      problems.push(`${at}: each line must be an object with a "payload" key (and optional "name", "expect")`);
      return;
    }
    const { name, payload, expect, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) problems.push(`${at}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: name, payload, expect)`);
    if (name !== undefined && typeof name !== 'string') problems.push(`${at}: "name" must be a string`);
    const parsed: Payload = { line, name: typeof name === 'string' ? name : `line ${line}`, body: JSON.stringify(payload) };
    if (expect !== undefined) {
      const expectation = readExpectation(expect, at, problems);
      if (expectation) parsed.expect = expectation;
    }
    payloads.push(parsed);
  });
  if (problems.length > 0) throw new PayloadFileError(problems.join('; '));
  if (payloads.length === 0) throw new PayloadFileError(`${displayPath} has no payloads`);
  return payloads;
}

function readExpectation(value: unknown, at: string, problems: string[]): Expectation | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${at}: "expect" must be an object with "schema", "fields" and/or "status"`);
    return undefined;
  }
  const { schema, fields, status, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) problems.push(`${at}: unknown key in "expect": ${Object.keys(rest).join(', ')} (allowed: schema, fields, status)`);
  const expectation: Expectation = {};
  if (status !== undefined) {
    const list = Array.isArray(status) ? status : [status];
    const valid = list.length > 0 && list.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 499);
    if (valid) expectation.status = list as number[];
    else problems.push(`${at}: "expect.status" must be a proxy statusCode from 100 to 499 or a list of them (a 5xx is always an error)`);
  }
  if (schema !== undefined) {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) problems.push(`${at}: "expect.schema" must be a JSON Schema object`);
    else expectation.schema = schema as Record<string, unknown>;
  }
  if (fields !== undefined) {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      problems.push(`${at}: "expect.fields" must map field paths to rules`);
    } else {
      expectation.fields = {};
      for (const [field, rule] of Object.entries(fields as Record<string, unknown>)) {
        if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
          problems.push(`${at}: rule for "${field}" must be an object like {"min": 0, "max": 1}`);
          continue;
        }
        const bad = Object.keys(rule).filter((k) => !RULE_KEYS.has(k));
        if (bad.length > 0) problems.push(`${at}: unknown rule ${bad.join(', ')} for "${field}" (allowed: ${[...RULE_KEYS].join(', ')})`);
        const r = rule as FieldRule;
        if (r.type !== undefined && !TYPES.has(r.type)) problems.push(`${at}: type of "${field}" must be one of ${[...TYPES].join(', ')}`);
        if (r.in !== undefined && !Array.isArray(r.in)) problems.push(`${at}: "in" of "${field}" must be a list`);
        expectation.fields[field] = r;
      }
    }
  }
  return expectation;
}
