/**
 * Release records end to end in one process: the real pipeline, Lambda target and SDK clients
 * against the AWS simulator (simulated time), and the GitHub records (the real Octokit client)
 * against the local GitHub API stand-in over HTTP. Asserts what each side received: the tag
 * ref and deployment statuses on the GitHub side, PublishVersion and the alias on the AWS side.
 */
import type { GateConfig } from '../../src/config/types.js';
import { createGitHubReleaseApi } from '../../src/platform/github-release-api.js';
import { ReleaseRecorder } from '../../src/release/recorder.js';
import type { Report } from '../../src/report/result.js';
import { VirtualClock, startSimulator, type Simulator } from '../sim/index.js';
import { startFakeGitHub, type FakeGitHub, type SeenRequest } from '../support/fake-github-api.js';
import { pointSdkAt, releaseWith, writtenRouting } from '../support/sim-release.js';

const MINUTE = 60_000;
const FN = 'churn-model';
const ALIAS = 'prod';
const START_MS = Date.UTC(2026, 2, 2, 9, 0, 20);
const OWNER = 'acme-ml';
const REPO = 'churn-model-api';
const TOKEN = 'ghs_records_test_token';
const SHA = '5e1ea5e0000000000000000000000000000000aa';
const RUN_URL = `https://github.com/${OWNER}/${REPO}/actions/runs/4242`;

const CONFIG = `
target:
  function-name: ${FN}
  alias: ${ALIAS}
  region: us-east-1
rollout:
  strategy: linear
  step: 50
  interval: 1m
  poll: 15s
  final-bake: 1m
  metric-delay: 1m
  min-invocations: 10
release:
  tag: true
`;

/** The GitHub writes of a run: method and path, with the body fields that matter. */
function githubWrites(seen: SeenRequest[]): Array<[string, string, Record<string, unknown> | undefined]> {
  return seen.filter((r) => r.method !== 'GET').map((r) => [r.method, r.path.replace(`/repos/${OWNER}/${REPO}`, ''), r.body]);
}

