/** The `notify:` section: defaults, the URL rule, and the schema announcing the loader's defaults. */
import { parseDuration } from '../../src/config/duration.js';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { CONFIRM_PROMOTION_DEFAULTS, WEBHOOK_DEFAULTS } from '../../src/notify/endpoint.js';

function load(text: string) {
  return parseConfigText(text, 'model-release.yml');
}

function errors(text: string): string[] {
  const loaded = load(text);
  return loaded.ok ? [] : loaded.errors.map(formatConfigError);
}

describe('notify config', () => {
  it('applies the defaults and keeps ${ENV} references for run time', () => {
    const loaded = load(`
notify:
  webhooks:
    - url: https://hooks.slack.com/services/T0/B0/X
    - url: \${SLACK_WEBHOOK_URL}
      format: slack
      events: [rollback, finish]
      timeout: 2s
      retries: 0
      headers: { Authorization: "Bearer \${TOKEN}" }
  confirm-promotion: { url: "http://127.0.0.1:8080/confirm" }
`);
    expect(loaded.ok && loaded.config.notify).toEqual({
      webhooks: [
        { url: 'https://hooks.slack.com/services/T0/B0/X', format: 'json', events: ['start', 'step', 'rollback', 'promotion', 'finish'], timeoutMs: 5_000, retries: 2, headers: {} },
        { url: '${SLACK_WEBHOOK_URL}', format: 'slack', events: ['rollback', 'finish'], timeoutMs: 2_000, retries: 0, headers: { Authorization: 'Bearer ${TOKEN}' } },
      ],
      confirmPromotion: { url: 'http://127.0.0.1:8080/confirm', timeoutMs: 30_000, headers: {} },
    });
  });

  it('refuses plain http off loopback, unknown events and a 0s timeout, naming the line', () => {
    expect(
      errors(`notify:
  webhooks:
    - url: http://example.com/hook
      events: [deploy]
      timeout: 0s
  confirm-promotion: { url: "ftp://example.com" }
`),
    ).toEqual([
      'model-release.yml:3:12 notify.webhooks.0.url: must be an https:// URL (plain http only to 127.0.0.1, localhost or [::1]), or start with an ${ENV_NAME} reference',
      'model-release.yml:4:16 notify.webhooks.0.events.0: must be start, step, rollback, promotion or finish',
      'model-release.yml:5:16 notify.webhooks.0.timeout: must be longer than 0s: a webhook needs time to answer',
      'model-release.yml:6:29 notify.confirm-promotion.url: must be an https:// URL (plain http only to 127.0.0.1, localhost or [::1]), or start with an ${ENV_NAME} reference',
    ]);
  });

  it('announces the defaults the loader applies', () => {
    const notify = configSchema.properties.notify.properties;
    const webhook = notify.webhooks.items.properties;
    expect(webhook.format.default).toBe(WEBHOOK_DEFAULTS.format);
    expect(webhook.events.default).toEqual(WEBHOOK_DEFAULTS.events);
    expect(parseDuration(webhook.timeout.default)).toBe(WEBHOOK_DEFAULTS.timeoutMs);
    expect(webhook.retries.default).toBe(WEBHOOK_DEFAULTS.retries);
    expect(parseDuration(notify['confirm-promotion'].properties.timeout.default)).toBe(CONFIRM_PROMOTION_DEFAULTS.timeoutMs);
  });
});
