/**
 * Release records end to end in one process: the real pipeline, Lambda target and SDK clients
 * against the AWS simulator (simulated time), and the GitHub records (the real Octokit client)
 * against the local GitHub API stand-in over HTTP. Asserts what each side received: the
 * release with its notes (or the plain tag ref) and deployment statuses on the GitHub side,
 * PublishVersion and the alias on the AWS side.
 */
import type { GateConfig } from '../../src/config/types.js';
import { createGitHubReleaseApi } from '../../src/platform/github-release-api.js';
import { ReleaseRecorder, type ReleaseRecordsApi } from '../../src/release/recorder.js';
import type { Report } from '../../src/report/result.js';
import { renderSummaryMarkdown } from '../../src/report/summary.js';
import type { CommitInput } from '../../src/trigger/types.js';
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
const REPO_URL = `https://github.com/${OWNER}/${REPO}`;
const FEAT_SHA = 'f0000000000000000000000000000000000000f1';
const FIX_SHA = 'f0000000000000000000000000000000000000f2';
/** Two in-scope commits (a minor bump) and one out of scope; the fix's subject is hostile Markdown. */
const COMMITS: CommitInput[] = [
  { sha: FEAT_SHA, message: 'Feat (Api): score churn with the gradient-boosted model' },
  { sha: 'f0000000000000000000000000000000000000f3', message: 'docs: explain the thresholds' },
  { sha: FIX_SHA, message: 'fix(api): clamp scores to [0, 1] | <img src=x onerror=alert(1)>\n\nCloses #12.' },
];
/** The release notes of COMMITS for model-v1.3.0 after model-v1.2.0. */
const NOTES = [
  '### Features',
  '',
  `* **Api:** score churn with the gradient-boosted model ([f000000](${REPO_URL}/commit/${FEAT_SHA}))`,
  '',
  '### Bug Fixes',
  '',
  `* **api:** clamp scores to \\[0, 1\\] \\| &lt;img src=x onerror=alert(1)&gt; ([f000000](${REPO_URL}/commit/${FIX_SHA}))`,
  '',
  `**Full changelog**: [model-v1.2.0...model-v1.3.0](${REPO_URL}/compare/model-v1.2.0...model-v1.3.0)`,
  '',
].join('\n');

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

  function release(options: { config?: string; environment?: string; tag?: string; wrapApi?: (api: ReleaseRecordsApi) => ReleaseRecordsApi } = {}): Promise<Report> {
    const api = createGitHubReleaseApi({ token: TOKEN, owner: OWNER, repo: REPO, baseUrl: github.baseUrl });
    return releaseWith(options.config ?? CONFIG, {
      clock,
      sha: SHA,
      commits: COMMITS,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      records: (config: GateConfig) =>
        new ReleaseRecorder(options.wrapApi ? options.wrapApi(api) : api, {
          release: config.release,
          sha: SHA,
          logUrl: RUN_URL,
          links: { commit: `${REPO_URL}/commit/`, compare: `${REPO_URL}/compare/` },
          ...(options.environment !== undefined ? { environment: options.environment } : {}),
        }),
    });
  }

  it('promoted: the computed tag goes into the version description, the release with its notes is created at the SHA, and the deployment goes in_progress → success', async () => {
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
      // Only after promotion: the release (which creates the tag), then the outcome of the deployment.
      ['POST', '/releases', { tag_name: 'model-v1.3.0', target_commitish: SHA, name: 'model-v1.3.0', body: NOTES }],
      ['POST', `/deployments/${ours.id}/statuses`, expect.objectContaining({ state: 'success', log_url: RUN_URL, auto_inactive: true })],
      // GitHub's auto_inactive does not reach production environments: the gate marks it.
      ['POST', `/deployments/${replaced.id}/statuses`, expect.objectContaining({ state: 'inactive' })],
    ]);
    expect(github.tags.at(-1)).toEqual({ name: 'model-v1.3.0', sha: SHA });
    expect(github.releases).toEqual([expect.objectContaining({ tag_name: 'model-v1.3.0', target_commitish: SHA, name: 'model-v1.3.0', body: NOTES })]);
    expect(github.statesOf(ours.id)).toEqual(['in_progress', 'success']);
    expect(github.statesOf(replaced.id)).toEqual(['in_progress', 'success', 'inactive']);
    expect(ours.payload).toEqual({ target: `lambda:${FN}:${ALIAS}`, version: '4', 'previous-version': '3', tag: 'model-v1.3.0' });
    // Tags were read before anything was published, all of them, 100 per page.
    expect(github.seen[0]).toMatchObject({ method: 'GET', path: `/repos/${OWNER}/${REPO}/tags`, query: { per_page: '100' } });

    expect(report.results.filter((r) => r.gate === 'release').map((r) => [r.id, r.status, r.message])).toEqual([
      ['release.tag-plan', 'pass', 'Release tag model-v1.3.0 (minor bump of model-v1.2.0); created at 5e1ea5e00000 when the rollout is promoted.'],
      ['release.tag', 'pass', 'Created release model-v1.3.0 at 5e1ea5e00000, with release notes.'],
      ['release.notes', 'pass', 'Release notes of model-v1.3.0: 2 commits: Features 1, Bug Fixes 1.'],
      ['release.deployment', 'pass', `Deployment ${ours.id} of version 4 in production marked success; replaced deployment ${replaced.id} marked inactive.`],
    ]);
    // The job summary shows the same notes, one heading level down.
    const summary = renderSummaryMarkdown(report);
    expect(summary).toContain(`### Release notes of model-v1.3.0\n\n${NOTES.replace(/^### /gm, '#### ').trim()}\n`);
    expect(summary).not.toContain('<img');
  });

  it('release.notes: false creates the plain tag and no release', async () => {
    const report = await release({ config: CONFIG.replace('  tag: true', '  tag: true\n  notes: false') });

    expect(report.outcome).toBe('promoted');
    expect(githubWrites(github.seen)).toEqual([['POST', '/git/refs', { ref: 'refs/tags/model-v1.3.0', sha: SHA }]]);
    expect(github.releases).toEqual([]);
    expect(report.results.filter((r) => r.gate === 'release').map((r) => [r.id, r.status, r.message])).toEqual([
      ['release.tag-plan', 'pass', 'Release tag model-v1.3.0 (minor bump of model-v1.2.0); created at 5e1ea5e00000 when the rollout is promoted.'],
      ['release.tag', 'pass', 'Created tag model-v1.3.0 at 5e1ea5e00000.'],
    ]);
    expect(renderSummaryMarkdown(report)).not.toContain('Release notes');
  });

  it('a lost reply after the release landed: read back (release of our tag at our SHA) and counted as created, never created twice', async () => {
    github.faults.push({ method: 'POST', path: '/releases', kind: 'lose-reply' });
    const report = await release();

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(github.seen.filter((r) => r.path.includes('/releases') || r.path.includes('/git/')).map((r) => `${r.method} ${r.path.replace(`/repos/${OWNER}/${REPO}`, '')}`)).toEqual([
      'POST /releases',
      'GET /releases/tags/model-v1.3.0',
      'GET /git/ref/tags/model-v1.3.0',
    ]);
    expect(github.releases.map((r) => r.tag_name)).toEqual(['model-v1.3.0']);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'pass', message: 'Created release model-v1.3.0 at 5e1ea5e00000, with release notes.' });
  });

  it('a server error before anything landed: read back finds nothing, one retry creates the release', async () => {
    github.faults.push({ method: 'POST', path: '/releases', kind: 502 });
    const report = await release();

    expect(report.outcome).toBe('promoted');
    expect(github.seen.filter((r) => r.path.includes('/releases') || r.path.includes('/git/')).map((r) => `${r.method} ${r.path.replace(`/repos/${OWNER}/${REPO}`, '')}`)).toEqual([
      'POST /releases',
      'GET /releases/tags/model-v1.3.0',
      'POST /releases',
    ]);
    expect(github.releases).toEqual([expect.objectContaining({ tag_name: 'model-v1.3.0', body: NOTES })]);
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'pass' });
  });

  it('a release of our tag at another commit is not ours: a warning, the outcome stays promoted', async () => {
    // Someone released model-v1.3.0 at another commit between the plan and the promotion.
    const report = await release({
      wrapApi: (api) => ({
        ...api,
        createRelease(request) {
          github.tags.push({ name: 'model-v1.3.0', sha: 'e'.repeat(40) });
          github.releases.push({ id: 1, tag_name: 'model-v1.3.0', target_commitish: 'e'.repeat(40), name: 'theirs', body: '' });
          return api.createRelease(request);
        },
      }),
    });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'promoted', exitCode: 0 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '4', weights: {} });
    expect(github.releases.map((r) => r.name)).toEqual(['theirs']);
    // A 422 is not retried: one request, and the read-back that found the release is not ours.
    expect(github.seen.filter((r) => r.method === 'POST' && r.path.endsWith('/releases'))).toHaveLength(1);
    const warning = report.results.find((r) => r.id === 'release.tag');
    expect(warning).toMatchObject({ status: 'warn' });
    expect(warning?.message).toMatch(/^The release was promoted, but release model-v1\.3\.0 could not be created at 5e1ea5e00000: GitHub API rejected the request \(HTTP 422\) while creating release model-v1\.3\.0 in acme-ml\/churn-model-api: Validation Failed/);
    expect(warning?.message).toContain(`Create the tag by hand (git tag model-v1.3.0 ${SHA} && git push origin model-v1.3.0), then a release of it with the release notes of this report.`);
    // The notes are still in the report, for the release made by hand.
    expect(report.results.find((r) => r.id === 'release.notes')).toMatchObject({ status: 'pass', details: { markdown: NOTES } });
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

  it('rolled back: the deployment is marked failure and no release or tag is created', async () => {
    sim.scenarios.canaryErrors({ rate: 0.3, fromMs: Date.UTC(2026, 2, 2, 9, 1, 0) });
    const report = await release({ environment: 'production' });

    expect({ outcome: report.outcome, exitCode: report.exitCode }).toEqual({ outcome: 'rolled-back', exitCode: 1 });
    expect(sim.getAliasState(FN, ALIAS)).toMatchObject({ version: '3', weights: {} });
    const ours = github.deployments.at(-1)!;
    expect(github.statesOf(ours.id)).toEqual(['in_progress', 'failure']);
    expect(github.seen.some((r) => r.path.endsWith('/git/refs') || r.path.endsWith('/releases'))).toBe(false);
    expect(github.tags.map((t) => t.name)).not.toContain('model-v1.3.0');
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'skip', message: 'Release model-v1.3.0 not created: the release was not promoted (rolled-back).' });
    expect(report.results.some((r) => r.id === 'release.notes')).toBe(false);
    expect(renderSummaryMarkdown(report)).not.toContain('Release notes');
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
    expect(githubWrites(github.seen)).toEqual([['POST', '/releases', expect.objectContaining({ tag_name: 'churn-2026-03-02', target_commitish: SHA, name: 'churn-2026-03-02' })]]);
    // The comparison starts at the previous release under the pattern.
    expect(github.releases[0]?.body).toContain('**Full changelog**: [model-v1.2.0...churn-2026-03-02]');
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
    expect(report.results.find((r) => r.id === 'release.tag')).toMatchObject({ status: 'skip', message: 'Release model-v1.3.0 not created: dry run.' });
  });
});
