/**
 * Manual rollback end to end: the committed bundles (`dist/cli.js` as a GitLab job or a person
 * runs it, `dist/main.js` as a GitHub runner runs it) against the AWS simulator, which holds
 * versions published by earlier releases with their `model-release-gate sha=… tag=…`
 * descriptions. Only the real SDK over HTTP touches the alias.
 */
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { runBundle, runCli } from '../support/run-bundle.js';
import { updateAliasCalls } from '../support/sim-release.js';

const FN = 'churn-model';
const SHA = {
  v2: '2222222222222222222222222222222222222222',
  v3: '3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a',
  v4: '4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b',
};

let sim: Simulator;

/** Version 1 from the console, then releases 2, 3, 4; the alias serves 4. */
async function freshSimulator(): Promise<void> {
  sim = await startSimulator({ clock: new RealClock() });
  sim.createFunction({ name: FN, versions: 1, aliases: [{ name: 'prod', version: '1' }] });
  sim.publishVersion(FN, `model-release-gate sha=${SHA.v2} tag=model-v1.0.0`);
  sim.publishVersion(FN, `model-release-gate sha=${SHA.v3} tag=model-v1.1.0`);
  sim.publishVersion(FN, `model-release-gate sha=${SHA.v4} tag=model-v1.2.0`);
  sim.setAlias(FN, 'prod', { version: '4' });
}

function awsEnv(): Record<string, string> {
  return { AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
}

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(['rollback', '--function-name', FN, '--alias', 'prod', ...args], { env: { ...awsEnv(), ...env } });
}

beforeEach(freshSimulator);
afterEach(() => sim.close());

