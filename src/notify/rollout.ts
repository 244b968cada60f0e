/**
 * The `notify:` section wired to one rollout: turns the loop's events into webhook events
 * about this release (target, candidate, stable), sends `start` and `finish` for the pipeline,
 * and builds the confirm-promotion gate. The pipeline only calls `started`, `finished` and
 * passes `loopDeps()` to the loop.
 */
import type { NotifyConfig } from '../config/types.js';
import type { CheckResult, Outcome } from '../report/result.js';
import type { RolloutDeps, RolloutEvent } from '../rollout/loop.js';
import { confirmPromotionGate } from './confirm.js';
import type { NotifyEvent } from './events.js';
import { prepareEndpoint, type Endpoint } from './http.js';
import { DRAIN_TIMEOUT_MS, WebhookNotifier, type NotifierOptions } from './webhooks.js';

export interface NotificationContext {
  release: { tag?: string; sha?: string };
  target: string;
  candidate: string;
  stable: string;
}

/**
 * Why confirm-promotion cannot be asked (an unset `${ENV}`, a URL that may not be called), or
 * undefined. Checked before anything is published: a gate that cannot answer yes would roll
 * back every release at its very end.
 */
export function confirmPromotionProblem(config: NotifyConfig | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (config?.confirmPromotion === undefined) return undefined;
  const prepared = prepareEndpoint(config.confirmPromotion, env);
  return prepared.ok ? undefined : `notify.confirm-promotion cannot be asked (${prepared.problem}): nothing was published. Set the variable in the job, or remove confirm-promotion.`;
}

export class RolloutNotifications {
  private readonly notifier: WebhookNotifier;
  private readonly confirmEndpoint: Endpoint | undefined;
  private weight = 0;

  constructor(
    private readonly config: NotifyConfig,
    private readonly context: NotificationContext,
    private readonly options: NotifierOptions & { now: () => number },
  ) {
    this.notifier = new WebhookNotifier(config, options);
    const confirm = config.confirmPromotion !== undefined ? prepareEndpoint(config.confirmPromotion, options.env ?? process.env) : undefined;
    this.confirmEndpoint = confirm?.ok === true ? confirm.endpoint : undefined;
  }

  /** The loop's hooks: `onEvent` for every step, rollback and promotion; `beforePromote` with confirm-promotion. */
  loopDeps(): Pick<RolloutDeps, 'onEvent' | 'beforePromote'> {
    const onEvent = (event: RolloutEvent) => {
      this.weight = event.weight;
      this.notifier.send(this.event(event.type, event.reason, event.weight));
    };
    const confirm = this.config.confirmPromotion;
    if (confirm === undefined) return { onEvent };
    const endpoint = this.confirmEndpoint;
    // confirmPromotionProblem refused this run before publishing; this is only the type's fallback.
    if (endpoint === undefined) return { onEvent, beforePromote: () => Promise.resolve({ ok: false, reason: 'notify.confirm-promotion could not be prepared' }) };
    const gate = confirmPromotionGate(confirm, endpoint, {
      event: () => this.event('promotion', `Version ${this.context.candidate} passed every step; asking to promote it.`, this.weight),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    });
    return {
      onEvent,
      beforePromote: async (signal) => {
        this.options.log?.(`notify: asking ${endpoint.label} (confirm-promotion) before promoting version ${this.context.candidate}`);
        return gate(signal);
      },
    };
  }

  /** Traffic is about to move. */
  started(): void {
    this.notifier.send(this.event('start', `Rolling version ${this.context.candidate} out on ${this.context.target} (stable ${this.context.stable}).`));
  }

  /** The outcome is settled: send `finish`, wait a bounded time for what is under way, report per webhook. */
  async finished(outcome: Outcome, reason: string, options: { cancelled: boolean }): Promise<CheckResult[]> {
    this.notifier.send({ ...this.event('finish', reason, this.weight), outcome });
    // A cancelled job has seconds before it is killed: the alias is safe already, so barely wait.
    return this.notifier.drain(options.cancelled ? 2_000 : DRAIN_TIMEOUT_MS);
  }

  private event(type: NotifyEvent['event'], reason: string, weight?: number): NotifyEvent {
    return {
      event: type,
      release: { ...this.context.release },
      target: this.context.target,
      candidate: this.context.candidate,
      stable: this.context.stable,
      ...(weight !== undefined ? { weight } : {}),
      reason,
      at: new Date(this.options.now()).toISOString(),
    };
  }
}
