/**
 * The committed action bundle, run the way a GitHub runner runs it: `node dist/main.js` as a
 * child process with INPUT_* variables, an event payload file, and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY / GITHUB_STATE files; commits the payload lacks come from a local fake of
 * the GitHub REST API (GITHUB_API_URL). Nothing is mocked inside the process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { restCommit, shaOf, startFakeGitHub, type FakeGitHub } from '../support/fake-github-api.js';
import { repoRoot, runBundle, type BundleOptions, type BundleRun } from '../support/run-bundle.js';

const TOKEN = 'ghs_test_token_do_not_log';
const OWNER = 'acme-ml';
const REPO = 'churn-model-api';
const EVENTS = join(repoRoot, 'test', 'fixtures', 'events');

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(EVENTS, `${name}.json`), 'utf8')) as Json;
}

/** push.json with its commits replaced by these messages (SHAs 0..01, 0..02, ...). */
function pushWith(messages: string[]): Json {
  const event = fixture('push');
  const template = (event['commits'] as Json[])[0] as Json;
  const commits = messages.map((message, i) => ({ ...template, id: shaOf(i + 1), message }));
  return { ...event, after: shaOf(messages.length), commits, head_commit: commits.at(-1) ?? null };
}

function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'mrg-workspace-'));
}

/** Every stdout/stderr this file produced, checked for the token at the end. */
const transcripts: Array<{ name: string; text: string }> = [];

async function run(options: BundleOptions): Promise<BundleRun> {
  const result = await runBundle({ timeoutMs: 20_000, ...options });
  transcripts.push({ name: expect.getState().currentTestName ?? '?', text: `${result.stdout}\n${result.stderr}\n${result.summary}\n${JSON.stringify(result.outputs)}` });
  return result;
}

/** `::error title=...,file=...,line=...,col=...::message` lines, parsed. */
function annotations(stdout: string, level: 'error' | 'warning' | 'notice'): Array<{ properties: Record<string, string>; message: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(`::${level}`))
    .map((line) => {
      const match = /^::\w+(?: (.*?))?::(.*)$/.exec(line);
      const properties = Object.fromEntries(
        (match?.[1] ?? '')
          .split(',')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), decodeURIComponent(pair.slice(pair.indexOf('=') + 1))]),
      );
      return { properties, message: decodeURIComponent(match?.[2] ?? '') };
    });
}

let github: FakeGitHub;

beforeAll(async () => {
  github = await startFakeGitHub({ owner: OWNER, repo: REPO, token: TOKEN });
});
afterAll(() => github.close());
beforeEach(() => {
  github.seen.length = 0;
});

