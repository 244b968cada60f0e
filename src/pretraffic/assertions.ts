/**
 * Response assertions: a JSON Schema (ajv) and simple field rules on dotted paths. Each failed
 * assertion comes back as one sentence naming the field and the value seen. A proxy response
 * (src/pretraffic/proxy.ts) is judged by its statusCode first, and its assertions address the
 * decoded body.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Expectation, FieldRule } from './payloads.js';
import { PROXY_KEYS, asProxyResponse, proxyBodyJson, proxyStatusProblem } from './proxy.js';
import type { ProxyMode, ProxyResponse } from './proxy.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compile a schema once (schemas are shared across the requests of a payload). Throws on an invalid schema. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The value at a dotted path (`a.b.0.c`), or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function checkField(response: unknown, path: string, rule: FieldRule): string[] {
  const value = valueAt(response, path);
  const problems: string[] = [];
  const present = value !== undefined && value !== null;
  if (rule.exists === false) return present ? [`${path} should be absent but is ${show(value)}`] : [];
  if (!present && (rule.exists === true || rule.min !== undefined || rule.max !== undefined || rule.in !== undefined || rule.type !== undefined)) {
    if (!(rule.type === 'null' && value === null)) return [`${path} is missing`];
  }
  if (rule.type !== undefined && typeOf(value) !== rule.type) problems.push(`${path} should be of type ${rule.type} but is ${show(value)}`);
  if (rule.min !== undefined && !(typeof value === 'number' && value >= rule.min)) problems.push(`${path} = ${show(value)} is below min ${rule.min}`);
  if (rule.max !== undefined && !(typeof value === 'number' && value <= rule.max)) problems.push(`${path} = ${show(value)} is above max ${rule.max}`);
  if (rule.in !== undefined && !rule.in.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) problems.push(`${path} = ${show(value)} is not one of ${show(rule.in)}`);
  if (rule.equals !== undefined && JSON.stringify(rule.equals) !== JSON.stringify(value)) problems.push(`${path} = ${show(value)}, expected ${show(rule.equals)}`);
  return problems;
}

/** What one answered request comes to: whether it was a proxy response, and every problem with it. */
export interface ResponseVerdict {
  /** The payload was read as an API Gateway / function URL proxy response. */
  proxy: boolean;
  problems: string[];
}

/**
 * Judge one response: its proxy statusCode first (a 5xx, an unexpected 4xx or a status the
 * payload does not allow fails without looking further), then the assertions. In a proxy
 * response, schemas validate the decoded body and field paths under `body` address it.
 */
export function judgeResponse(payload: string, expectations: Expectation[], mode: ProxyMode): ResponseVerdict {
  const allowed = expectations.some((e) => e.status !== undefined) ? expectations.flatMap((e) => e.status ?? []) : undefined;
  const asserts = expectations.some((e) => e.schema !== undefined || e.fields !== undefined);
  if (mode === false && allowed === undefined && !asserts) return { proxy: false, problems: [] };
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    if (mode === true) return { proxy: false, problems: [`not a proxy response (pretraffic.proxy is true): the response is not JSON: ${show(payload)}`] };
    if (asserts || allowed !== undefined) return { proxy: false, problems: [`the response is not JSON: ${show(payload)}`] };
    return { proxy: false, problems: [] };
  }
  const proxy = asProxyResponse(response, mode);
  if (proxy === undefined) {
    const problems: string[] = [];
    if (mode === true) problems.push(`not a proxy response (pretraffic.proxy is true): it needs a numeric statusCode and a string or absent body, got ${show(response)}`);
    else if (allowed !== undefined) problems.push(`expect.status ${allowed.join(', ')} needs a proxy response, but the response is not one: ${show(response)}`);
    if (problems.length > 0) return { proxy: false, problems };
    return { proxy: false, problems: checkDocument(response, undefined, expectations) };
  }
  const statusProblem = proxyStatusProblem(proxy, allowed);
  if (statusProblem !== undefined) return { proxy: true, problems: [statusProblem] };
  return { proxy: true, problems: checkDocument(response, proxy, expectations) };
}

/** Every failed assertion of one response (empty when all hold); `judgeResponse` with proxy detection. */
export function checkResponse(body: string, expectations: Expectation[], mode: ProxyMode = 'auto'): string[] {
  return judgeResponse(body, expectations, mode).problems;
}

const isBodyPath = (path: string) => path === 'body' || path.startsWith('body.');

/**
 * The value at a dotted path of a response, as the field assertions address it: in a proxy
 * response, `body.x` reads the decoded body. Undefined when the response is not JSON or the
 * path holds nothing.
 */
export function responseValue(payload: string, path: string, mode: ProxyMode): unknown {
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const proxy = asProxyResponse(response, mode);
  if (proxy === undefined || !isBodyPath(path)) return valueAt(response, path);
  const body = proxyBodyJson(proxy);
  return 'error' in body ? undefined : valueAt({ body: body.value }, path);
}

function checkDocument(response: unknown, proxy: ProxyResponse | undefined, expectations: Expectation[]): string[] {
  // A proxy body is decoded once, and only when an assertion needs it.
  let decoded: { value: unknown } | { error: string } | undefined;
  const body = () => (decoded ??= proxyBodyJson(proxy!));
  const problems: string[] = [];
  for (const expectation of expectations) {
    if (expectation.schema) {
      const validate = compileSchema(expectation.schema);
      const subject = proxy ? body() : { value: response };
      const name = proxy ? 'the body' : 'the response';
      if ('error' in subject) problems.push(subject.error);
      else if (!validate(subject.value)) {
        for (const e of validate.errors ?? []) problems.push(`schema: ${e.instancePath === '' ? name : proxy ? `body${e.instancePath}` : e.instancePath} ${e.message ?? 'is invalid'}`);
      }
    }
    for (const [path, rule] of Object.entries(expectation.fields ?? {})) {
      if (!proxy) {
        problems.push(...checkField(response, path, rule));
        continue;
      }
      if (isBodyPath(path)) {
        const subject = body();
        if ('error' in subject) problems.push(subject.error);
        else problems.push(...checkField({ body: subject.value }, path, rule));
        continue;
      }
      const hint = PROXY_KEYS.has(path.split('.')[0]!) ? '' : ` (this is a proxy response: the answer's fields are under body, e.g. body.${path})`;
      problems.push(...checkField(response, path, rule).map((p) => (p === `${path} is missing` ? `${p}${hint}` : p)));
    }
  }
  // "body is not JSON" once, however many assertions needed the body.
  return [...new Set(problems)];
}
