/**
 * The model registry end to end: a real `mlflow server` (test/support/mlflow.ts; versions
 * registered with MLflow's Python client), the real pipeline with its Lambda target over the SDK
 * against the AWS simulator, and the gate talking to MLflow over its REST API. The candidate's
 * metrics, production's baseline and the hold-out predictions come from the registry; the outcome
 * goes back to it (alias, tags). Each test registers its own model name on the one server.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/report/result.js';
import type { Simulator, VirtualClock } from '../sim/index.js';
import { describeWithMlflow, registerVersion, startMlflowServer, stopMlflowServer, type MlflowServer } from '../support/mlflow.js';
import { runCli } from '../support/run-bundle.js';
import { releaseWith, simulatorPerTest, updateAliasCalls } from '../support/sim-release.js';

const FN = 'churn-model';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const TARGET = `lambda:${FN}:prod`;

/** 400 hold-out rows: the candidate ranks churners a little better than production. */
function predictionsCsv(): string {
  const rows = ['id,churned,score,production_score'];
  for (let i = 0; i < 400; i++) {
    const churned = i % 4 === 0 ? 1 : 0;
    const noise = ((i * 37) % 100) / 100;
    rows.push(`${i},${churned},${(churned ? 0.55 : 0.25) + noise * 0.4},${(churned ? 0.5 : 0.3) + noise * 0.4}`);
  }
  return `${rows.join('\n')}\n`;
}

describeWithMlflow('model.registry: MLflow (real server) as the source of the candidate and the record of the outcome', () => {
  let server: MlflowServer;
  let models = 0;
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 180_000);
  afterAll(() => stopMlflowServer(server), 30_000);

  const run = simulatorPerTest(START_MS, 60_000);
  let sim: Simulator;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ sim, clock } = run);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: 'prod', version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: 'prod', requestsPerMinute: 600, seed: 3 });
  });

  async function rest(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.uri}/api/2.0/mlflow/${path}`);
    return (await response.json()) as Record<string, unknown>;
  }
  async function versionState(name: string, version: string): Promise<{ aliases: string[]; tags: Record<string, string> }> {
    const body = (await rest(`model-versions/get?name=${name}&version=${version}`)).model_version as { aliases?: string[]; tags?: Array<{ key: string; value: string }> };
    return { aliases: body.aliases ?? [], tags: Object.fromEntries((body.tags ?? []).map((t) => [t.key, t.value])) };
  }

  /** A model with production's version 1 (alias champion, auc 0.90) and a candidate version 2 (alias challenger). */
  async function registerModel(candidate: { auc: number; predictions?: boolean }): Promise<string> {
    const name = `churn-${++models}`;
    await registerVersion(server, { name, metrics: { auc: 0.9 }, aliases: ['champion'], tags: { 'model-release-gate.target': TARGET, 'model-release-gate.target-version': '3' } });
    await registerVersion(server, {
      name,
      metrics: { auc: candidate.auc },
      metric_history: { auc_fold: [candidate.auc - 0.005, candidate.auc + 0.004, candidate.auc], train_loss: [0.7, 0.6, 0.52, 0.46, 0.42, 0.4], val_loss: [0.72, 0.62, 0.55, 0.5, 0.47, 0.46] },
      ...(candidate.predictions ? { artifacts: { 'holdout/predictions.csv': predictionsCsv() } } : {}),
      aliases: ['challenger'],
    });
    return name;
  }

  function config(name: string, extra = '', registry = `{ type: mlflow, uri: "${server.uri}", name: ${name}, alias: challenger }`): string {
    return `
target: { function-name: ${FN}, alias: prod, region: us-east-1 }
rollout: { strategy: linear, step: 50, interval: 1m, poll: 15s }
model:
  registry: ${registry}
${extra}  checks:
    - { type: metric, metric: auc, min: 0.85 }
    - { type: baseline, metric: auc, margin: 0.01 }
    - { type: stability, metric: auc_fold, max-std: 0.02 }
    - { type: overfitting }
