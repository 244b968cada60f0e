/**
 * The Lambda weighted-alias target over the real SDK clients, over HTTP, against the local
 * AWS simulator. Covers reads, conditional writes with read-back, publishing, and per-version
 * metrics through CloudWatch's ExecutedVersion dimension.
 */
import { createAwsClients } from '../../src/aws/clients.js';
import { LambdaAliasTarget, functionNameOf } from '../../src/targets/lambda.js';
import { RevisionConflictError, TargetNotFoundError } from '../../src/targets/target.js';
import { VirtualClock, startSimulator, type Simulator } from '../sim/index.js';

const MINUTE = 60_000;

describe('LambdaAliasTarget against the simulator', () => {
  let sim: Simulator;
  let clock: VirtualClock;

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 10, 22, 10, 0, 0));
    sim = await startSimulator({ clock, metricDelayMs: 0 });
    sim.createFunction({ name: 'churn-model', versions: 3, aliases: [{ name: 'prod', version: '3' }], latestCodeSha: 'new-code-sha' });
  });
  afterEach(async () => sim.close());

  function target(alias = 'prod', functionName = 'churn-model'): LambdaAliasTarget {
    const clients = createAwsClients({ env: { AWS_REGION: 'us-east-1' }, maxAttempts: 2 });
    return new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName, alias });
  }

  beforeEach(() => {
    // The SDK itself resolves AWS_ENDPOINT_URL and credentials from the environment: no special case.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    process.env.AWS_ENDPOINT_URL = sim.endpoint;
  });
  afterAll(() => {
    delete process.env.AWS_ENDPOINT_URL;
  });

  it('reads the alias state with its revision', async () => {
    const state = await target().readAlias();
    expect(state.version).toBe('3');
    expect(state.additionalWeights).toEqual({});
    expect(state.revisionId).toBe(sim.getAliasState('churn-model', 'prod').revisionId);
  });

  it('names the alias and function when either does not exist, and writes nothing', async () => {
    await expect(target('staging').readAlias()).rejects.toThrow(TargetNotFoundError);
    await expect(target('staging').readAlias()).rejects.toThrow(/Alias 'staging' of Lambda function 'churn-model' was not found/);
    await expect(target('prod', 'no-such-fn').readAlias()).rejects.toThrow(/no-such-fn/);
    expect(sim.writes()).toHaveLength(0);
  });

  it('publishes $LATEST once and reuses the version when the code is unchanged', async () => {
    const first = await target().resolveCandidate({ description: 'model-release-gate sha=abc tag=model-v1.2.0' });
    expect(first).toMatchObject({ version: '4', published: true });
    const again = await target().resolveCandidate({ description: 'model-release-gate sha=abc tag=model-v1.2.0' });
    expect(again).toMatchObject({ version: '4', published: false });
  });

  it('resolves an explicit version without publishing, and rejects a missing one', async () => {
    await expect(target().resolveCandidate({ version: '2', description: 'x' })).resolves.toMatchObject({ version: '2', published: false });
    await expect(target().resolveCandidate({ version: '99', description: 'x' })).rejects.toThrow(TargetNotFoundError);
    expect(sim.writes()).toHaveLength(0);
  });

  it('shifts, promotes and rolls back with conditional writes that are read back', async () => {
    const t = target();
    let state = await t.readAlias();
    state = await t.shiftTraffic('2', 0.1, state.revisionId);
    expect(sim.getAliasState('churn-model', 'prod')).toMatchObject({ version: '3', weights: { '2': 0.1 } });
    state = await t.rollBack(state.revisionId);
    expect(sim.getAliasState('churn-model', 'prod')).toMatchObject({ version: '3', weights: {} });
    state = await t.shiftTraffic('2', 1, state.revisionId);
    state = await t.promote('2', state.revisionId);
    expect(state).toMatchObject({ version: '2', additionalWeights: {} });
    state = await t.pointTo('1', state.revisionId);
    expect(sim.getAliasState('churn-model', 'prod')).toMatchObject({ version: '1', weights: {} });
  });

  it('refuses to overwrite a change made by someone else (stale RevisionId)', async () => {
    const t = target();
    const stale = await t.readAlias();
    await t.shiftTraffic('2', 0.2, stale.revisionId); // "someone else"
    const error = await t.shiftTraffic('1', 0.5, stale.revisionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevisionConflictError);
    expect((error as RevisionConflictError).current).toMatchObject({ version: '3', additionalWeights: { '2': 0.2 } });
    expect(sim.getAliasState('churn-model', 'prod').weights).toEqual({ '2': 0.2 });
  });

  it('reports a change made by someone else between our write and its read-back as a conflict', async () => {
    const t = target();
    const state = await t.readAlias();
    sim.scenarios.concurrentAliasChange({ afterUpdateAliasCalls: 1, change: { version: '1', weights: {} } });
    const error = await t.shiftTraffic('2', 0.1, state.revisionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevisionConflictError);
    expect((error as Error).message).toMatch(/changed by someone else right after our write \(now version 1 with weights \{\}\)/);
    expect((error as RevisionConflictError).current).toMatchObject({ version: '1', additionalWeights: {} });
    // Theirs stands: no write of ours after the conflict.
    expect(sim.getAliasState('churn-model', 'prod')).toMatchObject({ version: '1', weights: {} });
    expect(sim.writes().filter((w) => w.operation === 'UpdateAlias')).toHaveLength(1);
  });

  it('reads metrics per executed version, so stable errors are not blamed on the canary', async () => {
    const t = target();
    const state = await t.readAlias();
    await t.shiftTraffic('2', 0.5, state.revisionId);
    sim.setVersionBehaviour('churn-model', '3', { errorRate: 0.2, latencyMs: { p50: 50, p99: 120 } });
    sim.setVersionBehaviour('churn-model', '2', { errorRate: 0, latencyMs: { p50: 90, p99: 400 } });
    const traffic = sim.startTraffic({ functionName: 'churn-model', alias: 'prod', requestsPerMinute: 600, seed: 7 });
    const start = clock.now();
    await clock.sleep(3 * MINUTE);
    sim.stopTraffic();
    const window = { startMs: start, endMs: clock.now() };
    const canary = await t.readMetrics('2', window);
    const stable = await t.readMetrics('3', window);
    expect(canary.invocations).toBe(traffic.tally.byVersion['2']?.invocations);
    expect(stable.invocations).toBe(traffic.tally.byVersion['3']?.invocations);
    expect(canary.errors).toBe(0);
    expect(stable.errors).toBe(traffic.tally.byVersion['3']?.errors);
    expect(stable.errors).toBeGreaterThan(0);
    expect(canary.periods).toHaveLength(3);
    expect(canary.p99Ms).toBeGreaterThan(stable.p99Ms ?? Infinity);
  });

  it('a metrics read stops retrying as soon as its signal aborts (the SDK honours abortSignal between attempts)', async () => {
    sim.scenarios.throttleControlPlane({ operations: ['GetMetricData'], count: 1_000_000, status: 429 });
    const clients = createAwsClients({ env: { AWS_REGION: 'us-east-1' }, maxAttempts: 6 });
    const patient = new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName: 'churn-model', alias: 'prod' });
    const controller = new AbortController();
    const started = Date.now();
    const read = patient.readMetrics('3', { startMs: clock.now() - 5 * MINUTE, endMs: clock.now() }, controller.signal);
    const reads = () => sim.requestLog.filter((e) => e.operation === 'GetMetricData').length;
    while (reads() < 2) await new Promise((r) => setTimeout(r, 10));
    controller.abort(new Error('the other read failed'));
    await expect(read).rejects.toThrow();
    const afterAbort = reads();
    // Six attempts with backoff take seconds; the aborted read ends at once and sends no more.
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(reads()).toBe(afterAbort);
    expect(afterAbort).toBeLessThan(6);
  });

  it('invokes a specific version', async () => {
    sim.setVersionBehaviour('churn-model', '1', { errorRate: 1, latencyMs: { p50: 10, p99: 20 } });
    const ok = await target().invoke('2', '{"x":1}');
    expect(ok.functionError).toBeUndefined();
    expect(JSON.parse(ok.payload)).toMatchObject({ version: '2' });
    const failed = await target().invoke('1', '{"x":1}');
    expect(failed.functionError).toBe('Unhandled');
  });

  it('extracts the function name from ARNs for metric dimensions', () => {
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:churn-model')).toBe('churn-model');
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:churn-model:prod')).toBe('churn-model');
    expect(functionNameOf('123456789012:function:churn-model')).toBe('churn-model');
    expect(functionNameOf('churn-model')).toBe('churn-model');
  });
});
