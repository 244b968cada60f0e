/**
 * Webhook endpoints as configured: the URL rule (https, or http to loopback for tests),
 * `${ENV_NAME}` references resolved from the environment so secrets stay in CI secrets, and
 * the masking every message uses. A webhook URL often is a secret itself (a Slack incoming
 * webhook carries its token in the path), so nothing here ever prints more than scheme://host/….
 */

/** Defaults of `notify.webhooks[]` and `notify.confirm-promotion` (the schema announces the same). */
export const WEBHOOK_DEFAULTS = {
  format: 'json',
  events: ['start', 'step', 'rollback', 'promotion', 'finish'],
  timeoutMs: 5_000,
  retries: 2,
} as const;
export const CONFIRM_PROMOTION_DEFAULTS = { timeoutMs: 30_000 } as const;

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `url` may not be called (undefined when it may): https anywhere, plain http only to loopback. */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  return `must be an https:// URL (plain http only to 127.0.0.1, localhost or [::1]), not ${parsed.protocol}//${parsed.host}`;
}

/** The names a template references, in order, without repeats. */
export function envReferences(template: string): string[] {
  return [...new Set([...template.matchAll(ENV_REFERENCE)].map((m) => m[1] ?? ''))];
}

export type Resolved = { ok: true; value: string; secrets: string[] } | { ok: false; missing: string[] };

/**
 * Replace every `${NAME}` with the environment's value. An unset or empty variable is missing
 * (sending `Bearer ` with no token is never what was meant). `secrets` are the substituted
 * values, so messages can redact them even where a server echoes them back.
 */
export function resolveEnvReferences(template: string, env: NodeJS.ProcessEnv): Resolved {
  const missing = envReferences(template).filter((name) => !env[name]);
  if (missing.length > 0) return { ok: false, missing };
  const secrets: string[] = [];
  const value = template.replace(ENV_REFERENCE, (_, name: string) => {
    const secret = env[name] ?? '';
    secrets.push(secret);
    return secret;
  });
  return { ok: true, value, secrets };
}

/** `https://hooks.slack.com/…`: scheme and host only; the path and query may carry a token. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(an invalid URL)';
  }
}

/** `text` with every secret replaced by `***` (longest first, so a secret inside another goes too). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***');
  }
  return out;
}
