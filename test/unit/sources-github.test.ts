import { readFileSync } from 'node:fs';
import {
  collectGitHubCommits,
  PUSH_PAYLOAD_COMMIT_LIMIT,
  type GitHubCommitApi,
} from '../../src/trigger/sources/github.js';
import type { CommitInput } from '../../src/trigger/types.js';

const ZERO = '0'.repeat(40);

type Payload = Record<string, unknown>;

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8')) as Payload;
}

function sha(n: number): string {
  return n.toString(16).padStart(40, 'a');
}

/** An in-memory GitHub: comparisons and pull requests it knows, and a log of the calls made. */
class FakeGitHub implements GitHubCommitApi {
  readonly calls: string[] = [];
  constructor(
    private readonly comparisons: Record<string, CommitInput[]> = {},
    private readonly pulls: Record<number, CommitInput[]> = {},
  ) {}

  async compareCommits(base: string, head: string): Promise<CommitInput[]> {
    this.calls.push(`compare ${base}...${head}`);
    const commits = this.comparisons[`${base}...${head}`];
    if (!commits) throw new Error(`base commit ${base} not found (HTTP 404)`);
    return commits;
  }

  async listPullRequestCommits(pullNumber: number): Promise<CommitInput[]> {
    this.calls.push(`pulls ${pullNumber}`);
    const commits = this.pulls[pullNumber];
    if (!commits) throw new Error(`pull request #${pullNumber} not found (HTTP 404)`);
    return commits;
  }
}