describe('dist/cli.js rollback', () => {
  it('points the alias at the tagged version with weights {} and the RevisionId it read, and reports from, to, who and why', async () => {
    const before = sim.getAliasState(FN, 'prod');
    const result = await cli(['--to', 'model-v1.1.0', '--reason', 'p99 doubled since 1.2.0', '--dotenv-path', 'out.env'], { GITLAB_USER_LOGIN: 'maria' });
    expect(result.stderr).toContain('Rollback of lambda:churn-model:prod to version 3 (tag model-v1.1.0, commit 3a3a3a3a3a3a) requested by maria: p99 doubled since 1.2.0');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Rolled back lambda:churn-model:prod from version 4 to version 3 (tag model-v1.1.0, commit 3a3a3a3a3a3a); requested by maria: p99 doubled since 1.2.0',
    );
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    // One conditional write, carrying the revision read just before; then the read-back.
    expect(sim.writes().map((w) => [w.operation, w.status])).toEqual([['UpdateAlias', 200]]);
    expect(updateAliasCalls(sim)[0]!.body).toEqual({ FunctionVersion: '3', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: before.revisionId });
    expect(sim.requestLog.at(-1)).toMatchObject({ operation: 'GetAlias', status: 200 });
  });

  it('reports a rollback whose reply was lost after it landed as done (exit 0), not as a conflict', async () => {
    // UpdateAlias is applied, then a gateway answers 503; the SDK's retry meets the new revision (412).
    sim.scenarios.lostReply({ operations: ['UpdateAlias'], reply: 503 });
    const result = await cli(['--to', 'model-v1.1.0', '--reason', 'odd scores']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Rolled back lambda:churn-model:prod from version 4 to version 3');
    expect(result.stdout).not.toMatch(/someone else|not changed/);
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '3', weights: {} });
    expect(updateAliasCalls(sim).map((e) => [e.status, e.lostReply ?? null])).toEqual([
      [503, 503],
      [412, null],
    ]);
  });

  it("resolves 'previous' and an abbreviated SHA", async () => {
    expect((await cli(['--to', 'previous'])).code).toBe(0);
    expect(sim.getAliasState(FN, 'prod').version).toBe('3');
    expect((await cli(['--to', SHA.v2.slice(0, 10)])).code).toBe(0);
    expect(sim.getAliasState(FN, 'prod').version).toBe('2');
  });

  it('exits 2 with a clear message and changes nothing for a malformed or unknown value', async () => {
    const before = sim.getAliasState(FN, 'prod');
    const malformed = await cli(['--to', 'v1;reboot']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("error: 'to' must be a release tag");
    const unknown = await cli(['--to', 'model-v9.0.0']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: No published version was released from tag 'model-v9.0.0'. Newest releases: 4 (model-v1.2.0, 4b4b4b4b4b4b)");
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, 'prod')).toEqual(before);
  });

  it.each([
    ['function', ['--function-name', 'no-such-model'], /no-such-model/],
    ['alias', ['--alias', 'staging'], /Alias 'staging' of Lambda function 'churn-model' was not found/],
  ])('exits 2 (input error) for an unknown %s, before any write', async (_what, flags, message) => {
    const result = await runCli(['rollback', '--function-name', FN, '--alias', 'prod', ...flags, '--to', 'model-v1.1.0'], { env: awsEnv() });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(message);
    expect(result.stdout).toMatch(/Input error: .*nothing was changed\./);
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '4', weights: {} });
  });

  it('is a no-op with a clear message when the version is already current', async () => {
    const result = await cli(['--to', 'model-v1.2.0']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('lambda:churn-model:prod already points at version 4 (tag model-v1.2.0, commit 4b4b4b4b4b4b) with no other version receiving traffic; nothing to do.');
    expect(sim.writes()).toEqual([]);
  });

  it('refuses while a rollout is in progress unless --force, which drops the canary', async () => {
    sim.setAlias(FN, 'prod', { version: '3', weights: { '4': 0.2 } });
    const refused = await cli(['--to', 'model-v1.0.0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('A rollout is in progress on lambda:churn-model:prod (version 3, 20% on version 4');
    expect(sim.writes()).toEqual([]);

    const forced = await cli(['--to', 'model-v1.0.0', '--force']);
    expect(forced.code).toBe(0);
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '2', weights: {} });
  });

  it('rejects commit-range flags and a missing --to as usage errors before any AWS call', async () => {
    const missing = await cli([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: rollback: --to <tag|sha|previous> is required\n');
    const range = await cli(['--to', 'previous', '--from', 'HEAD~1']);
    expect(range.code).toBe(2);
    expect(sim.requestLog).toEqual([]);
  });
});

describe('dist/main.js with command: rollback', () => {
  it('rolls back to the tag, sets the outputs and writes who asked and why into the job summary', async () => {
    const result = await runBundle({
      eventName: 'workflow_dispatch',
      event: { inputs: { to: 'model-v1.0.0' }, repository: { full_name: 'acme-ml/churn-model-api' } },
      inputs: { command: 'rollback', to: 'model-v1.0.0', reason: 'customer tickets about odd scores', 'function-name': FN, alias: 'prod' },
      env: { ...awsEnv(), GITHUB_ACTOR: 'lee' },
      timeoutMs: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ outcome: 'rolled-back-manually', version: '2', 'previous-version': '4', tag: 'model-v1.0.0', sha: SHA.v2, actor: 'lee' });
    expect(result.summary).toContain('requested by lee: customer tickets about odd scores');
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '2', weights: {} });
  });

  it('fails with an error annotation and leaves the alias alone for a tag no release wrote', async () => {
    const result = await runBundle({
      eventName: 'workflow_dispatch',
      event: { inputs: {} },
      inputs: { command: 'rollback', to: 'model-v0.0.1', 'function-name': FN, alias: 'prod' },
      env: awsEnv(),
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^::error title=rollback error%3A rollback\.to::No published version was released from tag 'model-v0\.0\.1'\. .* lambda:churn-model:prod was not changed\.$/m);
    expect(result.outputs.outcome).toBe('aborted');
    expect(sim.writes()).toEqual([]);
  });
});
