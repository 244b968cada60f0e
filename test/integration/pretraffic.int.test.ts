/**
 * The pre-traffic smoke and stress test against the AWS simulator, through the real Lambda
 * target and SDK: Invoke with the version as Qualifier, per-version error and latency scripts
 * (`invokeLatency: 'real'` makes each Invoke take its drawn duration), and the pipeline wiring
 * that runs it after the version is published and before the first traffic shift. Versions
 * with a `proxy` behaviour answer as a function behind API Gateway / a function URL: HTTP 200
 * from Invoke with the real status inside the payload.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAwsClients } from '../../src/aws/clients.js';
import { parseConfigText } from '../../src/config/load.js';
import { runPretraffic } from '../../src/pretraffic/gate.js';
import type { CheckResult } from '../../src/report/result.js';
import { LambdaAliasTarget } from '../../src/targets/lambda.js';
import { VirtualClock, startSimulator, type Simulator } from '../sim/index.js';
import { pointSdkAt, releaseWith, updateAliasCalls } from '../support/sim-release.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/pretraffic/', import.meta.url));
const PAYLOADS = `${FIXTURES}payloads.jsonl`;
const PROXY_PAYLOADS = `${FIXTURES}proxy-payloads.jsonl`;
const FN = 'churn-model';

describe('pre-traffic test against the simulator', () => {
  let sim: Simulator;
  let clock: VirtualClock;
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 2, 2, 9, 0, 20));
    sim = await startSimulator({ clock, metricDelayMs: 60_000, invokeLatency: 'real' });
    sim.createFunction({ name: FN, versions: 4, aliases: [{ name: 'prod', version: '3' }] });
    pointSdkAt(sim.endpoint);
  });
  afterEach(async () => {
    await sim.close();
    process.env = { ...savedEnv };
  });

  async function pretraffic(section: string, payloads = PAYLOADS): Promise<CheckResult[]> {
    const loaded = parseConfigText(`pretraffic:\n  payloads: ${payloads}\n${section}`, 'model-release.yml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const clients = createAwsClients({ env: process.env, maxAttempts: 2 });
    const target = new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName: FN, alias: 'prod' });
    return runPretraffic(loaded.config.pretraffic!, { invoke: (v, p) => target.invoke(v, p), candidateVersion: '4', productionVersion: '3', cwd: FIXTURES });
  }

  it('passes a healthy version: every payload answered, assertions and latency budget hold', async () => {
    sim.setVersionBehaviour(FN, '4', { errorRate: 0, latencyMs: { p50: 30, p99: 60 } });
    const results = await pretraffic(`  requests: 24\n  concurrency: 6\n  response-schema: response.schema.json\n  latency:\n    p99-ms: 500\n`);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['pretraffic.responses', 'pass'],
      ['pretraffic.latency', 'pass'],
    ]);
    const latency = (results[1]!.details as { latency: { count: number; p50: number } }).latency;
    expect(latency.count).toBe(24);
    // The simulator holds each answer for its drawn duration: the client sees the script's latency.
    expect(latency.p50).toBeGreaterThanOrEqual(15);
    expect(latency.p50).toBeLessThan(200);
  });

  it('fails on function errors and names the payloads and their lines', async () => {
    sim.setVersionBehaviour(FN, '4', { errorRate: 1, latencyMs: { p50: 5, p99: 10 } });
    const [responses] = await pretraffic(`  concurrency: 3\n`);
    expect(responses!.status).toBe('fail');
    expect(responses!.message).toMatch(/^6 of 6 requests to version 4 failed: 'typical customer' \(.*payloads\.jsonl:2\): function error \(Unhandled\): .*Simulated model failure in version 4/);
    expect(responses!.message).toContain("'null tenure' (");
    expect(responses!.message).toContain('and 1 more payloads');
  });

  it('fails a failed assertion on an answered request, naming the field', async () => {
    sim.setVersionBehaviour(FN, '4', { errorRate: 0, latencyMs: { p50: 5, p99: 10 } });
    const loaded = parseConfigText(`pretraffic:\n  payloads: ${PAYLOADS}\n`, 'model-release.yml');
    if (!loaded.ok) throw new Error('bad config');
    const clients = createAwsClients({ env: process.env, maxAttempts: 2 });
    const target = new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName: FN, alias: 'prod' });
    // Production answers {"version":"3",...}: the payload's own expectation demands ok = true, a schema demands a score.
    const strict = { ...loaded.config.pretraffic!, responseSchemaPath: undefined };
    const results = await runPretraffic(strict, { invoke: (v, p) => target.invoke(v, p), candidateVersion: '4', cwd: FIXTURES });
    expect(results[0]!.status).toBe('pass');
    const withSchema = parseConfigText(`pretraffic:\n  payloads: ${PAYLOADS}\n  response-schema: ${FIXTURES}missing-score.schema.json\n`, 'model-release.yml');
    if (!withSchema.ok) throw new Error('bad config');
    const failed = await runPretraffic(withSchema.config.pretraffic!, { invoke: (v, p) => target.invoke(v, p), candidateVersion: '4', cwd: FIXTURES });
    expect(failed[0]!.status).toBe('fail');
    expect(failed[0]!.message).toMatch(/'typical customer' \(.*payloads\.jsonl:2\): schema: the response must have required property 'score'/);
  });

  it('compares latency with production invoked side by side: a much slower version fails', async () => {
    sim.setVersionBehaviour(FN, '3', { errorRate: 0, latencyMs: { p50: 10, p99: 25 } });
    sim.setVersionBehaviour(FN, '4', { errorRate: 0, latencyMs: { p50: 60, p99: 120 } });
    const results = await pretraffic(`  requests: 30\n  concurrency: 10\n  max-slowdown: 0.2\n`);
    const comparison = results.find((r) => r.id === 'pretraffic.latency-vs-production')!;
    expect(comparison.status).toBe('fail');
    expect(comparison.message).toMatch(/^p99 \d+ ms vs production version 3 \d+ ms \(\+\d+%; p50 \d+ vs \d+ ms\), allowed \+20%\.$/);
    expect((comparison.details as { production: { count: number } }).production.count).toBe(30);
  });

  it('a release runs it after publishing and before the first traffic shift; a failure shifts nothing', async () => {
    sim.setLatestCode(FN, 'code-v5');
    sim.scenarios.canaryErrors({ rate: 1 });
    const report = await releaseWith(
      `target:\n  function-name: ${FN}\n  alias: prod\n  region: us-east-1\nrollout:\n  strategy: linear\n  step: 50\n  interval: 1m\npretraffic:\n  payloads: ${PAYLOADS}\n`,
      { clock },
    );
    expect(report.outcome).toBe('aborted');
    expect(report.headline).toBe('Pre-traffic tests of version 5 failed: no traffic was shifted. See the pretraffic results below.');
    expect(updateAliasCalls(sim)).toHaveLength(0);
    const operations = sim.requestLog.map((e) => e.operation);
    expect(operations.indexOf('PublishVersion')).toBeLessThan(operations.indexOf('Invoke'));
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
  });

  it('a healthy release tests first, then shifts traffic', async () => {
    sim.setLatestCode(FN, 'code-v5');
    sim.startTraffic({ functionName: FN, alias: 'prod', requestsPerMinute: 600, seed: 3 });
    const report = await releaseWith(
      `target:\n  function-name: ${FN}\n  alias: prod\n  region: us-east-1\nrollout:\n  strategy: linear\n  step: 50\n  interval: 1m\n  final-bake: 0s\npretraffic:\n  payloads: ${PAYLOADS}\n  concurrency: 2\n`,
      { clock },
    );
    sim.stopTraffic();
    expect(report.results.find((r) => r.id === 'pretraffic.responses')?.status).toBe('pass');
    expect(report.outcome).toBe('promoted');
    const operations = sim.requestLog.map((e) => e.operation);
    expect(operations.lastIndexOf('Invoke')).toBeLessThan(operations.indexOf('UpdateAlias'));
  });

  describe('proxy responses', () => {
    it('judges the decoded body of a healthy proxy function: body.… fields and the response schema', async () => {
      sim.setVersionBehaviour(FN, '4', { errorRate: 0, latencyMs: { p50: 5, p99: 10 }, proxy: {} });
      const [responses] = await pretraffic(`  requests: 6\n  response-schema: response.schema.json\n`, PROXY_PAYLOADS);
      expect(responses).toMatchObject({ status: 'pass', details: { proxyResponses: 6 } });
      expect(responses!.message).toBe('6 requests to version 4: no function error, every assertion held (6 proxy responses, judged by their statusCode and decoded body).');
    });

    it('a proxy statusCode 500 answered with HTTP 200 fails the payloads; with proxy: false it would pass', async () => {
      sim.setVersionBehaviour(FN, '4', { errorRate: 0, latencyMs: { p50: 5, p99: 10 }, proxy: { errorRate: 1 } });
      const [responses] = await pretraffic(`  concurrency: 2\n`, PROXY_PAYLOADS);
      expect(responses!.status).toBe('fail');
      expect(responses!.message).toMatch(
        /^2 of 2 requests to version 4 failed: 'typical customer' \(.*proxy-payloads\.jsonl:2\): proxy statusCode 500: \{"error":"Simulated proxy error 500 in version 4"\}; 'null tenure' /,
      );
      // What the gate saw before proxy responses were understood: Invoke said 200, no function error.
      const [unasserted] = await pretraffic(`  proxy: false\n`, `${FIXTURES}proxy-unasserted.jsonl`);
      expect(unasserted!.status).toBe('pass');
    });

    it('a release whose new version answers HTTP 200 with proxy statusCode 500 is stopped before any weight shifts', async () => {
      sim.setVersionBehaviour(FN, '3', { errorRate: 0, latencyMs: { p50: 20, p99: 50 }, proxy: {} });
      sim.setLatestCode(FN, 'code-v5');
      sim.setVersionBehaviour(FN, '5', { errorRate: 0, latencyMs: { p50: 20, p99: 50 }, proxy: { errorRate: 1 } });
      const report = await releaseWith(
        `target:\n  function-name: ${FN}\n  alias: prod\n  region: us-east-1\nrollout:\n  strategy: linear\n  step: 50\n  interval: 1m\npretraffic:\n  payloads: ${PROXY_PAYLOADS}\n`,
        { clock },
      );
      expect(report.outcome).toBe('aborted');
      expect(report.headline).toBe('Pre-traffic tests of version 5 failed: no traffic was shifted. See the pretraffic results below.');
      expect(report.results.find((r) => r.id === 'pretraffic.responses')?.message).toContain('proxy statusCode 500: {"error":"Simulated proxy error 500 in version 5"}');
      expect(updateAliasCalls(sim)).toHaveLength(0);
      expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    });
  });

  describe('output drift: the new version\'s answers against production\'s on the same payloads', () => {
    /** 60 customers with a tenure from 1 to 60 months; production's churn score falls with tenure. */
    function writeCustomers(): string {
      const dir = mkdtempSync(join(tmpdir(), 'mrg-drift-'));
      const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ name: `customer ${i + 1}`, payload: { tenure: i + 1 } }));
      writeFileSync(join(dir, 'customers.jsonl'), `${lines.join('\n')}\n`);
      return join(dir, 'customers.jsonl');
    }
    const churn = (request: unknown) => 1 / (1 + ((request as { tenure: number }).tenure / 12) ** 1.5);
    const scoring = (score: (request: unknown) => number) => ({ errorRate: 0, latencyMs: { p50: 5, p99: 10 }, proxy: {}, answer: (request: unknown) => ({ score: score(request) }) });

    it('fails a new version that answers 200 with a constant score, every other check passing', async () => {
      sim.setVersionBehaviour(FN, '3', scoring(churn));
      sim.setVersionBehaviour(FN, '4', scoring(() => 0.42));
      // Each payload is sent three times: still 60 observations, not 180.
      const results = await pretraffic(`  requests: 180\n  output-drift:\n    field: body.score\n`, writeCustomers());
      expect(results.map((r) => [r.id, r.status])).toEqual([
        ['pretraffic.responses', 'pass'],
        ['pretraffic.latency-vs-production', 'pass'],
        ['pretraffic.output-drift', 'fail'],
      ]);
      const drift = results[2]!;
      expect(drift.message).toMatch(
        /^Answers at body\.score, one per payload: answers of version 4 are distributed unlike version 3's: PSI [\d.]+ \(max 0\.2\), chi² p < 0\.001, over 10 bins cut at version 3's quantiles; 60 answers of version 4, 60 of version 3\. All of its answers fall in one bin \(0\.\d+ < score ≤ 0\.\d+\), which holds 10% of version 3's: a constant or stuck output\?$/,
      );
      expect(drift.details).toMatchObject({ payloads: 60, candidate: expect.any(Array), production: expect.any(Array) });
    });

    it('passes a retrained model whose scores moved a little', async () => {
      sim.setVersionBehaviour(FN, '3', scoring(churn));
      sim.setVersionBehaviour(FN, '4', scoring((r) => churn(r) * 0.97 + 0.005));
      const results = await pretraffic(`  output-drift:\n    field: body.score\n`, writeCustomers());
      expect(results.find((r) => r.id === 'pretraffic.output-drift')).toMatchObject({ status: 'pass', message: expect.stringMatching(/answers of version 4 are distributed like version 3's: PSI 0\.\d+/) });
    });

    it('needs 5 payloads per bin with a number from both versions: too few is an error that names the file and the counts', async () => {
      sim.setVersionBehaviour(FN, '3', scoring(churn));
      sim.setVersionBehaviour(FN, '4', scoring(churn));
      const results = await pretraffic(`  output-drift:\n    field: body.score\n`, PROXY_PAYLOADS);
      expect(results.find((r) => r.id === 'pretraffic.output-drift')).toMatchObject({
        status: 'error',
        message: expect.stringMatching(/^pretraffic\.output-drift needs a number at body\.score from both versions for at least 50 payloads \(5 per bin, 10 bins\); \d+ of the \d+ payloads in .*proxy-payloads\.jsonl gave one/),
      });
    });
  });
});