describe('collectGitHubCommits: push', () => {
  it('uses the payload commits of an ordinary push, in order, without calling the API', async () => {
    const api = new FakeGitHub();
    const result = await collectGitHubCommits('push', fixture('push'), api);
    expect(result.commits.map((c) => c.message.split('\n')[0])).toEqual([
      'chore(deps): bump scikit-learn to 1.6.1',
      'docs: explain the feature store refresh',
      'feat(api): return calibrated churn probabilities',
    ]);
    expect(result.commits[2]).toEqual({
      sha: 'c94b6e27f1a3d5b8e0c2f4a6b8d0e2f4a6c8e0b2',
      message: expect.stringContaining('Refs: ML-412'),
    });
    expect(result.source).toBe('push payload (3 commits)');
    expect(result.warnings).toEqual([]);
    expect(result.manual).toBeUndefined();
    expect(api.calls).toEqual([]);
  });

  it('compares a new branch with the default branch, because its payload lists only some commits', async () => {
    const payload = fixture('push-new-branch');
    const after = payload['after'] as string;
    const fromMain = [
      { sha: 'b2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9', message: 'fix(api): reject payloads without customer_id' },
      { sha: after, message: 'test(api): cover the missing customer_id case' },
    ];
    const api = new FakeGitHub({ [`main...${after}`]: fromMain });
    const result = await collectGitHubCommits('push', payload, api);
    expect(api.calls).toEqual([`compare main...${after}`]);
    expect(result.commits).toEqual(fromMain);
    expect(result.source).toContain('compare API main...d4f6a8c');
    expect(result.source).toContain('new ref refs/heads/feature/validate-customer-id');
    expect(result.warnings).toEqual([]);
  });

  it('falls back to the payload commits with a warning when the compare API fails for a new branch', async () => {
    const result = await collectGitHubCommits('push', fixture('push-new-branch'), new FakeGitHub());
    expect(result.commits.map((c) => c.message)).toEqual(['test(api): cover the missing customer_id case']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('compare API failed (base commit main not found (HTTP 404))');
    expect(result.warnings[0]).toContain('may be incomplete');
  });

  it('uses payload commits (or head_commit) with a warning on the first push to the default branch', async () => {
    const payload = { ...fixture('push-new-branch'), ref: 'refs/heads/main', commits: [] };
    const api = new FakeGitHub();
    const result = await collectGitHubCommits('push', payload, api);
    expect(api.calls).toEqual([]);
    expect(result.commits).toEqual([
      { sha: 'd4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2', message: 'test(api): cover the missing customer_id case' },
    ]);
    expect(result.warnings[0]).toMatch(/^first push to the default branch 'main'/);
  });

  it('compares before...after for a forced push', async () => {
    const payload = fixture('push-forced');
    const before = payload['before'] as string;
    const after = payload['after'] as string;
    const rewritten = [
      { sha: sha(1), message: 'refactor(api): extract the response schema' },
      { sha: after, message: 'feat(api)!: rename `score` to `churn_probability`' },
    ];
    const api = new FakeGitHub({ [`${before}...${after}`]: rewritten });
    const result = await collectGitHubCommits('push', payload, api);
    expect(api.calls).toEqual([`compare ${before}...${after}`]);
    expect(result.commits).toEqual(rewritten);
    expect(result.source).toBe('compare API 9e8d7c6...f0e1d2c (2 commits; forced push)');
  });

  it('returns no commits for a deleted branch and says so', async () => {
    const api = new FakeGitHub();
    const result = await collectGitHubCommits('push', fixture('push-deleted'), api);
    expect(result.commits).toEqual([]);
    expect(result.source).toContain('branch deleted');
    expect(api.calls).toEqual([]);
  });

  it(`uses the compare API when the payload holds ${PUSH_PAYLOAD_COMMIT_LIMIT} commits (GitHub truncates there)`, async () => {
    const base = fixture('push');
    const before = base['before'] as string;
    const after = base['after'] as string;
    const listed = Array.from({ length: PUSH_PAYLOAD_COMMIT_LIMIT }, (_, i) => ({ id: sha(i), message: `chore: step ${i}` }));
    const all = [...listed.map((c) => ({ sha: c.id, message: c.message })), { sha: after, message: 'feat(api): the 2049th' }];
    const api = new FakeGitHub({ [`${before}...${after}`]: all });

    const truncated = await collectGitHubCommits('push', { ...base, commits: listed }, api);
    expect(api.calls).toEqual([`compare ${before}...${after}`]);
    expect(truncated.commits).toHaveLength(PUSH_PAYLOAD_COMMIT_LIMIT + 1);
    expect(truncated.source).toContain('push payload truncated at 2048 commits');

    const underLimit = await collectGitHubCommits('push', { ...base, commits: listed.slice(1) }, api);
    expect(api.calls).toHaveLength(1);
    expect(underLimit.commits).toHaveLength(PUSH_PAYLOAD_COMMIT_LIMIT - 1);
  });

  it('uses the compare API when commits are missing or empty but the head moved', async () => {
    const base = fixture('push');
    const before = base['before'] as string;
    const after = base['after'] as string;
    const commits = [{ sha: after, message: 'feat(api): moved' }];
    const api = new FakeGitHub({ [`${before}...${after}`]: commits });
    const { commits: _dropped, ...withoutCommits } = base;

    expect((await collectGitHubCommits('push', withoutCommits, api)).commits).toEqual(commits);
    expect((await collectGitHubCommits('push', { ...base, commits: [] }, api)).commits).toEqual(commits);
    expect(api.calls).toHaveLength(2);

    const unmoved = await collectGitHubCommits('push', { ...base, commits: [], after: before }, api);
    expect(unmoved.commits).toEqual([]);
    expect(api.calls).toHaveLength(2);
  });

  it('fails with the reason when the compare API is needed, fails, and the payload has nothing', async () => {
    const payload = { ...fixture('push'), commits: [] };
    await expect(collectGitHubCommits('push', payload, new FakeGitHub())).rejects.toThrow(
      /^push payload lists no commits, so the compare API was needed, and it failed: base commit e1d2c3b/,
    );
  });

  it('rejects payloads of the wrong shape with the missing field named', async () => {
    const api = new FakeGitHub();
    const { after: _after, ...noAfter } = fixture('push');
    await expect(collectGitHubCommits('push', noAfter, api)).rejects.toThrow("push event payload has no 'after' SHA");
    await expect(collectGitHubCommits('push', 'not json', api)).rejects.toThrow('push event payload is not a JSON object');
    await expect(
      collectGitHubCommits('push', { ...fixture('push'), commits: [{ message: 'feat: no id' }] }, api),
    ).rejects.toThrow("push event payload commit #1 has no 'id'");
    await expect(collectGitHubCommits('push', { ...fixture('push'), commits: 'many' }, api)).rejects.toThrow(
      "'commits' is not an array",
    );
    const newBranch = fixture('push-new-branch');
    const repository = { ...(newBranch['repository'] as Payload), default_branch: undefined };
    await expect(collectGitHubCommits('push', { ...newBranch, repository }, api)).rejects.toThrow(
      "push event payload has no 'repository.default_branch'",
    );
  });

  it('keeps an empty commit message (git allows one) instead of rejecting the payload', async () => {
    const payload = { ...fixture('push'), commits: [{ id: sha(7), message: '' }] };
    expect((await collectGitHubCommits('push', payload, new FakeGitHub())).commits).toEqual([{ sha: sha(7), message: '' }]);
  });
});

describe('collectGitHubCommits: pull requests', () => {
  const prCommits = [
    { sha: sha(1), message: 'wip' },
    { sha: sha(2), message: 'address review' },
  ];

  it.each(['pull_request', 'pull_request_target'])(
    '%s: lists the PR commits and adds the title as a pseudo-commit',
    async (eventName) => {
      const api = new FakeGitHub({}, { 42: prCommits });
      const result = await collectGitHubCommits(eventName, fixture('pull_request'), api);
      expect(api.calls).toEqual(['pulls 42']);
      expect(result.commits).toEqual([...prCommits, { sha: '', message: 'feat(api): add batch prediction endpoint' }]);
      expect(result.source).toBe(
        'pull request #42: pull request commits API (2 commits) + PR title (squash merges use it)',
      );
      expect(result.warnings).toEqual([]);
    },
  );

  it('warns when GitHub returns its 250-commit maximum', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ sha: sha(i), message: `chore: ${i}` }));
    const result = await collectGitHubCommits('pull_request', fixture('pull_request'), new FakeGitHub({}, { 42: many }));
    expect(result.commits).toHaveLength(251);
    expect(result.warnings[0]).toContain('GitHub lists only the first 250');
  });

  it('compares base...head instead when the PR has more than 250 commits', async () => {
    const payload = fixture('pull_request');
    const pull: Payload = { ...(payload['pull_request'] as Payload), commits: 300 };
    const base = (pull['base'] as Payload)['sha'] as string;
    const head = (pull['head'] as Payload)['sha'] as string;
    const all = Array.from({ length: 300 }, (_, i) => ({ sha: sha(i), message: `chore: ${i}` }));
    const api = new FakeGitHub({ [`${base}...${head}`]: all });
    const result = await collectGitHubCommits('pull_request', { ...payload, pull_request: pull }, api);
    expect(api.calls).toEqual([`compare ${base}...${head}`]);
    expect(result.commits).toHaveLength(301);
    expect(result.warnings).toEqual([]);
  });

  it('rejects a pull_request payload without a pull request', async () => {
    await expect(collectGitHubCommits('pull_request', { action: 'opened' }, new FakeGitHub())).rejects.toThrow(
      "pull_request event payload's 'pull_request' is not a JSON object",
    );
  });
});

