/**
 * What a webhook is told: one event of the rollout, and the two bodies it can be sent as
 * (a generic JSON document, or a Slack-compatible message). Pure functions, no I/O.
 */
import type { NotifyEventName } from '../config/types.js';
import type { Outcome } from '../report/result.js';

export type { NotifyEventName } from '../config/types.js';

/** One thing that happened to the release, as every webhook hears it. */
export interface NotifyEvent {
  event: NotifyEventName;
  /** The release tag and commit, when known. */
  release: { tag?: string; sha?: string };
  /** Human-readable target, e.g. `lambda:churn-model:prod`. */
  target: string;
  candidate: string;
  stable: string;
  /** Share of traffic on the candidate, 0..1 (step, rollback, promotion). */
  weight?: number;
  /** One or two sentences: what happened and why. */
  reason: string;
  /** finish only. */
  outcome?: Outcome;
  /** ISO 8601 time of the event. */
  at: string;
}

/** The generic JSON body: the event as is. */
export function jsonPayload(event: NotifyEvent): NotifyEvent {
  return event;
}

export interface SlackPayload {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
}

const HEADLINE: Record<NotifyEventName, string> = {
  start: 'canary started',
  step: 'traffic shifted',
  rollback: 'ROLLED BACK',
  promotion: 'promoted',
  finish: 'finished',
};

/**
 * A Slack-compatible message: `text` is a readable one-liner (the notification and fallback),
 * the single block adds the reason. Slack escapes only &, < and > in mrkdwn.
 */
export function slackPayload(event: NotifyEvent): SlackPayload {
  const release = event.release.tag ?? event.release.sha?.slice(0, 12) ?? 'release';
  const weight = event.weight !== undefined ? ` at ${Math.round(event.weight * 1000) / 10}%` : '';
  const outcome = event.outcome !== undefined ? `: ${event.outcome}` : '';
  const text = `${release} on ${event.target}: ${HEADLINE[event.event]}${outcome}${weight} (version ${event.candidate}, stable ${event.stable})`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(text)}*\n${escapeMrkdwn(event.reason)}` } }] };
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
