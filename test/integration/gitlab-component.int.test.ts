/**
 * The GitLab CI/CD component run for real by gitlab-ci-local (shell executor) in a temporary
 * git repository, its jobs running the committed dist/cli.js against the AWS simulator in this
 * process over HTTP. What GitLab would set for a push pipeline (GITLAB_CI, CI_COMMIT_BEFORE_SHA)
 * and the AWS endpoint, credentials and region are passed as CI/CD variables.
 *
 * gitlab-ci-local's `--input` sets a component input directly (it does not feed the project's
 * own `spec:inputs`); the project's pass-through `rollback-to: $[[ inputs.rollback-to ]]` is
 * covered by the no-input runs, where its default "" selects the release job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { componentProject, describeWithGitLabCiLocal, git, runPipeline } from '../support/gitlab-component.js';
import { fastRolloutConfig } from '../support/sim-release.js';

const FN = 'churn-model';
const RELEASED_SHA = '1111111111111111111111111111111111111111';

/** A rollout that finishes as soon as the loop allows: one 1 s step, judged until its minute is published. */
const CONFIG = fastRolloutConfig(FN);

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ clock: new RealClock(), metricDelayMs: 0 });
  // Version 1 from the console; version 2 released from RELEASED_SHA as model-v1.0.0; new code on $LATEST.
  sim.createFunction({ name: FN, versions: 1, aliases: [{ name: 'prod', version: '1' }] });
  sim.publishVersion(FN, `model-release-gate sha=${RELEASED_SHA} tag=model-v1.0.0`);
  sim.setAlias(FN, 'prod', { version: '2' });
  sim.setLatestCode(FN, 'code-of-the-next-model');
});
afterEach(() => sim.close());

function variables(before: string): Record<string, string> {
  return {
    GITLAB_CI: 'true',
    CI_COMMIT_BEFORE_SHA: before,
    GITLAB_USER_LOGIN: 'maria',
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  };
}

function dotenv(dir: string): Record<string, string> {
  const text = readFileSync(join(dir, 'model-release.env'), 'utf8');
  return Object.fromEntries(text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describeWithGitLabCiLocal()('GitLab component under gitlab-ci-local', () => {
  it("a 'docs: …' push runs the release job, which skips: nothing published, alias untouched", async () => {
    const { dir, initial } = componentProject(CONFIG);
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'docs: explain the feature store refresh');
    const run = await runPipeline(dir, { variables: variables(initial), timeoutMs: 50_000 });
    expect(run.output).toContain('PASS  model-release');
    expect(run.code).toBe(0);
    expect(run.output).toContain('No release: the only commit has no type in feat, fix, perf, revert with scope api.');
    expect(run.output).not.toContain('model-release-rollback');
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, 'prod').version).toBe('2');
    expect(dotenv(dir)).toMatchObject({ MRG_RELEASE: 'false', MRG_OUTCOME: 'skipped' });
  }, 60_000);

  it('a rollback pipeline with rollback-to points the alias at the tagged version and reports who and why', async () => {
    const { dir, initial } = componentProject(CONFIG);
    sim.setAlias(FN, 'prod', { version: '1' });
    const run = await runPipeline(dir, {
      variables: variables(initial),
      inputs: { 'rollback-to': 'model-v1.0.0', 'rollback-reason': 'odd scores since Friday' },
      timeoutMs: 50_000,
    });
    expect(run.output).toContain('PASS  model-release-rollback');
    expect(run.code).toBe(0);
    expect(run.output).not.toMatch(/PASS {2}model-release\n/);
    expect(run.output).toContain('Rolled back lambda:churn-model:prod from version 1 to version 2 (tag model-v1.0.0, commit 111111111111); requested by maria: odd scores since Friday');
    expect(sim.getAliasState(FN, 'prod')).toMatchObject({ version: '2', weights: {} });
    expect(dotenv(dir)).toMatchObject({ MRG_OUTCOME: 'rolled-back-manually', MRG_VERSION: '2', MRG_PREVIOUS_VERSION: '1' });
    expect(readFileSync(join(dir, 'model-release-junit.xml'), 'utf8')).toContain('rollback.outcome');
  }, 60_000);

  it('a bad rollback-to fails the job with a clear message and leaves the alias unchanged', async () => {
    const { dir, initial } = componentProject(CONFIG);
    const before = sim.getAliasState(FN, 'prod');
    const run = await runPipeline(dir, { variables: variables(initial), inputs: { 'rollback-to': 'model-v9.9.9' }, timeoutMs: 50_000 });
    expect(run.output).toContain('FAIL  model-release-rollback');
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("error: No published version was released from tag 'model-v9.9.9'. Newest releases: 2 (model-v1.0.0, 111111111111). lambda:churn-model:prod was not changed.");
    expect(sim.writes()).toEqual([]);
    expect(sim.getAliasState(FN, 'prod')).toEqual(before);
  }, 60_000);

  it('a rollback-to that is not a tag, SHA or previous is refused by the component input regex before any job runs', async () => {
    const { dir, initial } = componentProject(CONFIG);
    const run = await runPipeline(dir, { variables: variables(initial), inputs: { 'rollback-to': 'v1; curl evil.example' }, timeoutMs: 50_000 });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/rollback-to.*(regex|match)/i);
    expect(sim.requestLog).toEqual([]);
  }, 60_000);

  it('without command or cli-version, a component included at a SHA fails before installing anything, saying what to set', async () => {
    // GitLab gives no component.version for a SHA or branch reference (gitlab-ci-local gives the
    // SHA): the install step must refuse rather than guess a version such as `latest`.
    const { dir, initial } = componentProject(CONFIG, { cliVersion: '' });
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'docs: explain the feature store refresh');
    const run = await runPipeline(dir, { variables: variables(initial), timeoutMs: 50_000 });
    expect(run.output).toContain('FAIL  model-release');
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/the component was included at '[0-9a-f]{40}', which is not a released version, so the CLI version to install is unknown\. Include the component at a release/);
    expect(run.output).toContain('model-release-gate did not start in this job: no rollout to recover.');
    expect(run.output).not.toMatch(/npm (install|error)/);
    expect(sim.requestLog).toEqual([]);
  }, 60_000);
});
