/**
 * The SageMaker endpoint target end to end: the real pipeline, the product's own SDK clients
 * (SageMaker, SageMaker Runtime, CloudWatch) over HTTP against the simulator, on a virtual
 * clock shared with it. The fault matrix of the Lambda target: promotion, a regression rolled
 * back within one poll, zero traffic, throttling and 5xx, lost replies, someone else's change,
 * and the SageMaker-specific one: an update that silently returns to the old config.
 */
import { fileURLToPath } from 'node:url';
import { MemoryStateStore } from '../../src/core/state.js';
import { recoverUnfinishedRollout } from '../../src/recover.js';
import { runManualRollback } from '../../src/rollback/rollback.js';
import { defaultTargetFactory } from '../../src/app.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/platform/types.js';
import type { Report } from '../../src/report/result.js';
import type { RolloutTarget } from '../../src/targets/target.js';
import { CreateEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { sageMakerClients } from '../sim/test-clients.js';
import { loadTestConfig, releaseWith, sageMakerTargetYaml, simulatorPerTest } from '../support/sim-release.js';

const ENDPOINT = 'churn-endpoint';
const STABLE_MODEL = 'churn-model-v1';
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 5, 9, 0, 0);

const TARGET = `
${sageMakerTargetYaml(ENDPOINT)}`;

/** Two 25 % steps of 2 minutes, then a 2-minute bake at 100 %: the compare judge on per-variant metrics. */
const CONFIG = `${TARGET}
rollout:
  strategy: steps
  steps:
    - { percent: 25, duration: 2m }
    - { percent: 50, duration: 2m }
  final-bake: 2m
  poll: 30s
  min-invocations: 50
  judge: { type: compare }
`;

/** The pre-traffic payloads of the Lambda tests: each must be answered, `typical customer` with ok = true. */
const PRETRAFFIC = `
pretraffic:
  payloads: ${fileURLToPath(new URL('../fixtures/pretraffic/payloads.jsonl', import.meta.url))}
`;

