/**
 * Notification webhooks without a network: payloads, masking and secrets, and delivery with an
 * injected fetch and sleep (retries, back-off, Retry-After, the bounded drain), and the
 * confirm-promotion gate's answers.
 */
import type { NotifyConfig, WebhookConfig } from '../../src/config/types.js';
import { confirmPromotionGate } from '../../src/notify/confirm.js';
import { maskUrl, redact, resolveEnvReferences, webhookUrlProblem } from '../../src/notify/endpoint.js';
import { jsonPayload, slackPayload, type NotifyEvent } from '../../src/notify/events.js';
import { parseRetryAfter, prepareEndpoint } from '../../src/notify/http.js';
import { backoffMs, WebhookNotifier } from '../../src/notify/webhooks.js';

const EVENT: NotifyEvent = {
  event: 'rollback',
  release: { tag: 'model-v1.4.0', sha: 'abc123def4567890' },
  target: 'lambda:churn-model:prod',
  candidate: '4',
  stable: '3',
  weight: 0.25,
  reason: 'Step 1 (25%) failed: error rate 30% > 1%.',
  at: '2026-03-02T09:03:20.000Z',
};

function hook(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return { url: 'https://hooks.example.com/services/T0/B0/SECRET', format: 'json', events: ['start', 'step', 'rollback', 'promotion', 'finish'], timeoutMs: 5_000, retries: 2, headers: {}, ...overrides };
}

/** A fetch that answers from a script, recording each call. */
function scriptedFetch(answers: Array<() => Response | Promise<Response>>): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fake = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (!answer) throw new Error('no answer scripted');
    return answer();
  }) as typeof fetch;
  return { fetch: fake, calls };
}

/**
 * Back-off sleeps return at once (and are recorded); the drain's 10 s bound never elapses, it
 * only ends when the drain cancels it, so a drain waits for every delivery.
 */
function instantSleep(): { sleep: (ms: number, signal?: AbortSignal) => Promise<void>; sleeps: number[] } {
  const sleeps: number[] = [];
  const sleep = (ms: number, signal?: AbortSignal) => {
    if (ms !== 10_000) return (sleeps.push(ms), Promise.resolve());
    return new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
  };
  return { sleeps, sleep };
}

describe('webhook payloads', () => {
  it('sends the event itself as the generic JSON body', () => {
    expect(JSON.parse(JSON.stringify(jsonPayload(EVENT)))).toEqual(EVENT);
  });

  it('builds a Slack message with a readable one-liner and the reason, escaped', () => {
    const slack = slackPayload({ ...EVENT, reason: 'p99 <2s> & errors' });
    expect(slack.text).toBe('model-v1.4.0 on lambda:churn-model:prod: ROLLED BACK at 25% (version 4, stable 3)');
    expect(slack.blocks[0]?.text.text).toContain('p99 &lt;2s&gt; &amp; errors');
    const finish = slackPayload({ ...EVENT, event: 'finish', outcome: 'promoted', weight: 1, release: { sha: 'abc123def4567890' } });
    expect(finish.text).toBe('abc123def456 on lambda:churn-model:prod: finished: promoted at 100% (version 4, stable 3)');
  });
});