describe('collectGitHubCommits: other events', () => {
  it('workflow_dispatch is manual and has no commits', async () => {
    const api = new FakeGitHub();
    const result = await collectGitHubCommits('workflow_dispatch', fixture('workflow_dispatch'), api);
    expect(result).toEqual({ commits: [], source: expect.stringContaining('workflow_dispatch'), warnings: [], manual: true });
    expect(api.calls).toEqual([]);
  });

  it('merge_group compares base_sha...head_sha', async () => {
    const payload = fixture('merge_group');
    const group = payload['merge_group'] as Payload;
    const key = `${group['base_sha'] as string}...${group['head_sha'] as string}`;
    const queued = [{ sha: group['head_sha'] as string, message: 'feat(api): add batch prediction endpoint (#42)' }];
    const api = new FakeGitHub({ [key]: queued });
    const result = await collectGitHubCommits('merge_group', payload, api);
    expect(api.calls).toEqual([`compare ${key}`]);
    expect(result.commits).toEqual(queued);
    expect(result.source).toBe('merge group: compare API c94b6e2...8192a3b (1 commit)');
  });

  it('names the supported events when given another one', async () => {
    await expect(collectGitHubCommits('release', {}, new FakeGitHub())).rejects.toThrow(
      "unsupported GitHub event 'release': model-release-gate reads commits from push, pull_request, pull_request_target, merge_group, workflow_dispatch",
    );
  });
});

describe('event fixtures', () => {
  it('look like GitHub payloads in the ways the collectors rely on', () => {
    expect(fixture('push-new-branch')).toMatchObject({ before: ZERO, created: true, forced: false });
    expect(fixture('push-forced')).toMatchObject({ forced: true, created: false, deleted: false });
    expect(fixture('push-deleted')).toMatchObject({ after: ZERO, deleted: true, commits: [], head_commit: null });
    expect(fixture('push')['repository']).toMatchObject({ default_branch: 'main', full_name: 'acme-ml/churn-model-api' });
    expect(fixture('pull_request')).toMatchObject({ number: 42, pull_request: { number: 42, commits: 2 } });
  });
});
