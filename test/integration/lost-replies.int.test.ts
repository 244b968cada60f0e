/**
 * A write that lands but whose reply is lost: a 5xx from a gateway after the work was done, a
 * reset connection, a reply that never comes. The SDK retries with the same RevisionId, now
 * stale, and gets 412. The product must read the alias back, recognise its own write, carry on,
 * and report what really happened. The real pipeline, the real Lambda target and the real SDK
 * clients over HTTP against the simulator, on one shared virtual clock.
 */
import type { LambdaTargetConfig, TargetConfig } from '../../src/config/types.js';
import { defaultTargetFactory } from '../../src/app.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { MemoryStateStore } from '../../src/core/state.js';
import { loadRolloutRecord, restoreSafety } from '../../src/rollout/recovery.js';
import { LambdaAliasTarget } from '../../src/targets/lambda.js';
import type { LostReplyKind } from '../sim/faults.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { releaseWith, simulatorPerTest, updateAliasCalls } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const STABLE = '3';
const CANDIDATE = '4';

const CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: steps
  steps:
    - { percent: 20, duration: 1m }
    - { percent: 50, duration: 1m }
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
`;

/** A target whose SDK clients give up on a reply after 300 ms (the product's default is 30 s). */
const impatientTarget = (log: (line: string) => void) => (target: TargetConfig) => {
  const config = target as LambdaTargetConfig;
  const clients = createAwsClients({ region: config.region, requestTimeoutMs: 300 });
  return new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName: config.functionName, alias: config.alias, log });
};

/** The three ways a reply goes missing after the call was applied; a held reply outlasts the client's timeout. */
const KINDS: Array<[string, LostReplyKind]> = [
  ['a 503 after the work was done', 503],
  ['a reset connection', 'reset'],
  ['a reply that never comes (timeout)', 'timeout'],
];

describe('a write that lands but whose reply is lost', () => {
  const run = simulatorPerTest(START_MS, MINUTE);
  let sim: Simulator;
  let clock: VirtualClock;
  let lines: string[];
  beforeEach(() => {
    ({ sim, clock } = run);
    lines = [];
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: STABLE }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
  });

  function release(kind: LostReplyKind, state = new MemoryStateStore()) {
    const log = (line: string) => lines.push(line);
    return releaseWith(CONFIG, { clock, log, state, createTarget: kind === 'timeout' ? impatientTarget(log) : defaultTargetFactory(process.env, log) });
  }

  /** UpdateAlias calls as [status, lostReply] pairs. */
  const updateStatuses = () => updateAliasCalls(sim).map((e) => [e.status, e.lostReply ?? null]);
  const lostStatus = (kind: LostReplyKind) => (kind === 'reset' ? 0 : kind === 'timeout' ? 200 : kind);

  it.each(KINDS)('shift 20%% → 50%%, %s: the shift landed, so the rollout carries on and promotes', async (_what, kind) => {
    // Our 2nd UpdateAlias is the 50 % shift.
    sim.scenarios.lostReply({ operations: ['UpdateAlias'], nth: 2, reply: kind, holdMs: 1_500 });
    const state = new MemoryStateStore();
    const report = await release(kind, state);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {} });
    // The lost reply, the SDK's retry refused as stale (412), then the rest of the plan, each once.
    expect(updateStatuses()).toEqual([
      [200, null],
      [lostStatus(kind), kind],
      [412, null],
      [200, null],
      [200, null],
    ]);
    // What the alias went through: the accepted writes, and the one whose reply was lost.
    const applied = updateAliasCalls(sim)
      .filter((e) => e.status === 200 || e.lostReply !== undefined)
      .map((e) => ({ ...(e.body.FunctionVersion !== undefined ? { version: e.body.FunctionVersion } : {}), weights: e.body.RoutingConfig?.AdditionalVersionWeights ?? {} }));
    expect(applied).toEqual([
      { weights: { [CANDIDATE]: 0.2 } },
      { weights: { [CANDIDATE]: 0.5 } },
      { weights: { [CANDIDATE]: 1 } },
      { version: CANDIDATE, weights: {} },
    ]);
    expect(report.headline).not.toMatch(/someone else/);
    expect(lines.some((l) => /UpdateAlias failed on its way back .* the write landed/.test(l))).toBe(true);
    expect(report.results.filter((r) => r.id.startsWith('rollout.step-')).map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    expect((await loadRolloutRecord(state))?.phase).toBe('done');
  }, 30_000);

  it.each(KINDS)('promotion, %s: the alias is promoted, and the report says so (exit 0, history written)', async (_what, kind) => {
    // 20 %, 50 %, the 100 % final bake, then the promotion: our 4th UpdateAlias.
    sim.scenarios.lostReply({ operations: ['UpdateAlias'], nth: 4, reply: kind, holdMs: 1_500 });
    const report = await release(kind);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: CANDIDATE, weights: {}, description: `model-release-gate promoted=${CANDIDATE},${STABLE}` });
    expect(updateStatuses().slice(3)).toEqual([
      [lostStatus(kind), kind],
      [412, null],
    ]);
    expect(report.headline).toMatch(new RegExp(`^Version ${CANDIDATE} promoted`));
    expect(report.outputs.outcome).toBe('promoted');
    expect(report.timeline?.at(-1)).toMatchObject({ event: 'promote' });
  }, 30_000);

  it.each(KINDS)('rollback, %s: the rollback landed, and the report says rolled back (not "nothing to undo")', async (_what, kind) => {
    sim.scenarios.canaryErrors({ rate: 0.3 });
    // The 20 % shift, then the rollback: our 2nd UpdateAlias.
    sim.scenarios.lostReply({ operations: ['UpdateAlias'], nth: 2, reply: kind, holdMs: 1_500 });
    const state = new MemoryStateStore();
    const report = await release(kind, state);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });
    expect(updateStatuses()).toEqual([
      [200, null],
      [lostStatus(kind), kind],
      [412, null],
    ]);
    expect(report.headline).toMatch(/Rolled back: lambda:churn-model:prod is at version 3, no additional weights/);
    expect(report.headline).not.toMatch(/nothing to undo|someone else/);
    expect((await loadRolloutRecord(state))?.phase).toBe('done');
  }, 30_000);

  it("someone else's change that leaves our 50% in place: only our weight is taken back, their change stays", async () => {
    // Right after our 50 % shift lands, an operator edits the alias description (and nothing else).
    sim.scenarios.concurrentAliasChange({ afterUpdateAliasCalls: 2, change: { description: 'on call: ana' } });
    const state = new MemoryStateStore();
    const report = await release(503, state);

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {}, description: 'on call: ana' });
    expect(report.headline).toMatch(/changed by someone else .* still routes traffic to version 4, which this run put there: taking that weight back/);
    // The rollback write asked for weights {} and nothing else: their description was not overwritten.
    const rollback = updateAliasCalls(sim, 200).at(-1);
    expect(rollback?.body).toMatchObject({ RoutingConfig: { AdditionalVersionWeights: {} } });
    expect(rollback?.body.Description).toBeUndefined();
    expect(rollback?.body.FunctionVersion).toBeUndefined();
    expect((await loadRolloutRecord(state))?.phase).toBe('done');
  });

  it('the post step takes back a weight this run left behind although its record says done', async () => {
    // A finished run's record, but the alias still routes 50% to its candidate.
    expect(sim.publishVersion(FN, 'the candidate')).toBe(CANDIDATE);
    sim.setAlias(FN, ALIAS, { version: STABLE, weights: { [CANDIDATE]: 0.5 } });
    const state = new MemoryStateStore();
    state.save('rollout', JSON.stringify({ functionTarget: `lambda:${FN}:${ALIAS}`, candidateVersion: CANDIDATE, stableVersion: STABLE, startedAtMs: START_MS, phase: 'done', weight: 0.5 }));
    const target = new LambdaAliasTarget(createAwsClients({ region: 'us-east-1' }).lambda, createAwsClients({ region: 'us-east-1' }).cloudwatch, { functionName: FN, alias: ALIAS });
    const restored = await restoreSafety({ target, state, clock });
    expect(restored.action).toBe('rolled-back');
    expect(restored.reason).toMatch(/recorded as finished, yet lambda:churn-model:prod still routed 50% to it/);
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: STABLE, weights: {} });

    // A weight that is not the one this run had in place is someone else's: left alone.
    sim.setAlias(FN, ALIAS, { version: STABLE, weights: { [CANDIDATE]: 0.3 } });
    expect((await restoreSafety({ target, state, clock })).action).toBe('none');
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ weights: { [CANDIDATE]: 0.3 } });
  });
});