describe('webhook endpoints and secrets', () => {
  it('masks URLs to scheme://host/…', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/XYZ?token=abc')).toBe('https://hooks.slack.com/…');
    expect(maskUrl('http://127.0.0.1:4000/hook')).toBe('http://127.0.0.1:4000/…');
    expect(maskUrl('not a url')).toBe('(an invalid URL)');
  });

  it('allows https anywhere and http only to loopback', () => {
    expect(webhookUrlProblem('https://example.com/x')).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:3000/x')).toBeUndefined();
    expect(webhookUrlProblem('http://localhost/x')).toBeUndefined();
    expect(webhookUrlProblem('http://example.com/x')).toMatch(/must be an https:\/\/ URL/);
    expect(webhookUrlProblem('nope')).toBe('is not a valid URL');
  });

  it('resolves ${ENV} references, and names the missing ones', () => {
    expect(resolveEnvReferences('Bearer ${TOKEN}', { TOKEN: 's3cret' })).toEqual({ ok: true, value: 'Bearer s3cret', secrets: ['s3cret'] });
    expect(resolveEnvReferences('${A}-${B}', { A: 'x' })).toEqual({ ok: false, missing: ['B'] });
    expect(resolveEnvReferences('no refs', {})).toEqual({ ok: true, value: 'no refs', secrets: [] });
  });

  it('prepares an endpoint whose secrets are redacted, or says which variable is missing (never its value)', () => {
    const ok = prepareEndpoint({ url: '${HOOK_URL}', headers: { Authorization: 'Bearer ${TOKEN}' } }, { HOOK_URL: 'https://hooks.example.com/T/B/urlsecret', TOKEN: 'tokensecret' });
    expect(ok).toMatchObject({ ok: true, endpoint: { url: 'https://hooks.example.com/T/B/urlsecret', label: 'https://hooks.example.com/…', headers: { Authorization: 'Bearer tokensecret' } } });
    if (!ok.ok) throw new Error('unreachable');
    expect(redact('echo: Bearer tokensecret at https://hooks.example.com/T/B/urlsecret', ok.endpoint.secrets)).not.toMatch(/tokensecret|urlsecret/);
    const missing = prepareEndpoint({ url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer ${TOKEN}' } }, {});
    expect(missing).toEqual({ ok: false, problem: 'https://hooks.example.com/…: environment variable ${TOKEN} in header Authorization not set' });
    expect(prepareEndpoint({ url: '${U}', headers: {} }, { U: 'http://example.com/x' })).toMatchObject({ ok: false, problem: expect.stringMatching(/^http:\/\/example.com\/…: the url must be an https/) });
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3', () => 0)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', () => 4000)).toBe(6000);
    expect(parseRetryAfter(null, () => 0)).toBeUndefined();
    expect(parseRetryAfter('soon', () => 0)).toBeUndefined();
  });
});

describe('webhook delivery', () => {
  const notifyConfig = (webhooks: WebhookConfig[]): NotifyConfig => ({ webhooks });

  it('retries a 5xx with doubling back-off, then reports a warning naming the masked URL and status', async () => {
    const { fetch, calls } = scriptedFetch([() => new Response('boom', { status: 503 })]);
    const { sleep, sleeps } = instantSleep();
    const notifier = new WebhookNotifier(notifyConfig([hook({ retries: 2 })]), { fetch, sleep, env: {} });
    notifier.send(EVENT);
    const results = await notifier.drain(10_000);
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(results).toEqual([
      expect.objectContaining({ id: 'notify.webhook.1', gate: 'release', status: 'warn', observed: 'HTTP 503 (boom) after 3 attempts' }),
    ]);
    expect(results[0]?.message).toContain('https://hooks.example.com/…');
    expect(JSON.stringify(results)).not.toContain('SECRET');
  });

  it('never retries another 4xx', async () => {
    const { fetch, calls } = scriptedFetch([() => new Response('', { status: 404 })]);
    const notifier = new WebhookNotifier(notifyConfig([hook()]), { fetch, sleep: instantSleep().sleep, env: {} });
    notifier.send(EVENT);
    const [result] = await notifier.drain();
    expect(calls).toHaveLength(1);
    expect(result).toMatchObject({ status: 'warn', observed: 'HTTP 404' });
  });

  it('honours Retry-After on 429, up to the timeout, and retries network errors', async () => {
    const { fetch, calls } = scriptedFetch([
      () => new Response('', { status: 429, headers: { 'retry-after': '2' } }),
      () => new Response('', { status: 429, headers: { 'retry-after': '120' } }),
      () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })),
      () => new Response('ok', { status: 200 }),
    ]);
    const { sleep, sleeps } = instantSleep();
    const notifier = new WebhookNotifier(notifyConfig([hook({ retries: 3, timeoutMs: 5_000 })]), { fetch, sleep, env: {} });
    notifier.send(EVENT);
    const results = await notifier.drain();
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([2000, 5000, 2000]);
    expect(results).toEqual([expect.objectContaining({ status: 'pass', observed: 1 })]);
    expect(backoffMs(0, 300)).toBe(300);
  });

  it('sends each webhook only its events, in order, with its format and resolved headers', async () => {
    const { fetch, calls } = scriptedFetch([() => new Response(null, { status: 204 })]);
    const notifier = new WebhookNotifier(
      notifyConfig([hook({ events: ['rollback', 'finish'], format: 'slack', headers: { Authorization: 'Bearer ${TOKEN}' } })]),
      { fetch, sleep: instantSleep().sleep, env: { TOKEN: 'tok-123' } },
    );
    notifier.send({ ...EVENT, event: 'start' });
    notifier.send(EVENT);
    notifier.send({ ...EVENT, event: 'finish', outcome: 'rolled-back' });
    const results = await notifier.drain();
    expect(calls.map((c) => (JSON.parse(String(c.init.body)) as { text: string }).text)).toEqual([
      expect.stringContaining('ROLLED BACK'),
      expect.stringContaining('finished: rolled-back'),
    ]);
    expect((calls[0]?.init.headers as Record<string, string>).Authorization).toBe('Bearer tok-123');
    expect(results).toEqual([expect.objectContaining({ status: 'pass', message: 'Webhook https://hooks.example.com/…: 2 events delivered.' })]);
  });

  it('disables a webhook whose secret is not set, with a warning', async () => {
    const { fetch, calls } = scriptedFetch([() => new Response('', { status: 200 })]);
    const notifier = new WebhookNotifier(notifyConfig([hook({ headers: { 'X-Token': '${MISSING}' } })]), { fetch, sleep: instantSleep().sleep, env: {} });
    notifier.send(EVENT);
    const results = await notifier.drain();
    expect(calls).toHaveLength(0);
    expect(results).toEqual([expect.objectContaining({ id: 'notify.webhook.1', status: 'warn', message: expect.stringContaining('${MISSING} in header X-Token not set') })]);
  });

  it('waits a bounded time at the end, then abandons what is still under way', async () => {
    // A webhook that never answers: the request ends only when the drain gives up on it.
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    let release: () => void = () => undefined;
    const bound = new Promise<void>((resolve) => (release = resolve));
    const sleep = (ms: number) => (ms === 10_000 ? bound : Promise.resolve());
    const notifier = new WebhookNotifier(notifyConfig([hook({ timeoutMs: 60_000 })]), { fetch: hanging, sleep, env: {} });
    notifier.send({ ...EVENT, event: 'step' });
    notifier.send(EVENT);
    const drained = notifier.drain(10_000);
    release();
    const [result] = await drained;
    expect(result).toMatchObject({ status: 'warn' });
    expect(result?.message).toContain('2 of 2 events not delivered');
    expect(result?.message).toContain('2 still unsent after the 10 s wait at the end were dropped');
  });
});