describe('dist/main.js on a push', () => {
  it("releases a minor on 'Feat (Api): …' with no config file, deploys nothing, and says so", async () => {
    const event = pushWith([
      'chore(deps): bump scikit-learn to 1.6.1',
      'Feat (Api): return calibrated churn probabilities\n\nThe /predict response carries `probability`.',
      'docs: explain the feature store refresh',
    ]);
    const result = await run({ event, inputs: { command: 'release' } });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.outputs['release']).toBe('true');
    expect(result.outputs['bump']).toBe('minor');
    expect(result.outputs['outcome']).toBe('skipped');
    expect(result.outputs['reason']).toBe('Release (minor): 1 of 3 commits targets scope api — Feat (Api): return calibrated churn probabilities.');
    expect(JSON.parse(result.outputs['commits'] ?? '')).toEqual([
      { sha: shaOf(2), header: 'Feat (Api): return calibrated churn probabilities', type: 'feat', scope: 'Api', breaking: false },
    ]);
    // Nothing asked the API: the payload was complete.
    expect(github.seen).toEqual([]);

    expect(result.summary).toContain('## model-release-gate: skipped');
    expect(result.summary).toContain('| Check | Status | Observed | Expected | Message |');
    expect(result.summary).toMatch(/\| trigger\.release \| ✅ pass \| 1 \|/);
    expect(result.summary).toMatch(/\| rollout\.stage \| ⏭️ skip \|.*nothing was deployed/);
    expect(result.summary).toContain('No rollout is configured, so nothing was deployed.');
    expect(result.summary).toMatch(/\| release \| true \|/);
    // The decision is a notice on the run page, not an error.
    expect(annotations(result.stdout, 'error')).toEqual([]);
    expect(annotations(result.stdout, 'notice')).toHaveLength(1);
  });

  it('does not release on a docs-only push, exits 0, and the summary says nothing releases', async () => {
    const event = pushWith(['docs(api): document the /predict response', 'docs: fix a typo in the README']);
    const result = await run({ event });

    expect(result.code).toBe(0);
    expect(result.outputs['release']).toBe('false');
    expect(result.outputs['bump']).toBe('none');
    expect(result.outputs['commits']).toBe('[]');
    expect(result.outputs['outcome']).toBe('skipped');
    const headline = 'No release: none of the 2 commits has a type in feat, fix, perf, revert with scope api.';
    expect(result.outputs['reason']).toBe(headline);
    expect(result.summary.split('\n').slice(0, 3)).toEqual(['## model-release-gate: skipped', '', headline]);
    expect(result.summary).toMatch(/\| trigger\.release \| ⏭️ skip \| 0 \|/);
    // A release that does not happen runs no later gate.
    expect(result.summary).not.toContain('rollout.stage');
  });

  it('reads a new branch (before = 0000…) through the compare API, paging past 100 commits', async () => {
    const event = fixture('push-new-branch');
    const after = event['after'] as string;
    // 150 commits on the branch; the only API-scoped feature is on page 2.
    const commits = Array.from({ length: 150 }, (_, i) =>
      restCommit(shaOf(1000 + i), i === 120 ? 'feat(api): validate customer_id\n\nRejects requests without it.' : `test(api): case ${i}`),
    );
    github.comparisons.set(`main...${after}`, commits);
    const result = await run({ event, env: { GITHUB_API_URL: github.baseUrl } });

    expect(result.code).toBe(0);
    expect(result.outputs['release']).toBe('true');
    expect(JSON.parse(result.outputs['commits'] ?? '')).toEqual([
      { sha: shaOf(1120), header: 'feat(api): validate customer_id', type: 'feat', scope: 'api', breaking: false },
    ]);
    expect(result.outputs['reason']).toContain('1 of 150 commits');
    expect(github.seen.map((r) => [r.path, r.query['page'], r.query['per_page'], r.authorization])).toEqual([
      [`/repos/${OWNER}/${REPO}/compare/main...${after}`, '1', '100', `token ${TOKEN}`],
      [`/repos/${OWNER}/${REPO}/compare/main...${after}`, '2', '100', `token ${TOKEN}`],
    ]);
  });

  it('falls back to the payload with a warning when the compare API rejects the token, never printing it', async () => {
    const wrong = 'ghs_wrong_token_never_printed';
    const result = await run({ event: fixture('push-new-branch'), inputs: { 'github-token': wrong }, env: { GITHUB_API_URL: github.baseUrl } });

    expect(github.seen.map((r) => r.authorization)).toEqual([`token ${wrong}`]);
    // The payload's one commit (test(api)) was still judged; the run says the list may be incomplete.
    expect(result.code).toBe(0);
    expect(result.outputs['release']).toBe('false');
    const warnings = annotations(result.stdout, 'warning').map((a) => a.message);
    expect(warnings).toHaveLength(1);
    for (const warning of warnings) {
      expect(warning).toContain('HTTP 401');
      expect(warning).toContain('may be incomplete');
    }
    expect(result.summary).toMatch(/\| trigger\.warning-1 \| ⚠️ warn \|/);
    const printed = `${result.stdout}${result.stderr}${result.summary}`.replace(`::add-mask::${wrong}`, '');
    expect(printed).not.toContain(wrong);
  });

  it('exits 2 with a clear message when the API is needed, fails, and the payload has nothing to fall back on', async () => {
    const event = { ...fixture('push-new-branch'), commits: [], head_commit: null };
    const result = await run({ event, inputs: { 'github-token': 'ghs_wrong_token_never_printed' }, env: { GITHUB_API_URL: github.baseUrl } });

    expect(result.code).toBe(2);
    const messages = annotations(result.stdout, 'error').map((a) => a.message);
    expect(messages).toEqual([
      'Could not read the commits to release: new ref refs/heads/feature/validate-customer-id, so the compare API was needed, and it failed: ' +
        `GitHub API rejected the token (HTTP 401) while comparing main...d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2 in ${OWNER}/${REPO}: ` +
        "pass a valid token with 'contents: read' permission",
    ]);
    expect(result.outputs['release']).toBe('false');
    expect(result.outputs['outcome']).toBe('aborted');
    expect(`${result.stdout}${result.stderr}`.replace('::add-mask::ghs_wrong_token_never_printed', '')).not.toContain('ghs_wrong_token_never_printed');
  });
});

