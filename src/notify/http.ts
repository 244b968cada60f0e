/**
 * One webhook POST over Node's fetch, with a per-request timeout, and the endpoint it goes to
 * (URL and headers with `${ENV}` resolved). Shared by notification webhooks and
 * confirm-promotion. Every message here names the endpoint by its masked URL and has the
 * resolved secrets redacted.
 */
import { formatDuration } from '../report/format.js';
import { maskUrl, redact, resolveEnvReferences, webhookUrlProblem } from './endpoint.js';

/** An endpoint ready to call: secrets resolved, and what may be shown of it. */
export interface Endpoint {
  url: string;
  /** scheme://host/…: the only form reports and logs show. */
  label: string;
  headers: Record<string, string>;
  /** Values substituted from the environment: redacted from every message. */
  secrets: string[];
}

/** Resolve `${ENV}` in the URL and header values; a missing variable or a URL that may not be called is a problem. */
export function prepareEndpoint(config: { url: string; headers: Record<string, string> }, env: NodeJS.ProcessEnv): { ok: true; endpoint: Endpoint } | { ok: false; problem: string } {
  const url = resolveEnvReferences(config.url, env);
  const missing = url.ok ? [] : url.missing.map((name) => `\${${name}} in the url`);
  const headers: Record<string, string> = {};
  const secrets: string[] = url.ok ? [...url.secrets] : [];
  for (const [name, template] of Object.entries(config.headers)) {
    const value = resolveEnvReferences(template, env);
    if (value.ok) {
      headers[name] = value.value;
      // A header value is a secret whether or not it came from the environment.
      secrets.push(value.value, ...value.secrets);
    } else missing.push(...value.missing.map((v) => `\${${v}} in header ${name}`));
  }
  const label = url.ok ? maskUrl(url.value) : maskUrl(config.url.replace(/\$\{[^}]*\}/g, 'x'));
  if (!url.ok || missing.length > 0) return { ok: false, problem: `${label}: environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not set` };
  const urlProblem = webhookUrlProblem(url.value);
  if (urlProblem !== undefined) return { ok: false, problem: `${label}: the url ${urlProblem}` };
  return { ok: true, endpoint: { url: url.value, label, headers, secrets } };
}

export type PostResult =
  | { ok: true; status: number }
  | {
      ok: false;
      /** The HTTP status when an answer came. */
      status?: number;
      /** `HTTP 503`, `no answer within 5s`, `network error: ECONNREFUSED`, redacted. */
      detail: string;
      /** Up to 200 characters of the answer's body, redacted, on one line. */
      body?: string;
      /** From a Retry-After header (seconds or an HTTP date). */
      retryAfterMs?: number;
    };

/** POST `body` as JSON; never throws. `cancel` aborts the request (a job cancelled, the drain's deadline). */
export async function postJson(
  endpoint: Endpoint,
  body: unknown,
  options: { timeoutMs: number; fetch?: typeof fetch; cancel?: AbortSignal; now?: () => number },
): Promise<PostResult> {
  const doFetch = options.fetch ?? fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.cancel ? AbortSignal.any([timeout, options.cancel]) : timeout;
  try {
    const response = await doFetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'model-release-gate', ...endpoint.headers },
      body: JSON.stringify(body),
      signal,
    });
    // Read the body (within the same timeout) so the connection is released, and for the reason.
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true, status: response.status };
    const snippet = redact(text.replace(/\s+/g, ' ').trim(), endpoint.secrets).slice(0, 200);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), options.now ?? Date.now);
    return {
      ok: false,
      status: response.status,
      detail: `HTTP ${response.status}`,
      ...(snippet !== '' ? { body: snippet } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (error) {
    if (options.cancel?.aborted === true && !timeout.aborted) return { ok: false, detail: 'cancelled before an answer came' };
    if (timeout.aborted || (error as Error).name === 'TimeoutError') return { ok: false, detail: `no answer within ${formatDuration(options.timeoutMs)}` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, detail: `network error: ${redact(cause?.code ?? cause?.message ?? (error as Error).message, endpoint.secrets)}` };
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: () => number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}
