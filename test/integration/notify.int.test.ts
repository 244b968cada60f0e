/**
 * notify: end to end. The real pipeline, Lambda target and SDK clients against the AWS
 * simulator on one VirtualClock, and real HTTP webhooks on 127.0.0.1 (test/support/fake-webhook.ts).
 * Webhook timeouts are real time (an HTTP request takes wall-clock time); the rollout's own
 * timing is simulated, so "the rollback was not delayed" is asserted on the simulated time of
 * the rollback write, against the same run without webhooks.
 */
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { startFakeWebhook, type FakeWebhook, type WebhookAnswer } from '../support/fake-webhook.js';
import { lastRollbackWrite, releaseWith, simulatorPerTest, writtenRouting } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';
const SECRET = 'tok-7f3a9c-never-print-me';

const BASE_CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: linear
  step: 25
  interval: 1m
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
`;

const PROMOTED_WRITES = [
  { weights: { [CANDIDATE]: 0.25 } },
  { weights: { [CANDIDATE]: 0.5 } },
  { weights: { [CANDIDATE]: 0.75 } },
  { weights: { [CANDIDATE]: 1 } },
  { version: CANDIDATE, weights: {} },
];

describe('notify webhooks and confirm-promotion (simulator, simulated time, real HTTP)', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  let sim: Simulator;
  let clock: VirtualClock;
  const servers: FakeWebhook[] = [];
  const logs: string[] = [];

  beforeEach(() => {
    ({ sim, clock } = run);
    logs.length = 0;
    setUp();
    process.env.HOOK_TOKEN = SECRET;
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  function setUp(): void {
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
  }

  async function webhook(answer?: (path: string) => WebhookAnswer): Promise<FakeWebhook> {
    const server = await startFakeWebhook(answer ? (r) => answer(r.path) : undefined);
    servers.push(server);
    return server;
  }

  function release(notify: string, signal?: AbortSignal): Promise<Report> {
    return releaseWith(`${BASE_CONFIG}${notify}`, { clock, tag: 'model-v1.4.0', log: (line) => logs.push(line), ...(signal ? { signal } : {}) });
  }

  const notifyResults = (report: Report) => report.results.filter((r) => r.id.startsWith('notify.'));

  it('tells a webhook every event of a promoted rollout, in order, with the secret header resolved and never shown', async () => {
    const hook = await webhook();
    const report = await release(`
notify:
  webhooks:
    - url: ${hook.url}/hooks/T0/B0/path-secret
      headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
`);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(hook.events()).toEqual(['start', 'step', 'step', 'step', 'step', 'promotion', 'finish']);
    expect(hook.received.every((r) => r.headers.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(hook.received.map((r) => r.body.weight)).toEqual([undefined, 0.25, 0.5, 0.75, 1, 1, 1]);
    expect(hook.received[0]?.body).toMatchObject({ event: 'start', release: { tag: 'model-v1.4.0', sha: 'abc123' }, target: `lambda:${FN}:${ALIAS}`, candidate: CANDIDATE, stable: STABLE });
    expect(hook.received.at(-1)?.body).toMatchObject({ event: 'finish', outcome: 'promoted', reason: report.headline ?? expect.any(String) });
    expect(notifyResults(report)).toEqual([expect.objectContaining({ id: 'notify.webhook.1', status: 'pass', message: `Webhook ${hook.url}/…: 7 events delivered.` })]);
    const shown = JSON.stringify(report) + logs.join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('path-secret');
  });

  it('sends the Slack format, and only the events a webhook asks for', async () => {
    const hook = await webhook();
    const report = await release(`
notify:
  webhooks:
    - url: ${hook.url}/slack
      format: slack
      events: [rollback, promotion, finish]
`);
    expect(report.outcome).toBe('promoted');
    expect(hook.received.map((r) => r.body.text)).toEqual([
      `model-v1.4.0 on lambda:${FN}:${ALIAS}: promoted at 100% (version ${CANDIDATE}, stable ${STABLE})`,
      `model-v1.4.0 on lambda:${FN}:${ALIAS}: finished: promoted at 100% (version ${CANDIDATE}, stable ${STABLE})`,
    ]);
    expect(hook.received[0]?.body.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('Version 4 promoted') } }]);
  });

  it('a webhook that always 500s or never answers: warnings, same outcome and exit code, rollback not delayed', async () => {
    const onsetMs = Date.UTC(2026, 2, 2, 9, 3, 0);
    // Baseline: the same faulty release without webhooks.
    sim.scenarios.canaryErrors({ rate: 0.3, fromMs: onsetMs });
    const baseline = await release('');
    const baselineRollbackAtMs = lastRollbackWrite(sim)!.atMs;
    expect(baseline.outcome).toBe('rolled-back');

    await run.restart();
    ({ sim, clock } = run);
    setUp();
    sim.scenarios.canaryErrors({ rate: 0.3, fromMs: onsetMs });
    const failing = await webhook(() => ({ status: 500, body: 'upstream down' }));
    const silent = await webhook(() => 'hang');
    const report = await release(`