describe('confirm-promotion gate', () => {
  const endpoint = { url: 'https://gate.example.com/confirm?key=abc', label: 'https://gate.example.com/…', headers: { 'X-Key': 'k-secret' }, secrets: ['k-secret'] };
  const config = { url: endpoint.url, timeoutMs: 1_000, headers: {} };

  it('confirms on 2xx only, and names the answer otherwise', async () => {
    const yes = confirmPromotionGate(config, endpoint, { event: () => ({ ...EVENT, event: 'promotion' }), fetch: scriptedFetch([() => new Response('', { status: 202 })]).fetch });
    expect(await yes()).toEqual({ ok: true });
    const { fetch, calls } = scriptedFetch([() => new Response('frozen: change freeze (k-secret)', { status: 403 })]);
    const no = confirmPromotionGate(config, endpoint, { event: () => ({ ...EVENT, event: 'promotion' }), fetch });
    expect(await no()).toEqual({ ok: false, reason: 'the confirm-promotion webhook https://gate.example.com/… did not confirm: HTTP 403: frozen: change freeze (***)' });
    expect(calls).toHaveLength(1);
    expect(JSON.parse(String(calls[0]?.init.body))).toMatchObject({ event: 'promotion', candidate: '4' });
  });

  it('treats a network error and a cancellation as no confirmation', async () => {
    const refused = confirmPromotionGate(config, endpoint, { event: () => EVENT, fetch: scriptedFetch([() => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))]).fetch });
    expect(await refused()).toMatchObject({ ok: false, reason: expect.stringContaining('network error: ECONNREFUSED') });
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    const controller = new AbortController();
    const pending = confirmPromotionGate(config, endpoint, { event: () => EVENT, fetch: hanging })(controller.signal);
    controller.abort(new Error('SIGTERM'));
    expect(await pending).toMatchObject({ ok: false, reason: expect.stringContaining('cancelled before an answer came') });
  });
});
