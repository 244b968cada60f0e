/**
 * Proxy responses: a Lambda behind an API Gateway proxy integration or a function URL answers
 * `{"statusCode": 500, "headers": {...}, "body": "{\"error\":...}"}` with HTTP 200 from Invoke,
 * so the HTTP status the caller sees lives inside the payload. This module decides whether a
 * response is such an envelope and decodes its body; the gate judges the status.
 *
 * Detection (`proxy: auto`) is deliberately strict so a model's own prediction that happens to
 * carry a `statusCode` field (`{"statusCode": 3, "score": 0.2}`) is never mistaken for one:
 * a JSON object whose keys are all proxy keys, with an integer `statusCode` from 100 to 599,
 * and a string `body` (or no body but a `headers` object).
 */

/** auto: detect each response; true: every response must be one; false: never look. */
export type ProxyMode = 'auto' | boolean;

export interface ProxyResponse {
  statusCode: number;
  headers?: Record<string, unknown>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** The keys API Gateway (REST and HTTP APIs) and function URLs read from a proxy response. */
export const PROXY_KEYS: ReadonlySet<string> = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The strict shape `auto` accepts (see the module comment). */
export function looksLikeProxyResponse(value: unknown): value is ProxyResponse {
  if (!isPlainObject(value)) return false;
  if (!Object.keys(value).every((key) => PROXY_KEYS.has(key))) return false;
  const { statusCode, body, headers, isBase64Encoded } = value;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return false;
  if (headers !== undefined && !isPlainObject(headers)) return false;
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') return false;
  return typeof body === 'string' || (body === undefined && headers !== undefined);
}

/**
 * The proxy envelope of a response, or undefined when it is not one. With `proxy: true` the
 * shape is only required to have a numeric `statusCode` and a string or absent `body`, since the
 * user has said what the function is; with `false` nothing is a proxy response.
 */
export function asProxyResponse(response: unknown, mode: ProxyMode): ProxyResponse | undefined {
  if (mode === false) return undefined;
  if (mode === 'auto') return looksLikeProxyResponse(response) ? response : undefined;
  if (!isPlainObject(response) || typeof response.statusCode !== 'number') return undefined;
  if (response.body !== undefined && typeof response.body !== 'string') return undefined;
  return response as unknown as ProxyResponse;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The body as text, base64-decoded when `isBase64Encoded` is true; an error sentence when it is not base64. */
export function proxyBodyText(proxy: ProxyResponse): { text: string } | { error: string } {
  const body = proxy.body ?? '';
  if (proxy.isBase64Encoded !== true) return { text: body };
  const compact = body.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return { error: `body is marked isBase64Encoded but is not base64: ${JSON.stringify(body.slice(0, 60))}` };
  return { text: Buffer.from(compact, 'base64').toString('utf8') };
}

/** The decoded body parsed as JSON, or the sentence that says why it cannot be. */
export function proxyBodyJson(proxy: ProxyResponse): { value: unknown } | { error: string } {
  const decoded = proxyBodyText(proxy);
  if ('error' in decoded) return decoded;
  try {
    return { value: JSON.parse(decoded.text) };
  } catch {
    const text = decoded.text;
    return { error: `body is not JSON: ${text === '' ? '(empty)' : JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)}` };
  }
}

/** The first 200 characters of the decoded body, for a status message. */
export function proxyBodyExcerpt(proxy: ProxyResponse): string {
  const decoded = proxyBodyText(proxy);
  const text = 'text' in decoded ? decoded.text : (proxy.body ?? '');
  return text === '' ? '(empty body)' : text.slice(0, 200);
}

/**
 * Why a proxy statusCode fails the request, or undefined when it does not: a 5xx always fails
 * (the caller got a server error, whatever Lambda's own metrics say); with `allowed` (the
 * payload's `expect.status`) any other status must be one of them; without it, a 4xx fails.
 */
export function proxyStatusProblem(proxy: ProxyResponse, allowed: readonly number[] | undefined): string | undefined {
  const status = proxy.statusCode;
  if (status >= 500) return `proxy statusCode ${status}: ${proxyBodyExcerpt(proxy)}`;
  if (allowed !== undefined) {
    if (allowed.includes(status)) return undefined;
    return `proxy statusCode ${status}, expected ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}: ${proxyBodyExcerpt(proxy)}`;
  }
  if (status >= 400) return `proxy statusCode ${status} (a client error; "expect": {"status": ${status}} allows it): ${proxyBodyExcerpt(proxy)}`;
  return undefined;
}