describe('dist/main.js on a pull request (command: check)', () => {
  const prCommits = [
    restCommit(shaOf(501), 'chore: bump pandas\n\nAlso pins numpy.'),
    restCommit(shaOf(502), 'test(api): cover batch requests'),
  ];

  it('reads the commits from the pull request commits API with the token, and the PR title counts', async () => {
    github.pulls.set(42, prCommits);
    const result = await run({ event: join(EVENTS, 'pull_request.json'), eventName: 'pull_request', inputs: { command: 'check' }, env: { GITHUB_API_URL: github.baseUrl } });

    expect(result.code).toBe(0);
    expect(github.seen).toEqual([
      { method: 'GET', path: `/repos/${OWNER}/${REPO}/pulls/42/commits`, query: { per_page: '100' }, authorization: `token ${TOKEN}` },
    ]);
    // Neither commit releases; the title (what a squash merge commits) does.
    expect(result.outputs['release']).toBe('true');
    expect(result.outputs['bump']).toBe('minor');
    expect(JSON.parse(result.outputs['commits'] ?? '')).toEqual([
      { sha: '', header: 'feat(api): add batch prediction endpoint', type: 'feat', scope: 'api', breaking: false },
    ]);
    expect(result.outputs['reason']).toContain('1 of 3 commits');
    expect(result.outputs['outcome']).toBe('checked');
    expect(result.summary).toContain('## model-release-gate: checked');
  });

  it('does not release when neither the commits nor the title target the API', async () => {
    github.pulls.set(42, prCommits);
    const event = fixture('pull_request');
    const pull = { ...(event['pull_request'] as Json), title: 'chore: tidy the notebooks' };
    const result = await run({ event: { ...event, pull_request: pull }, eventName: 'pull_request', inputs: { command: 'check' }, env: { GITHUB_API_URL: github.baseUrl } });

    expect(result.code).toBe(0);
    expect(github.seen).toHaveLength(1);
    expect(result.outputs['release']).toBe('false');
    expect(result.outputs['outcome']).toBe('checked');
  });
});

describe('dist/main.js on workflow_dispatch', () => {
  it('releases with force: true (a patch, nothing matched) and not without it', async () => {
    const event = join(EVENTS, 'workflow_dispatch.json');
    const forced = await run({ event, eventName: 'workflow_dispatch', inputs: { force: 'true' } });
    const plain = await run({ event, eventName: 'workflow_dispatch', inputs: { force: 'false' } });

    expect(forced.code).toBe(0);
    expect(forced.outputs['release']).toBe('true');
    expect(forced.outputs['bump']).toBe('patch');
    expect(forced.outputs['reason']).toMatch(/^Release \(patch\) forced: manual run with force: true; no commit targets scope api\.$/);
    expect(plain.code).toBe(0);
    expect(plain.outputs['release']).toBe('false');
    expect(plain.outputs['bump']).toBe('none');
    // A manual run without force says how to release.
    expect(plain.outputs['reason']).toMatch(/^No release: a manual run \(workflow_dispatch\) has no commits to decide on; run again with force: true to release anyway\.$/);
    expect(github.seen).toEqual([]);
  });
});

describe('dist/main.js with bad configuration or inputs', () => {
  it('exits 2 on a bad config file, annotates file:line:col, names the key, and releases nothing', async () => {
    const dir = workspace();
    mkdirSync(join(dir, '.github'));
    writeFileSync(
      join(dir, '.github', 'model-release.yml'),
      ['target:', '  function-name: churn-api', '  alias: live', '  region: eu-west-1', 'rollout:', '  strategy: canary', '  percent: 100', '  bake: 5m', ''].join('\n'),
    );
    // A Feat (Api) push: without the config error it would release.
    const event = pushWith(['Feat (Api): add /explain']);
    const result = await run({ event, cwd: dir, inputs: { config: '.github/model-release.yml' } });

    expect(result.code).toBe(2);
    const message = '.github/model-release.yml:7:12 rollout.percent: must be a number from 1 to 99';
    const bakeMessage = ".github/model-release.yml:8:3 rollout.bake: does not apply to strategy 'canary' (it is a key of all-at-once)";
    // Both mistakes in one run, exactly one annotation per error, each pointing at its line.
    expect(annotations(result.stdout, 'error')).toEqual([
      { properties: expect.objectContaining({ file: '.github/model-release.yml', line: '7', col: '12' }), message },
      { properties: expect.objectContaining({ file: '.github/model-release.yml', line: '8', col: '3' }), message: bakeMessage },
    ]);
    expect(result.summary).toContain('Configuration is invalid (2 errors); nothing was run.');
    expect(result.summary).toContain(message);
    expect(result.summary).toContain(bakeMessage);
    expect(result.outputs['release']).toBe('false');
    expect(result.outputs['outcome']).toBe('aborted');
    expect(Object.values(result.outputs)).not.toContain('true');
  });

  it('exits 2 when the named config file does not exist', async () => {
    const dir = workspace();
    const result = await run({ event: pushWith(['feat(api): x']), cwd: dir, inputs: { config: 'release.yml' } });
    expect(result.code).toBe(2);
    expect(annotations(result.stdout, 'error')[0]?.message).toBe(`release.yml: config file not found (looked for ${join(dir, 'release.yml')})`);
    expect(result.outputs['release']).toBe('false');
  });

  it.each([
    [{ command: 'deploy' }, "input 'command' must be one of release, check, trigger, validate, rollback, got 'deploy'"],
    [{ force: 'maybe' }, "input 'force' must be true or false, got 'maybe'"],
    [{ set: 'rollout.step 20' }, "input 'set': expected key=value (e.g. rollout.step=20), got 'rollout.step 20'"],
  ])('exits 2 on bad inputs %j with a clear message', async (inputs, expected) => {
    const result = await run({ event: pushWith(['feat(api): x']), inputs });
    expect(result.code).toBe(2);
    expect(annotations(result.stdout, 'error').map((a) => a.message)).toEqual([expected]);
    expect(result.summary).toContain(expected);
    expect(result.outputs['release']).toBe('false');
    expect(result.outputs['outcome']).toBe('aborted');
  });
});

