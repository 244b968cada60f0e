/**
 * Notification webhooks: events are queued per webhook and sent in the background, in order,
 * each with its own timeout and retries; `send` never waits. The rollout never awaits a
 * notification, so a slow or dead webhook cannot delay a rollback. At the end the pipeline
 * drains the queues for a bounded time and reports what was not delivered as warnings:
 * notifications never decide anything about traffic and never change the exit code.
 *
 * Timing is real time, whatever clock the rollout runs on: an HTTP request takes wall-clock
 * time, so its timeout, the back-off and the drain's bound run on real timers (injected in tests).
 */
import type { NotifyConfig, WebhookConfig } from '../config/types.js';
import { systemClock } from '../core/clock.js';
import type { CheckResult } from '../report/result.js';
import { formatDuration } from '../report/format.js';
import { jsonPayload, slackPayload, type NotifyEvent } from './events.js';
import { postJson, prepareEndpoint, type Endpoint, type PostResult } from './http.js';

/** First back-off after a failed attempt; doubles each time, never longer than the webhook's timeout. */
export const FIRST_BACKOFF_MS = 500;
/** The longest the pipeline waits, once the outcome is settled, for deliveries still under way. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** Real-time wait; rejects when `signal` aborts. Default setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Epoch milliseconds, for Retry-After dates. Default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
}

interface Delivery {
  index: number;
  config: WebhookConfig;
  endpoint: Endpoint;
  /** The last queued delivery: the next one starts after it, so a webhook hears events in order. */
  tail: Promise<void>;
  queued: number;
  delivered: number;
  failed: Array<{ event: string; detail: string }>;
}

/** Sends rollout events to the configured webhooks in the background. */
export class WebhookNotifier {
  private readonly deliveries: Delivery[] = [];
  /** Problems found before anything was sent (an unset environment variable): reported as warnings. */
  private readonly setupProblems: CheckResult[] = [];
  /** Aborted when the drain's bound is reached: in-flight requests stop, queued ones are dropped. */
  private readonly abandon = new AbortController();
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    config: NotifyConfig,
    private readonly options: NotifierOptions = {},
  ) {
    this.sleep = options.sleep ?? systemClock.sleep;
    config.webhooks.forEach((hook, index) => {
      const prepared = prepareEndpoint(hook, options.env ?? process.env);
      if (!prepared.ok) {
        this.setupProblems.push(warn(index, `Webhook ${index + 1} (${prepared.problem}) is disabled: no event was sent to it. The release is not affected.`));
        return;
      }
      this.deliveries.push({ index, config: hook, endpoint: prepared.endpoint, tail: Promise.resolve(), queued: 0, delivered: 0, failed: [] });
    });
  }

  /** Queue `event` for every webhook that wants it. Returns at once; never throws. */
  send(event: NotifyEvent): void {
    if (this.abandon.signal.aborted) return;
    for (const delivery of this.deliveries) {
      if (!delivery.config.events.includes(event.event)) continue;
      delivery.queued += 1;
      delivery.tail = delivery.tail.then(async () => {
        const result = await this.deliver(delivery, event);
        if (result.ok) {
          delivery.delivered += 1;
          return;
        }
        delivery.failed.push({ event: event.event, detail: result.detail });
        if (!result.detail.startsWith('abandoned')) this.log(`webhook ${delivery.endpoint.label} did not take the ${event.event} event: ${result.detail}`);
      });
    }
  }

  /**
   * Wait up to `maxMs` for the deliveries under way, then give up on the rest; one result per
   * webhook: `pass` when every event arrived, `warn` naming the masked URL and the last failure.
   */
  async drain(maxMs = DRAIN_TIMEOUT_MS): Promise<CheckResult[]> {
    const timer = new AbortController();
    const all = Promise.all(this.deliveries.map((d) => d.tail)).then(() => 'done' as const);
    const bound = this.sleep(maxMs, timer.signal).then(
      () => 'timeout' as const,
      () => 'done' as const,
    );
    const first = await Promise.race([all, bound]);
    timer.abort();
    if (first === 'timeout') {
      this.abandon.abort(new Error('notification deadline'));
      // The abort settles every request within a turn or two; then the counts are final.
      await Promise.all(this.deliveries.map((d) => d.tail));
    }
    return [...this.setupProblems, ...this.deliveries.map((d) => this.result(d, maxMs))];
  }

  private result(d: Delivery, maxMs: number): CheckResult {
    const label = d.endpoint.label;
    const undelivered = d.queued - d.delivered;
    if (undelivered === 0) {
      return { id: `notify.webhook.${d.index + 1}`, gate: 'release', status: 'pass', observed: d.delivered, message: `Webhook ${label}: ${d.delivered} event${d.delivered === 1 ? '' : 's'} delivered.` };
    }
    const answered = d.failed.filter((f) => !f.detail.startsWith('abandoned'));
    const last = answered.at(-1) ?? d.failed.at(-1);
    const abandoned = d.failed.length - answered.length;
    const why = last !== undefined ? ` Last failure (${last.event}): ${last.detail}.` : '';
    const late = abandoned > 0 ? ` ${abandoned} still unsent after the ${formatDuration(maxMs)} wait at the end were dropped.` : '';
    return {
      ...warn(d.index, `Webhook ${label}: ${undelivered} of ${d.queued} events not delivered.${why}${late} Notifications never affect the rollout.`),
      observed: last?.detail ?? 'not delivered',
      expected: '2xx',
    };
  }

  /** One event to one webhook: retries after a 5xx, a 429 or no answer, with back-off; never after another 4xx. */
  private async deliver(d: Delivery, event: NotifyEvent): Promise<PostResult> {
    const body = d.config.format === 'slack' ? slackPayload(event) : jsonPayload(event);
    let attempt = 0;
    for (;;) {
      if (this.abandon.signal.aborted) return { ok: false, detail: 'abandoned: the wait at the end of the run was over' };
      const result = await postJson(d.endpoint, body, {
        timeoutMs: d.config.timeoutMs,
        cancel: this.abandon.signal,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
      });
      if (result.ok) return result;
      if (this.abandon.signal.aborted) return { ok: false, detail: `abandoned: the wait at the end of the run was over (${result.detail})` };
      const retryable = result.status === undefined || result.status >= 500 || result.status === 429;
      if (!retryable || attempt >= d.config.retries) {
        return { ...result, detail: `${result.detail}${result.body !== undefined ? ` (${result.body})` : ''}${attempt > 0 ? ` after ${attempt + 1} attempts` : ''}` };
      }
      await this.sleep(backoffMs(attempt, d.config.timeoutMs, result.retryAfterMs), this.abandon.signal).catch(() => undefined);
      attempt += 1;
    }
  }

  private log(line: string): void {
    this.options.log?.(`notify: ${line}`);
  }
}

/** Retry-After when the webhook sent one, else 500 ms doubling; either way at most the webhook's timeout. */
export function backoffMs(attempt: number, timeoutMs: number, retryAfterMs?: number): number {
  return Math.min(retryAfterMs ?? FIRST_BACKOFF_MS * 2 ** attempt, timeoutMs);
}

function warn(index: number, message: string): CheckResult {
  return { id: `notify.webhook.${index + 1}`, gate: 'release', status: 'warn', message };
}