`;
  }
  const release = (text: string): Promise<Report> => releaseWith(text, { clock, tag: 'model-v1.3.0' });
  const modelRows = (report: Report) => Object.fromEntries(report.results.filter((r) => r.gate === 'model').map((r) => [r.id, r.status]));
  const published = () => sim.requestLog.filter((e) => e.operation === 'PublishVersion' || e.operation === 'UpdateAlias');

  it('checks the candidate on its run\'s metrics against champion\'s, promotes it, moves champion to it and tags it', async () => {
    const name = await registerModel({ auc: 0.92 });
    const report = await release(config(name));

    expect(report.outcome).toBe('promoted');
    const registry = report.results.find((r) => r.id === 'model.registry');
    expect(registry?.message).toMatch(new RegExp(`^Candidate MLflow model ${name} version 2 \\(alias challenger\\) from MLflow at http://127\\.0\\.0\\.1:\\d+: \\d+ metrics; baseline: version 1 \\(alias champion\\)\\.$`));
    expect(Object.values(modelRows(report)).every((s) => s === 'pass')).toBe(true);
    const baseline = report.results.find((r) => r.details?.type === 'baseline');
    expect(baseline?.message).toMatch(/0\.92/);
    expect(baseline?.message).toMatch(/0\.9\b/);

    const v2 = await versionState(name, '2');
    expect(v2.aliases).toContain('champion');
    expect(v2.tags).toMatchObject({
      'model-release-gate.outcome': 'promoted',
      'model-release-gate.release-tag': 'model-v1.3.0',
      'model-release-gate.target': TARGET,
      'model-release-gate.target-version': '4',
    });
    expect((await versionState(name, '1')).aliases).not.toContain('champion');
    expect(report.results.find((r) => r.id === 'release.registry')).toMatchObject({ status: 'pass', message: `Recorded promoted on MLflow model ${name} version 2; alias champion now points at it.` });
  });

  it('reads the hold-out predictions from the run\'s artifacts (registry:<path>)', async () => {
    const name = await registerModel({ auc: 0.92, predictions: true });
    const downloadsBefore = readdirSync(tmpdir()).filter((entry) => entry.startsWith('mrg-mlflow-'));
    const report = await releaseWith(
      config(name, '  predictions: { path: "registry:holdout/predictions.csv", label: churned, candidate: score, production: production_score }\n').replace(
        '    - { type: metric, metric: auc, min: 0.85 }\n',
        '    - { type: metric, metric: auc, min: 0.85 }\n    - { type: non-inferiority, metric: auc, margin: 0.02 }\n',
      ),
      { clock },
    );
    expect(report.outcome).toBe('promoted');
    const nonInferiority = report.results.find((r) => r.details?.type === 'non-inferiority');
    expect(nonInferiority).toMatchObject({ status: 'pass' });
    // The 400 rows of the artifact, downloaded through the server's artifact proxy, and the download removed after the model gate.
    expect(nonInferiority?.message).toMatch(/ at n = 400, /);
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith('mrg-mlflow-'))).toEqual(downloadsBefore);
  });

  it('an artifact the run does not have is an input error of the checks that read it (exit 2, nothing published)', async () => {
    const name = await registerModel({ auc: 0.92 });
    const report = await releaseWith(
      config(name, '  predictions: { path: "registry:holdout/missing.csv", label: churned, candidate: score, production: production_score }\n').replace(
        '    - { type: metric, metric: auc, min: 0.85 }\n',
        '    - { type: non-inferiority, metric: auc, margin: 0.02 }\n',
      ),
      { clock },
    );
    expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
    expect(report.results.find((r) => r.details?.type === 'non-inferiority')?.message).toMatch(new RegExp(`MLflow model ${name} version 2 \\(alias challenger\\) has no artifact holdout/missing\\.csv in run \\w+`));
    expect(published()).toHaveLength(0);
  });

  it('rolls back a canary that fails: tags the candidate with why, leaves champion on production\'s version', async () => {
    const name = await registerModel({ auc: 0.92 });
    sim.setVersionBehaviour(FN, '4', { errorRate: 0.3, latencyMs: { p50: 50, p99: 100 } });
    const report = await release(config(name));

    expect(report.outcome).toBe('rolled-back');
    const v2 = await versionState(name, '2');
    expect(v2.aliases).not.toContain('champion');
    expect(v2.tags['model-release-gate.outcome']).toBe('rolled-back');
    expect(v2.tags['model-release-gate.reason']).toMatch(/error/i);
    expect((await versionState(name, '1')).aliases).toContain('champion');
  });

  it('puts champion back on production\'s version when someone moved it to the candidate before the rollout failed', async () => {
    const name = await registerModel({ auc: 0.92 });
    sim.setVersionBehaviour(FN, '4', { errorRate: 0.3, latencyMs: { p50: 50, p99: 100 } });
    // The training pipeline set champion on the new version too early, once the gate had read the registry.
    const report = await releaseWith(config(name), {
      clock,
      log: (line) => {
        if (line.startsWith('Published version')) void fetch(`${server.uri}/api/2.0/mlflow/registered-models/alias`, { method: 'POST', body: JSON.stringify({ name, alias: 'champion', version: '2' }) });
      },
    });
    expect(report.outcome).toBe('rolled-back');
    expect((await versionState(name, '1')).aliases).toContain('champion');
    expect((await versionState(name, '2')).aliases).not.toContain('champion');
  });

  it('stops on model checks that fail on the registry\'s metrics: nothing published, nothing recorded', async () => {
    const name = await registerModel({ auc: 0.8 });
    const report = await release(config(name));

    expect(report.outcome).toBe('aborted');
    expect(report.exitCode).toBe(1);
    expect(report.results.find((r) => r.details?.type === 'metric')).toMatchObject({ status: 'fail' });
    expect(published()).toHaveLength(0);
    expect((await versionState(name, '2')).tags['model-release-gate.outcome']).toBeUndefined();
  });

  describe('bad input: exit 2 before anything is published, naming the server and what was asked', () => {
    it('a registered model that does not exist', async () => {
      const report = await release(config('no-such-model'));
      expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(report.headline).toMatch(/model\.registry: MLflow has no registered model 'no-such-model' on http:\/\/127\.0\.0\.1:\d+ \(names are case-sensitive\)\. Nothing was published; nothing was changed\./);
      expect(published()).toHaveLength(0);
    });

    it('an alias that no version holds', async () => {
      const name = await registerModel({ auc: 0.92 });
      const report = await release(config(name, '', `{ type: mlflow, uri: "${server.uri}", name: ${name}, alias: candidate-2027 }`));
      expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(report.headline).toMatch(new RegExp(`registered model '${name}' has no alias 'candidate-2027' on http://127\\.0\\.0\\.1:\\d+`));
      expect(published()).toHaveLength(0);
    });

    it('a version that does not exist', async () => {
      const name = await registerModel({ auc: 0.92 });
      const report = await release(config(name, '', `{ type: mlflow, uri: "${server.uri}", name: ${name}, version: 9 }`));
      expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(report.headline).toMatch(new RegExp(`registered model '${name}' has no version 9`));
    });

    it('a server that is down (three attempts, then exit 2)', async () => {
      const port = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => resolve(port));
        });
      });
      const report = await release(config('churn-x', '', `{ type: mlflow, uri: "http://127.0.0.1:${port}", name: churn-x, alias: challenger }`));
      expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
      expect(report.headline).toMatch(new RegExp(`the MLflow server http://127\\.0\\.0\\.1:${port} could not be reached for alias 'challenger' of registered model 'churn-x' \\(ECONNREFUSED, 3 attempts\\)`));
      expect(published()).toHaveLength(0);
    }, 30_000);
  });

  it('a manual rollback (dist/cli.js) moves champion to the version recorded for that release and tags the one it leaves', async () => {
    const name = await registerModel({ auc: 0.92 });
    const promoted = await release(config(name));
    expect(promoted.outcome).toBe('promoted');
    expect((await versionState(name, '2')).aliases).toContain('champion');
    sim.stopTraffic();

    const dir = mkdtempSync(join(tmpdir(), 'mrg-mlflow-rollback-'));
    writeFileSync(join(dir, 'model-release.yml'), config(name));
    const result = await runCli(['rollback', '--config', 'model-release.yml', '--to', 'previous', '--reason', 'scores look off'], {
      cwd: dir,
      env: { AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', USER: 'maria' },
    });
    expect(result.code).toBe(0);
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    expect(result.stdout).toContain(`MLflow model ${name}: alias champion moved to version 1 from version 2 (tagged rolled-back).`);
    expect((await versionState(name, '1')).aliases).toContain('champion');
    const v2 = await versionState(name, '2');
    expect(v2.aliases).not.toContain('champion');
    expect(v2.tags).toMatchObject({ 'model-release-gate.outcome': 'rolled-back', 'model-release-gate.reason': expect.stringMatching(/^manual rollback to version 3 .* by maria: scores look off$/) });
    expect(updateAliasCalls(sim).length).toBeGreaterThan(0);
  }, 60_000);
});
