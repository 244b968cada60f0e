/**
 * confirm-promotion (Flagger's webhook of the same name): right before the promotion write the
 * promotion event is POSTed, and only a 2xx answer lets the rollout promote. Unlike the
 * notification webhooks this one IS part of the decision, by design: any other answer, no
 * answer within the timeout, a network error or a cancelled job is "not confirmed", and the
 * loop rolls back with the answer in its reason. No retries: a confirmation is a decision, and
 * asking again until someone says yes would not be one.
 */
import type { ConfirmPromotionConfig } from '../config/types.js';
import type { PromotionDecision } from '../rollout/loop.js';
import type { NotifyEvent } from './events.js';
import { jsonPayload } from './events.js';
import { postJson, type Endpoint } from './http.js';

/** The gate the rollout loop calls before `target.promote`; never throws. */
export function confirmPromotionGate(
  config: ConfirmPromotionConfig,
  endpoint: Endpoint,
  options: { event: () => NotifyEvent; fetch?: typeof fetch },
): (signal?: AbortSignal) => Promise<PromotionDecision> {
  return async (signal) => {
    const result = await postJson(endpoint, jsonPayload(options.event()), {
      timeoutMs: config.timeoutMs,
      ...(signal ? { cancel: signal } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    if (result.ok) return { ok: true };
    const body = result.body !== undefined ? `: ${result.body}` : '';
    return { ok: false, reason: `the confirm-promotion webhook ${endpoint.label} did not confirm: ${result.detail}${body}` };
  };
}