describe('SageMaker endpoint target (real pipeline, real SDK clients, simulator)', () => {
  const env = simulatorPerTest(START);
  let lines: string[];

  beforeEach(() => {
    lines = [];
    env.sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: 'AllTraffic', modelName: STABLE_MODEL, instanceCount: 2, instanceType: 'ml.m5.large' }] });
    env.sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: 600, seed: 5 });
  });

  const release = (config = CONFIG, extra: { state?: MemoryStateStore; tag?: string; signal?: AbortSignal } = {}) =>
    releaseWith(config, { clock: env.clock, log: (line) => lines.push(line), sha: 'c0ffee1234', ...(extra.tag ? { tag: extra.tag } : {}), ...(extra.state ? { state: extra.state } : {}) });

  const writes = (operation: string) => env.sim.requestLog.filter((e) => e.operation === operation);
  const candidateModel = () => env.sim.listSageMakerModels().find((m) => m !== STABLE_MODEL) as string;

  function expectSafe(report: Report): void {
    const state = env.sim.getEndpointState(ENDPOINT);
    const serving = state.variants.filter((v) => v.weight > 0);
    expect(serving.map((v) => v.modelName)).toEqual([STABLE_MODEL]);
    expect(report.exitCode).not.toBe(0);
  }

  it('promotes a healthy model: a variant at weight 0, the steps read back, then one variant serving the new model', async () => {
    const report = await release(CONFIG + PRETRAFFIC, { tag: 'churn-v1.4.0' });
    expect(report.outcome).toBe('promoted');
    expect(report.exitCode).toBe(0);
    const model = candidateModel();
    expect(model).toMatch(/^churn-endpoint-[0-9a-f]{12}$/);

    const state = env.sim.getEndpointState(ENDPOINT);
    expect(state.status).toBe('InService');
    expect(state.variants).toEqual([expect.objectContaining({ variantName: model, modelName: model, weight: 1, instanceCount: 2 })]);
    // The previous model is kept for rollback; the release is recorded on the model and the history on the endpoint.
    expect(env.sim.listSageMakerModels()).toContain(STABLE_MODEL);
    expect(env.sim.getSageMakerTags(model)['model-release-gate:release']).toBe('model-release-gate sha=c0ffee1234 tag=churn-v1.4.0');
    expect(env.sim.getSageMakerTags(ENDPOINT)['model-release-gate:history']).toBe(`model-release-gate promoted=${model}/${STABLE_MODEL}`);

    // Pre-traffic reached the candidate's variant at weight 0, before any weights call.
    const invokes = env.sim.requestLog.filter((e) => e.operation === 'InvokeEndpoint');
    expect(invokes.length).toBeGreaterThan(0);
    const firstWeights = writes('UpdateEndpointWeightsAndCapacities')[0];
    expect(invokes.every((e) => e.atMs <= (firstWeights?.atMs ?? 0))).toBe(true);

    // Weights asked for, in order: 25 %, 50 %, 100 %, then the promotion config.
    const asked = writes('UpdateEndpointWeightsAndCapacities').map((e) => (e.body as { DesiredWeightsAndCapacities: Array<{ VariantName: string; DesiredWeight: number; DesiredInstanceCount?: number }> }).DesiredWeightsAndCapacities);
    expect(asked.map((d) => d.find((v) => v.VariantName === model)?.DesiredWeight)).toEqual([0.25, 0.5, 1]);
    // instances: match (the default) starts the candidate with the stable variant's 2 instances,
    // so no shift changes an instance count: each is a weights-only update, quick to roll back.
    expect(asked.map((d) => d.find((v) => v.VariantName === model)?.DesiredInstanceCount)).toEqual([undefined, undefined, undefined]);
    const created = writes('CreateEndpointConfig')[0]?.body as { ProductionVariants: Array<{ ModelName: string; InitialInstanceCount: number }> };
    expect(created.ProductionVariants.find((v) => v.ModelName === model)?.InitialInstanceCount).toBe(2);
    expect(writes('UpdateEndpoint')).toHaveLength(2);
    expect(report.results.find((r) => r.id === 'rollout.cleanup')).toBeUndefined();
  });

  it('instances: auto scales the candidate with its share of the stable instances, from 1 to all', async () => {
    const report = await release(CONFIG.replace('rollout:\n', '  instances: auto\nrollout:\n'));
    expect(report.outcome).toBe('promoted');
    const model = candidateModel();
    const asked = writes('UpdateEndpointWeightsAndCapacities').map((e) => (e.body as { DesiredWeightsAndCapacities: Array<{ VariantName: string; DesiredInstanceCount?: number }> }).DesiredWeightsAndCapacities);
    // 1 instance from the start, unchanged at 25 % and 50 %, both at 100 %.
    expect(asked.map((d) => d.find((v) => v.VariantName === model)?.DesiredInstanceCount)).toEqual([undefined, undefined, 2]);
    expect(env.sim.getEndpointState(ENDPOINT).variants).toEqual([expect.objectContaining({ modelName: model, instanceCount: 2 })]);
  });

  it('rolls a regression back within one poll, in one weights call, then removes the candidate variant', async () => {
    const failFrom = START + 6 * MINUTE;
    env.sim.scenarios.variantErrors({ endpointName: ENDPOINT, rate: 0.3, fromMs: failFrom });
    const report = await release();
    expect(report.outcome).toBe('rolled-back');
    expect(report.exitCode).toBe(1);
    expectSafe(report);
    const weightCalls = writes('UpdateEndpointWeightsAndCapacities');
    const rollback = weightCalls.at(-1);
    // One call takes the candidate's weight away (the stable variant is named only when it had none, at the final bake).
    expect((rollback?.body as { DesiredWeightsAndCapacities: Array<{ VariantName: string; DesiredWeight: number }> }).DesiredWeightsAndCapacities).toContainEqual({ VariantName: candidateModel(), DesiredWeight: 0 });
    // Found within a poll of the first minute of errors being published (metric delay 1 min + the period).
    expect((rollback?.atMs ?? Infinity) - failFrom).toBeLessThanOrEqual(2 * MINUTE + 30_000 + 60_000);
    // Cleanup after the verdict: the endpoint is back to one variant; the candidate model is kept.
    const state = env.sim.getEndpointState(ENDPOINT);
    expect(state.variants.map((v) => v.modelName)).toEqual([STABLE_MODEL]);
    expect(report.results.find((r) => r.id === 'rollout.cleanup')).toMatchObject({ status: 'pass' });
  });

  it('rollout.watch: a model that starts failing after its promotion is rolled back to the previous model', async () => {
    const failFrom = START + 14 * MINUTE;
    env.sim.scenarios.variantErrors({ endpointName: ENDPOINT, rate: 0.3, fromMs: failFrom });
    const report = await release(`${CONFIG}  watch: 10m\n`);
    expect(lines.findIndex((l) => l.startsWith('Watching version'))).toBeGreaterThanOrEqual(0);
    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(report.headline).toMatch(/rolled back after promotion/);
    expect(report.results.find((r) => r.id === 'rollout.watch')).toMatchObject({ status: 'fail' });
    const state = env.sim.getEndpointState(ENDPOINT);
    expect(state.variants.filter((v) => v.weight > 0).map((v) => v.modelName)).toEqual([STABLE_MODEL]);
  });

  it('removes the candidate variant when the pre-traffic tests fail, before any traffic moved', async () => {
    env.sim.scenarios.variantErrors({ endpointName: ENDPOINT, rate: 1 });
    const report = await release(CONFIG + PRETRAFFIC);
    expect(report.outcome).toBe('aborted');
    expect(report.headline).toMatch(/Pre-traffic tests of version .* failed: no traffic was shifted/);
    expect(writes('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
    expect(report.results.find((r) => r.id === 'rollout.cleanup')).toMatchObject({ status: 'pass', message: expect.stringMatching(/Removed the variant of/) });
    expect(env.sim.getEndpointState(ENDPOINT).variants.map((v) => v.modelName)).toEqual([STABLE_MODEL]);
  });

  it('reports an endpoint update that SageMaker silently rolled back, and moves no traffic', async () => {
    env.sim.scenarios.failingEndpointUpdate({ endpointName: ENDPOINT, reason: 'The primary container for production variant candidate did not pass the ping health check.' });
    const report = await release();
    expect(report.outcome).toBe('aborted');
    expect(report.exitCode).toBe(1);
    expect(report.headline).toMatch(/silent rollback|did not take the new endpoint config/);
    expect(JSON.stringify(report.results)).toContain('did not pass the ping health check');
    expect(writes('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
    expect(env.sim.getEndpointState(ENDPOINT).variants.map((v) => [v.modelName, v.weight])).toEqual([[STABLE_MODEL, 1]]);
  });

  it('catches a silent rollback with no FailureReason at all', async () => {
    env.sim.scenarios.failingEndpointUpdate({ endpointName: ENDPOINT, clearReason: true });
    const report = await release();
    expect(report.exitCode).toBe(1);
    expect(JSON.stringify(report.results)).toMatch(/no FailureReason/);
    expect(writes('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
  });

  it('treats a weights update that did not apply as a failure, not as a step, and ends on the stable variant', async () => {
    env.sim.scenarios.failingWeightsUpdate({ endpointName: ENDPOINT });
    const report = await release();
    expect(report.exitCode).toBe(1);
    expect(JSON.stringify(report.results)).toMatch(/did not apply the request/);
    expectSafe(report);
  });

  it('recognises a weights update whose reply was lost after it landed, and carries on to promotion', async () => {
    env.sim.scenarios.lostReply({ operations: ['UpdateEndpointWeightsAndCapacities'], nth: 2, reply: 503 });
    const report = await release();
    expect(report.outcome).toBe('promoted');
    expect(lines.join('\n')).toMatch(/UpdateEndpointWeightsAndCapacities failed on its way back .* the write landed/);
  });

  it('recognises an UpdateEndpoint and a CreateModel whose replies were lost', async () => {
    env.sim.scenarios.lostReply({ operations: ['UpdateEndpoint'], nth: 1, reply: 'reset' });
    env.sim.scenarios.lostReply({ operations: ['CreateModel'], nth: 1, reply: 500 });
    const report = await release();
    expect(report.outcome).toBe('promoted');
    expect(lines.join('\n')).toMatch(/UpdateEndpoint failed on its way back/);
    expect(env.sim.listSageMakerModels()).toHaveLength(2);
  });

  it('rides out throttling and 5xx on the weights calls (the SDK retries them)', async () => {
    env.sim.scenarios.throttleControlPlane({ operations: ['UpdateEndpointWeightsAndCapacities'], count: 2, status: 429 });
    env.sim.scenarios.throttleControlPlane({ operations: ['DescribeEndpoint'], count: 2, status: 503 });
    const report = await release();
    expect(report.outcome).toBe('promoted');
  });

  it("never overwrites someone else's change mid-rollout: it takes back only its own candidate's weight", async () => {
    env.sim.scenarios.concurrentEndpointChange({ endpointName: ENDPOINT, afterOperation: 'UpdateEndpointWeightsAndCapacities', nth: 1, change: { weights: { AllTraffic: 0.5 } } });
    const report = await release();
    expect(report.exitCode).toBe(1);
    expect(report.headline).toMatch(/changed by someone else .* taking that weight back and nothing else/);
    const accepted = writes('UpdateEndpointWeightsAndCapacities').filter((e) => e.status === 200);
    // Our 25 % shift, then the rollback, which names only the candidate: AllTraffic keeps the weight they set.
    expect(accepted).toHaveLength(2);
    expect((accepted[1]?.body as { DesiredWeightsAndCapacities: unknown[] }).DesiredWeightsAndCapacities).toEqual([{ VariantName: candidateModel(), DesiredWeight: 0 }]);
    const state = env.sim.getEndpointState(ENDPOINT);
    expect(state.variants.filter((v) => v.weight > 0).map((v) => [v.modelName, v.weight])).toEqual([[STABLE_MODEL, 0.5]]);
  });

  it("refuses to add its variant while someone else's endpoint update is being applied, and writes nothing", async () => {
    const { sagemaker } = sageMakerClients(env.sim.endpoint);
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'their-config',
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: STABLE_MODEL, InitialInstanceCount: 3, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 }],
      }),
    );
    // Their UpdateEndpoint starts right after the gate's first read of the endpoint.
    env.sim.scenarios.concurrentEndpointChange({ endpointName: ENDPOINT, afterOperation: 'DescribeEndpoint', nth: 1, change: { configName: 'their-config' } });
    const before = env.sim.requestLog.length;
    const report = await release();
    expect(report.exitCode).toBe(1);
    expect(report.headline).toMatch(/is Updating \(an update started outside this run is being applied, config churn-endpoint-config\); nothing was written/);
    const ours = env.sim.requestLog.slice(before).filter((e) => ['CreateEndpointConfig', 'UpdateEndpoint', 'UpdateEndpointWeightsAndCapacities'].includes(e.operation));
    expect(ours).toEqual([]);
    expect(env.sim.getEndpointState(ENDPOINT).pendingConfigName).toBe('their-config');
  });

  it('rolls back when the candidate gets no traffic (no data is never a pass)', async () => {
    env.sim.stopTraffic();
    const report = await release();
    expect(report.outcome).toBe('rolled-back');
    expectSafe(report);
  });

  describe('shadow phase (rollout.shadow)', () => {
    const SHADOW = CONFIG.replace('rollout:\n', 'rollout:\n  shadow: { percent: 50, duration: 3m }\n');
    const createdConfigs = () => writes('CreateEndpointConfig').filter((e) => e.status === 200).map((e) => e.body as { ProductionVariants: Array<{ ModelName: string; InitialVariantWeight: number }>; ShadowProductionVariants?: Array<{ ModelName: string; InitialVariantWeight: number }> });

    it('judges the candidate on mirrored requests before any client sees it, then runs the canary', async () => {
      const report = await release(SHADOW);
      expect(report.outcome).toBe('promoted');
      const shadow = report.results.find((r) => r.id === 'rollout.shadow');
      expect(shadow).toMatchObject({ status: 'pass' });
      expect(shadow?.message).toMatch(/Shadow phase passed after .* mirrored calls/);
      const configs = createdConfigs();
      // Candidate at 0, then production alone with the candidate as its 50 % shadow, then the candidate back at 0 for the canary.
      expect(configs[1]?.ProductionVariants.map((v) => v.ModelName)).toEqual([STABLE_MODEL]);
      expect(configs[1]?.ShadowProductionVariants).toEqual([expect.objectContaining({ ModelName: candidateModel(), InitialVariantWeight: 0.5 })]);
      expect(configs[2]?.ProductionVariants.map((v) => [v.ModelName, v.InitialVariantWeight])).toEqual([[STABLE_MODEL, 1], [candidateModel(), 0]]);
      expect(configs[2]?.ShadowProductionVariants).toBeUndefined();
      // The shadow answered mirrored requests: its metrics have invocations, and no weights call came before the phase ended.
      expect(Number((shadow?.details as Record<string, number>)['invocations'])).toBeGreaterThan(100);
      const firstWeights = writes('UpdateEndpointWeightsAndCapacities')[0]?.atMs ?? 0;
      expect(writes('UpdateEndpoint')[2]?.atMs ?? Infinity).toBeLessThan(firstWeights);
    });

    it('stops a candidate that fails on mirrored requests: no client traffic ever moved, the shadow is removed', async () => {
      env.sim.scenarios.variantErrors({ endpointName: ENDPOINT, rate: 0.4 });
      const report = await release(SHADOW);
      expect(report.outcome).toBe('aborted');
      expect(report.exitCode).toBe(1);
      expect(report.headline).toMatch(/Shadow phase failed .* no client saw/);
      expect(writes('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
      const state = env.sim.getEndpointState(ENDPOINT);
      expect(state.variants.map((v) => v.modelName)).toEqual([STABLE_MODEL]);
      expect(state.shadowVariants).toEqual([]);
    });

    it('ends a shadow phase cancelled by SIGTERM with no client traffic on the candidate', async () => {
      const controller = new AbortController();
      const running = releaseWith(SHADOW, { clock: env.clock, signal: controller.signal });
      while (!env.sim.getEndpointState(ENDPOINT).shadowVariants.some((v) => v.modelName !== STABLE_MODEL)) await env.clock.sleep(10_000);
      controller.abort(new Error('SIGTERM'));
      const report = await running;
      expect(report.exitCode).toBe(1);
      expect(report.headline).toMatch(/Shadow phase of .* stopped before any client traffic moved/);
      expect(writes('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
      expect(env.sim.getEndpointState(ENDPOINT).variants.map((v) => [v.modelName, v.weight])).toEqual([[STABLE_MODEL, 1]]);
    });

    it('is a config error with a Lambda target', () => {
      expect(() => loadTestConfig('target:\n  function-name: f\n  alias: prod\nrollout:\n  shadow: { percent: 10 }\n')).toThrow(/rollout.shadow.*needs target.type: sagemaker/);
    });
  });

  it('A/B test: holds a 50/50 split, then promotes the candidate the compare judge finds no worse', async () => {
    const report = await release(`${TARGET}
rollout:
  strategy: ab
  percent: 50
  interval: 10m
  poll: 30s
  min-invocations: 50
  judge: { type: compare }
`);
    expect(report.outcome).toBe('promoted');
    const asked = writes('UpdateEndpointWeightsAndCapacities').map((e) => (e.body as { DesiredWeightsAndCapacities: Array<{ VariantName: string; DesiredWeight: number }> }).DesiredWeightsAndCapacities);
    // One split, then the promotion's all-to-the-candidate call: no steps in between.
    expect(asked.map((d) => d.find((v) => v.VariantName === candidateModel())?.DesiredWeight)).toEqual([0.5, 1]);
  });

  it('refuses an endpoint that does not exist: exit 2, nothing written', async () => {
    const report = await release(CONFIG.replace(`endpoint-name: ${ENDPOINT}`, 'endpoint-name: no-such-endpoint'));
    expect(report.exitCode).toBe(2);
    expect(report.headline).toMatch(/no-such-endpoint/);
    expect(env.sim.writes()).toHaveLength(0);
  });

  it('refuses an existing model that does not exist: exit 2, nothing written', async () => {
    const config = CONFIG.replace(/ {2}model:\n( {4}.*\n)+/, '  version: churn-model-v9\n');
    const report = await release(config);
    expect(report.exitCode).toBe(2);
    expect(report.headline).toMatch(/churn-model-v9/);
    expect(env.sim.writes()).toHaveLength(0);
  });

  it('ends a cancelled rollout (SIGTERM) on the stable variant', async () => {
    const controller = new AbortController();
    const running = releaseWith(CONFIG, { clock: env.clock, log: (line) => lines.push(line), signal: controller.signal });
    while (!writes('UpdateEndpointWeightsAndCapacities').some((e) => e.status === 200)) await env.clock.sleep(10_000);
    controller.abort(new Error('SIGTERM'));
    const report = await running;
    expect(report.exitCode).not.toBe(0);
    expectSafe(report);
    expect(report.results.find((r) => r.id === 'rollout.cleanup')).toMatchObject({ status: 'warn' });
  });

  it('after a crash mid-rollout (SIGKILL), recover rolls the endpoint back from the saved state', async () => {
    const state = new MemoryStateStore();
    // The process "dies" right after its first shift: from then on none of its calls return,
    // so it can neither judge nor roll back; only the saved state is left.
    let dead = false;
    const dying = (config: TargetConfig): RolloutTarget => {
      const real = defaultTargetFactory(process.env, undefined, env.clock)(config);
      return new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (dead) return new Promise(() => undefined);
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (prop !== 'shiftTraffic') return result;
            return (result as Promise<unknown>).then((state) => {
              dead = true;
              return state;
            });
          };
        },
      });
    };
    void releaseWith(CONFIG, { clock: env.clock, state, createTarget: dying });
    while (!dead) await env.clock.sleep(10_000);
    expect(env.sim.getEndpointState(ENDPOINT).variants.some((v) => v.modelName !== STABLE_MODEL && v.weight > 0)).toBe(true);
    const info: string[] = [];
    const code = await recoverUnfinishedRollout({
      state,
      log: { info: (l: string) => info.push(l), warn: (l: string) => info.push(l), error: (l: string) => info.push(l), debug: () => undefined } as unknown as Logger,
      createTarget: defaultTargetFactory(process.env, undefined, env.clock),
    });
    expect(code).toBe(0);
    expect(info.join('\n')).toMatch(/rolled back/);
    const after = env.sim.getEndpointState(ENDPOINT);
    expect(after.variants.filter((v) => v.weight > 0).map((v) => v.modelName)).toEqual([STABLE_MODEL]);
  });

  it('rolls back by hand to a release tag: a config with one variant serving that release', async () => {
    const first = await release(CONFIG, { tag: 'churn-v1.4.0' });
    expect(first.outcome).toBe('promoted');
    const released = candidateModel();
    const config = loadTestConfig(CONFIG);
    const target = defaultTargetFactory(process.env, undefined, env.clock)(config.target as NonNullable<typeof config.target>);
    const report = await runManualRollback({ to: 'previous', reason: 'bad scores', actor: 'alice', force: false, dryRun: false }, { target, clock: env.clock, log: (l) => lines.push(l) });
    expect(report.exitCode).toBe(0);
    const state = env.sim.getEndpointState(ENDPOINT);
    expect(state.variants).toEqual([expect.objectContaining({ modelName: STABLE_MODEL, weight: 1 })]);
    expect(env.sim.listSageMakerModels()).toContain(released);
    // And forward again by the tag.
    const again = await runManualRollback({ to: 'churn-v1.4.0', reason: 'fixed', actor: 'alice', force: false, dryRun: false }, { target, clock: env.clock, log: (l) => lines.push(l) });
    expect(again.exitCode).toBe(0);
    expect(env.sim.getEndpointState(ENDPOINT).variants.map((v) => v.modelName)).toEqual([released]);
  });
});

describe('SageMaker endpoint target when DescribeEndpoint lags behind a write (eventual consistency)', () => {
  // For 5 s after an update starts, reads still show the endpoint as it was: InService, old weights.
  const env = simulatorPerTest(START, 60_000, { sagemaker: { describeLagMs: 5_000 } });

  it('does not mistake a read from before the update for a silent rollback, and promotes', async () => {
    env.sim.createEndpoint({ name: ENDPOINT, variants: [{ variantName: 'AllTraffic', modelName: STABLE_MODEL, instanceCount: 2, instanceType: 'ml.m5.large' }] });
    env.sim.startEndpointTraffic({ endpointName: ENDPOINT, requestsPerMinute: 600, seed: 5 });
    const report = await releaseWith(CONFIG, { clock: env.clock });
    expect(report.headline).not.toMatch(/did not|silent/);
    expect(report.outcome).toBe('promoted');
    // The first read after each write came back stale, and the gate read again instead of concluding.
    const reads = env.sim.requestLog.filter((e) => e.operation === 'DescribeEndpoint').length;
    expect(reads).toBeGreaterThan(env.sim.requestLog.filter((e) => e.operation === 'UpdateEndpointWeightsAndCapacities').length * 2);
  });
});