describe('dist/main.js report files', () => {
  it('writes the JSON report and JUnit XML in the workspace, and sets report-path', async () => {
    const dir = workspace();
    const result = await run({
      event: pushWith(['fix(api): clamp probabilities to [0, 1]', 'docs: changelog']),
      cwd: dir,
      inputs: { 'report-path': 'reports/gate.json', 'junit-path': 'reports/junit.xml' },
    });

    expect(result.code).toBe(0);
    expect(result.outputs['report-path']).toBe('reports/gate.json');
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'gate.json'), 'utf8')) as Json;
    expect(report).toMatchObject({
      tool: 'model-release-gate',
      command: 'release',
      outcome: 'skipped',
      exitCode: 0,
      outputs: { release: 'true', bump: 'patch', outcome: 'skipped' },
    });
    expect(report['results']).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'trigger.release', status: 'pass' })]));
    const junit = readFileSync(join(dir, 'reports', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(junit).toMatch(/<testsuite [^>]*name="[^"]*trigger[^"]*"/);
    expect(junit).toMatch(/<testcase [^>]*name="trigger\.release"/);
    expect(junit).toMatch(/<testcase [^>]*name="rollout\.stage"[^>]*>\s*<skipped/);
    expect(junit).not.toContain('<failure');
  });
});

describe('dist/post.js after a run that deployed nothing', () => {
  it('reads the main step state, finds no rollout, and exits 0 without touching AWS', async () => {
    const main = await run({ event: pushWith(['feat(api): x']) });
    expect(main.code).toBe(0);
    // No rollout started, so the main step left no target for the post step to restore.
    expect(main.state['target']).toBeUndefined();
    const post = await run({ entry: 'post', state: main.state, env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('No rollout was started by this job: nothing to restore.');
    expect(annotations(post.stdout, 'error')).toEqual([]);
  });
});

describe('the runtime and secrets', () => {
  it('runs the bundle on Node 24, the runtime action.yml declares', async () => {
    expect(process.version).toMatch(/^v24\./);
    const action = parseYaml(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as { runs: Json };
    expect(action.runs).toMatchObject({ using: 'node24', main: 'dist/main.js', post: 'dist/post.js' });

    const result = await run({ event: pushWith(['feat(api): x']) });
    expect(result.command).toEqual([process.execPath, join(repoRoot, 'dist', 'main.js')]);
    expect(execFileSync(result.command[0], ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^v24\./);
    expect(result.code).toBe(0);
  });

  it('never prints the github-token except in the ::add-mask:: command', () => {
    expect(transcripts.length).toBeGreaterThan(10);
    for (const { name, text } of transcripts) {
      const masked = text.split('\n').filter((line) => line !== `::add-mask::${TOKEN}`).join('\n');
      expect({ name, leaked: masked.includes(TOKEN) }).toEqual({ name, leaked: false });
    }
    // The mask is registered on every run that got the token.
    expect(transcripts.filter(({ text }) => text.includes(`::add-mask::${TOKEN}`)).length).toBeGreaterThan(5);
  });
});
