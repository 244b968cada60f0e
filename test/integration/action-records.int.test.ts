/**
 * The committed action bundle recording a release: `node dist/main.js` with `create-tag: true`
 * and `environment: production`, AWS through the simulator (real time) and GitHub through the
 * local API stand-in (GITHUB_API_URL). Asserts every request the bundle made to GitHub, the
 * release notes included (so the bundled changelog writer is exercised as shipped). A
 * promotion cannot finish sooner than one CloudWatch period after the last step (see
 * gitlab-release.int.test.ts), so the promoted run takes about a minute; it has its own file so
 * jest runs it beside the quicker suites.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, startSimulator, type Simulator } from '../sim/index.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github-api.js';
import { repoRoot, runBundle } from '../support/run-bundle.js';
import { fastRolloutConfig } from '../support/sim-release.js';

const TOKEN = 'ghs_records_bundle_token';
const OWNER = 'acme-ml';
const REPO = 'churn-model-api';
/** What run-bundle.ts sets as GITHUB_SHA. */
const SHA = 'c0ffee0000000000000000000000000000000001';
const FN = 'churn-model';
const CONFIG = fastRolloutConfig(FN, 'release:\n  tag-pattern: model-v{version}\n');
const REPO_URL = `https://github.com/${OWNER}/${REPO}`;
/** The notes of the one breaking commit of pushEvent(): under BREAKING CHANGES (its subject) and Features. */
const NOTES = [
  '### ⚠ BREAKING CHANGES',
  '',
  '* **api:** score with the v2 feature set',
  '',
  '### Features',
  '',
  `* **api:** score with the v2 feature set ([c0ffee0](${REPO_URL}/commit/${SHA}))`,
  '',
  `**Full changelog**: [model-v1.4.2...model-v2.0.0](${REPO_URL}/compare/model-v1.4.2...model-v2.0.0)`,
  '',
].join('\n');

function pushEvent(): Record<string, unknown> {
  const event = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'events', 'push.json'), 'utf8')) as Record<string, unknown>;
  const commit = { ...((event['commits'] as Array<Record<string, unknown>>)[0] ?? {}), id: SHA, message: 'feat(api)!: score with the v2 feature set' };
  return { ...event, after: SHA, commits: [commit], head_commit: commit };
}

let sim: Simulator;
let github: FakeGitHub;
beforeEach(async () => {
  sim = await startSimulator({ clock: new RealClock(), metricDelayMs: 0 });
  sim.createFunction({ name: FN, versions: 2, aliases: [{ name: 'prod', version: '2' }], latestCodeSha: 'code-of-the-next-model' });
  sim.startTraffic({ functionName: FN, alias: 'prod', requestsPerMinute: 600, seed: 7 });
  github = await startFakeGitHub({ owner: OWNER, repo: REPO, token: TOKEN, tags: [{ name: 'model-v1.4.2', sha: 'a'.repeat(40) }] });
});
afterEach(async () => {
  await sim.close();
  await github.close();
});

function run(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-records-'));
  writeFileSync(join(dir, 'model-release.yml'), CONFIG);
  return runBundle({
    cwd: dir,
    event: pushEvent(),
    inputs: { 'github-token': TOKEN, ...inputs },
    env: {
      GITHUB_API_URL: github.baseUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '9001',
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    },
    timeoutMs: 170_000,
  });
}

it('dist/main.js with create-tag: true and environment: production creates the promoted release with its notes and records the deployment', async () => {
  const replaced = github.addDeployment({ sha: 'a'.repeat(40), environment: 'production', states: ['success'] });
  const result = await run({ 'create-tag': 'true', environment: 'production' });

  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.outputs).toMatchObject({ outcome: 'promoted', bump: 'major', version: '3', 'release-tag': 'model-v2.0.0' });
  expect(sim.requestLog.find((e) => e.operation === 'PublishVersion')?.body).toMatchObject({ Description: `model-release-gate sha=${SHA} tag=model-v2.0.0` });

  const ours = github.deployments.at(-1)!;
  const runUrl = `https://github.com/${OWNER}/${REPO}/actions/runs/9001`;
  const repo = `/repos/${OWNER}/${REPO}`;
  expect(github.seen.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
    ['GET', `${repo}/tags`, { per_page: '100' }, undefined],
    ['POST', `${repo}/deployments`, {}, {
      ref: SHA,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      description: `model-release-gate: lambda:${FN}:prod version 3 (model-v2.0.0)`,
      payload: { target: `lambda:${FN}:prod`, version: '3', 'previous-version': '2', tag: 'model-v2.0.0' },
    }],
    ['POST', `${repo}/deployments/${ours.id}/statuses`, {}, { state: 'in_progress', description: `Shifting traffic to lambda:${FN}:prod version 3 (model-v2.0.0).`, log_url: runUrl }],
    ['POST', `${repo}/releases`, {}, { tag_name: 'model-v2.0.0', target_commitish: SHA, name: 'model-v2.0.0', body: NOTES }],
    ['POST', `${repo}/deployments/${ours.id}/statuses`, {}, expect.objectContaining({ state: 'success', log_url: runUrl, auto_inactive: true })],
    ['GET', `${repo}/deployments`, { environment: 'production', per_page: '10' }, undefined],
    ['GET', `${repo}/deployments/${ours.id}/statuses`, { per_page: '1' }, undefined],
    ['GET', `${repo}/deployments/${replaced.id}/statuses`, { per_page: '1' }, undefined],
    ['POST', `${repo}/deployments/${replaced.id}/statuses`, {}, expect.objectContaining({ state: 'inactive', log_url: runUrl })],
  ]);
  expect(github.seen.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  expect(github.tags.at(-1)).toEqual({ name: 'model-v2.0.0', sha: SHA });
  expect(github.releases.map((r) => [r.tag_name, r.target_commitish])).toEqual([['model-v2.0.0', SHA]]);
  expect(result.summary).toMatch(/\| release\.tag \| ✅ pass \| model-v2\.0\.0 \|\s+\| Created release model-v2\.0\.0 at c0ffee000000, with release notes\. \|/);
  expect(result.summary).toContain(`### Release notes of model-v2.0.0\n\n${NOTES.replace(/^### /gm, '#### ').trim()}\n`);
  expect(`${result.stdout}${result.summary}`.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
}, 200_000);

it('dist/main.js refuses an existing tag before publishing, and without create-tag or environment never calls the records API', async () => {
  const refused = await run({ 'create-tag': 'true', tag: 'model-v1.4.2' });
  expect(refused.code).toBe(1);
  expect(refused.outputs['outcome']).toBe('aborted');
  expect(refused.stdout).toContain('::error title=release error%3A release.tag::Tag model-v1.4.2 already exists (named by the tag input; the computed name is model-v2.0.0, major bump of model-v1.4.2)');
  expect(sim.writes()).toEqual([]);
  expect(github.seen.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/${OWNER}/${REPO}/tags`]);

  github.seen.length = 0;
  const plain = await run({ 'dry-run': 'true' });
  expect(plain.code).toBe(0);
  expect(plain.outputs['outcome']).toBe('planned');
  expect(github.seen).toEqual([]);
});