notify:
  webhooks:
    - url: ${failing.url}/a/secret-path?key=abc
      retries: 1
      timeout: 300ms
      headers: { X-Token: "\${HOOK_TOKEN}" }
    - url: ${silent.url}/b
      retries: 0
      timeout: 300ms
`);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: baseline.outcome, exitCode: baseline.exitCode });
    expect(lastRollbackWrite(sim)!.atMs).toBe(baselineRollbackAtMs);
    expect(writtenRouting(sim).at(-1)).toEqual({ weights: {} });
    // Every event was tried twice on the 500ing webhook (1 retry), once on the silent one.
    expect(failing.events()).toContain('rollback');
    expect(failing.received.length).toBe(2 * silent.received.length);
    const results = notifyResults(report);
    expect(results).toEqual([
      expect.objectContaining({ id: 'notify.webhook.1', status: 'warn', observed: 'HTTP 500 (upstream down) after 2 attempts' }),
      expect.objectContaining({ id: 'notify.webhook.2', status: 'warn', observed: expect.stringMatching(/^no answer within 300 ms/) }),
    ]);
    expect(results[0]?.message).toContain(`${failing.url}/…`);
    const shown = JSON.stringify(report) + logs.join('\n');
    for (const hidden of [SECRET, 'secret-path', 'key=abc']) expect(shown).not.toContain(hidden);
  });

  it('confirm-promotion answering 200 lets the rollout promote', async () => {
    const gate = await webhook();
    const report = await release(`
notify:
  confirm-promotion:
    url: ${gate.url}/confirm
    headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
`);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(gate.received).toHaveLength(1);
    expect(gate.received[0]?.body).toMatchObject({ event: 'promotion', candidate: CANDIDATE, stable: STABLE, weight: 1 });
    expect(writtenRouting(sim)).toEqual(PROMOTED_WRITES);
    expect(JSON.stringify(report) + logs.join('\n')).not.toContain(SECRET);
  });

  it('confirm-promotion answering 403 rolls back, naming the answer', async () => {
    const gate = await webhook(() => ({ status: 403, body: 'change freeze until Monday' }));
    const report = await release(`
notify:
  confirm-promotion: { url: "${gate.url}/confirm" }
`);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(report.headline).toContain(`Promotion of version ${CANDIDATE} not confirmed: the confirm-promotion webhook ${gate.url}/… did not confirm: HTTP 403: change freeze until Monday.`);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(writtenRouting(sim).some((w) => w.version === CANDIDATE)).toBe(false);
  });

  it('confirm-promotion that does not answer in time rolls back', async () => {
    const gate = await webhook(() => 'hang');
    const report = await release(`
notify:
  confirm-promotion: { url: "${gate.url}/confirm", timeout: 300ms }
`);
    expect(report.outcome).toBe('rolled-back');
    expect(report.headline).toContain('did not confirm: no answer within 300 ms');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
  });

  it('a cancellation (SIGTERM) while confirm-promotion is asked rolls back', async () => {
    const controller = new AbortController();
    const gate = await webhook(() => {
      controller.abort(new Error('SIGTERM'));
      return 'hang';
    });
    const report = await release(`
notify:
  confirm-promotion: { url: "${gate.url}/confirm" }
`, controller.signal);
    expect(report.outcome).toBe('rolled-back');
    expect(report.headline).toMatch(/cancelled \(SIGTERM\) while waiting for the promotion of version 4 to be confirmed/);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
  });

  it('a confirm-promotion whose secret is not set stops the release before anything is published (exit 2)', async () => {
    delete process.env.HOOK_TOKEN;
    const gate = await webhook();
    const report = await release(`
notify:
  confirm-promotion:
    url: ${gate.url}/confirm
    headers: { Authorization: "Bearer \${HOOK_TOKEN}" }
`);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 2 });
    expect(report.results.find((r) => r.id === 'notify.confirm-promotion')?.message).toContain('${HOOK_TOKEN} in header Authorization not set');
    expect(sim.writes()).toEqual([]);
    expect(gate.received).toEqual([]);
  });
});