describe('release records: pipeline × AWS simulator × local GitHub API', () => {
  let sim: Simulator;
  let clock: VirtualClock;
  let github: FakeGitHub;
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    clock = new VirtualClock(START_MS);
    sim = await startSimulator({ clock, metricDelayMs: MINUTE });
    pointSdkAt(sim.endpoint);
    sim.createFunction({ name: FN, versions: 3, aliases: [{ name: ALIAS, version: '3' }], latestCodeSha: 'sha-of-the-new-model' });
    sim.startTraffic({ functionName: FN, alias: ALIAS, requestsPerMinute: 600, seed: 7 });
    github = await startFakeGitHub({
      owner: OWNER,
      repo: REPO,
      token: TOKEN,
      // A minor bump of the highest release, 1.2.0: the pre-release and the other shapes do not count.
      tags: [
        { name: 'model-v1.1.0', sha: 'a'.repeat(40) },
        { name: 'model-v1.3.0-rc.1', sha: 'b'.repeat(40) },
        { name: 'model-v1.2.0', sha: 'c'.repeat(40) },
        { name: 'v7.0.0', sha: 'd'.repeat(40) },
      ],
    });
  });

  afterEach(async () => {
    await sim.close();
    await github.close();
    process.env = { ...savedEnv };
  });

  function release(options: { config?: string; environment?: string; tag?: string } = {}): Promise<Report> {
    return releaseWith(options.config ?? CONFIG, {
      clock,
      sha: SHA,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      records: (config: GateConfig) =>
        new ReleaseRecorder(createGitHubReleaseApi({ token: TOKEN, owner: OWNER, repo: REPO, baseUrl: github.baseUrl }), {
          release: config.release,
          sha: SHA,
          logUrl: RUN_URL,
          ...(options.environment !== undefined ? { environment: options.environment } : {}),
        }),
    });
  }

  it('promoted: the computed tag goes into the version description, is created at the SHA, and the deployment goes in_progress → success', async () => {
    // The release live before this one, recorded by an earlier run.
    const replaced = github.addDeployment({ sha: 'c'.repeat(40), environment: 'production', states: ['in_progress', 'success'] });
    const report = await release({ environment: 'production' });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '4', weights: {} });
    // Named before publishing, so manual rollback can find model-v1.3.0.
    const publish = sim.requestLog.find((e) => e.operation === 'PublishVersion');
    expect(publish?.body).toMatchObject({ Description: `model-release-gate sha=${SHA} tag=model-v1.3.0` });
    expect(report.outputs['release-tag']).toBe('model-v1.3.0');

    const ours = github.deployments.at(-1)!;
    expect(githubWrites(github.seen)).toEqual([
      ['POST', '/deployments', expect.objectContaining({ ref: SHA, environment: 'production', auto_merge: false, required_contexts: [] })],
      ['POST', `/deployments/${ours.id}/statuses`, expect.objectContaining({ state: 'in_progress', log_url: RUN_URL })],
      // Only after promotion: the tag, then the outcome of the deployment.
      ['POST', '/git/refs', { ref: 'refs/tags/model-v1.3.0', sha: SHA }],
      ['POST', `/deployments/${ours.id}/statuses`, expect.objectContaining({ state: 'success', log_url: RUN_URL, auto_inactive: true })],
      // GitHub's auto_inactive does not reach production environments: the gate marks it.
      ['POST', `/deployments/${replaced.id}/statuses`, expect.objectContaining({ state: 'inactive' })],
    ]);
    expect(github.tags.at(-1)).toEqual({ name: 'model-v1.3.0', sha: SHA });
    expect(github.statesOf(ours.id)).toEqual(['in_progress', 'success']);
    expect(github.statesOf(replaced.id)).toEqual(['in_progress', 'success', 'inactive']);
    expect(ours.payload).toEqual({ target: `lambda:${FN}:${ALIAS}`, version: '4', 'previous-version': '3', tag: 'model-v1.3.0' });
    // Tags were read before anything was published, all of them, 100 per page.
    expect(github.seen[0]).toMatchObject({ method: 'GET', path: `/repos/${OWNER}/${REPO}/tags`, query: { per_page: '100' } });

    expect(report.results.filter((r) => r.gate === 'release').map((r) => [r.id, r.status, r.message])).toEqual([
      ['release.tag-plan', 'pass', 'Release tag model-v1.3.0 (minor bump of model-v1.2.0); created at 5e1ea5e00000 when the rollout is promoted.'],
      ['release.tag', 'pass', 'Created tag model-v1.3.0 at 5e1ea5e00000.'],
      ['release.deployment', 'pass', `Deployment ${ours.id} of version 4 in production marked success; replaced deployment ${replaced.id} marked inactive.`],
    ]);
  });

  it('in a non-production environment GitHub inactivates the replaced deployment itself, and the gate does not repeat it', async () => {
    const replaced = github.addDeployment({ sha: 'c'.repeat(40), environment: 'staging', states: ['success'] });
    const report = await release({ environment: 'staging' });

    expect(report.outcome).toBe('promoted');
    expect(github.deployments.at(-1)!.environment).toBe('staging');
    expect(github.deployments.find((d) => d.id === replaced.id)?.statuses.map((s) => [s.state, s.by])).toEqual([
      ['success', 'api'],
      ['inactive', 'auto_inactive'],
    ]);
  });

  it('rolled back: the deployment is marked failure and no tag is created', async () => {
    sim.scenarios.canaryErrors({ rate: 0.3, fromMs: Date.UTC(2026, 2, 2, 9, 1, 0) });
    const report = await release({ environment: 'production' });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
    const ours = github.deployments.at(-1)!;
    expect(github.statesOf(ours.id)).toEqual(['in_progress', 'failure']);
    expect(github.seen.some((r) => r.path.endsWith('/git/refs'))).toBe(false);
    expect(github.tags.map((t) => t.name)).not.toContain('model-v1.3.0');
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'skip', message: 'Tag model-v1.3.0 not created: the release was not promoted (rolled-back).' });
    expect(report.results.find((r) => r.id === 'release.deployment')).toMatchObject({ status: 'pass', observed: 'failure' });
  });

  it('an existing tag stops the release before PublishVersion: no version, no traffic, no deployment', async () => {
    const report = await release({ environment: 'production', tag: 'model-v1.2.0' });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'aborted', exitCode: 1 });
    expect(sim.requestLog.map((e) => e.operation)).not.toContain('PublishVersion');
    expect(sim.writes()).toEqual([]);
    expect(githubWrites(github.seen)).toEqual([]);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({
      status: 'error',
      message: 'Tag model-v1.2.0 already exists (named by the tag input; the computed name is model-v1.3.0, minor bump of model-v1.2.0), so this release cannot create it: nothing was published. Delete the tag, or give another name with the tag input.',
    });
    expect(report.headline).toMatch(/^Release aborted before publishing: Tag model-v1\.2\.0 already exists/);
  });

  it('an explicit tag input wins over the computed name: recorded and created under that name', async () => {
    const report = await release({ tag: 'churn-2026-03-02' });

    expect(report.outcome).toBe('promoted');
    expect(sim.requestLog.find((e) => e.operation === 'PublishVersion')?.body).toMatchObject({ Description: `model-release-gate sha=${SHA} tag=churn-2026-03-02` });
    expect(githubWrites(github.seen)).toEqual([['POST', '/git/refs', { ref: 'refs/tags/churn-2026-03-02', sha: SHA }]]);
  });

  it('a token without contents: write / deployments: write still promotes, with one warning per record naming the permission', async () => {
    github.permissions.contents = 'read';
    delete github.permissions.deployments;
    const report = await release({ environment: 'production' });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '4', weights: {} });
    expect(writtenRouting(sim).at(-1)).toEqual({ version: '4', weights: {} });
    const warnings = report.results.filter((r) => r.status === 'warn' && r.gate === 'release');
    expect(warnings.map((w) => w.id)).toEqual(['release.deployment', 'release.tag']);
    expect(warnings[0]?.message).toContain("the token lacks 'deployments: write'; add it under `permissions:` in the workflow");
    expect(warnings[0]?.message).toContain('Traffic was not affected.');
    expect(warnings[1]?.message).toContain("the token lacks 'contents: write'");
    expect(warnings[1]?.message).toContain(`git tag model-v1.3.0 ${SHA} && git push origin model-v1.3.0`);
  });

  it('reads every page of tags: the highest release on page 2 decides the version', async () => {
    github.tags.length = 0;
    for (let i = 0; i < 150; i++) github.tags.push({ name: `model-v0.${i}.0`, sha: 'e'.repeat(40) });
    const report = await release({ config: CONFIG.replace('  tag: true', '  tag: true\n  tag-pattern: model-v{version}'), environment: undefined });

    expect(report.outputs['release-tag']).toBe('model-v0.150.0');
    expect(github.seen.filter((r) => r.path.endsWith('/tags')).map((r) => [r.query['page'] ?? '1', r.query['per_page']])).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
  });

  it('dry run: names the tag, writes nothing on either side', async () => {
    const report = await release({ config: `${CONFIG}dry-run: true\n`, environment: 'production' });

    expect(report.outcome).toBe('planned');
    expect(sim.writes()).toEqual([]);
    expect(githubWrites(github.seen)).toEqual([]);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'skip', message: 'Tag model-v1.3.0 not created: dry run.' });
  });
});
