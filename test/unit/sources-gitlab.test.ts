import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectGitLabCommits } from '../../src/trigger/sources/gitlab.js';
import { commit, git } from '../support/git.js';

const ZERO = '0'.repeat(40);

describe('collectGitLabCommits', () => {
  let root: string;
  let repo: string;
  let shallow: string;
  let main: string[];
  let feature: string[];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mrg-gitlab-'));
    repo = join(root, 'project');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    main = [commit(repo, 'chore: initial'), commit(repo, 'docs: readme')];
    git(repo, 'checkout', '-q', '-b', 'feature');
    feature = [commit(repo, 'feat(api): add batch endpoint'), commit(repo, 'test: batch endpoint')];
    git(repo, 'checkout', '-q', 'main');
    main.push(commit(repo, 'fix(api): timeout'));
    git(repo, 'checkout', '-q', 'feature');
    shallow = join(root, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repo}`, shallow]);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA in a branch pipeline', async () => {
    const env = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BEFORE_SHA: main[1], CI_COMMIT_SHA: feature[1] };
    const result = await collectGitLabCommits(env, repo);
    expect(result.commits).toEqual([
      { sha: feature[0], message: 'feat(api): add batch endpoint' },
      { sha: feature[1], message: 'test: batch endpoint' },
    ]);
    expect(result.source).toBe(`git log ${main[1]}..${feature[1]} (2 commits), from CI_COMMIT_BEFORE_SHA`);
    expect(result.warnings).toEqual([]);
  });

  it('reads CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA in a merge request pipeline and adds the title', async () => {
    const env = {
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_IID: '7',
      CI_COMMIT_BEFORE_SHA: ZERO,
      CI_MERGE_REQUEST_DIFF_BASE_SHA: main[1],
      CI_MERGE_REQUEST_TITLE: 'feat(api): batch predictions',
      CI_COMMIT_SHA: feature[1],
    };
    const result = await collectGitLabCommits(env, repo);
    expect(result.commits.map((c) => c.message)).toEqual([
      'feat(api): add batch endpoint',
      'test: batch endpoint',
      'feat(api): batch predictions',
    ]);
    expect(result.commits[2]!.sha).toBe('');
    expect(result.source).toContain('from CI_MERGE_REQUEST_DIFF_BASE_SHA');
    expect(result.source).toContain('merge request title');
    expect(result.warnings).toEqual([]);
  });

  it('falls back to CI_COMMIT_MESSAGE for a zero CI_COMMIT_BEFORE_SHA, saying why', async () => {
    const env = {
      CI_COMMIT_BEFORE_SHA: ZERO,
      CI_COMMIT_SHA: feature[1],
      CI_COMMIT_MESSAGE: 'feat(api): from the variable\n',
    };
    const result = await collectGitLabCommits(env, repo);
    expect(result.commits).toEqual([{ sha: feature[1], message: 'feat(api): from the variable' }]);
    expect(result.source).toBe('CI_COMMIT_MESSAGE (1 commit)');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^CI_COMMIT_BEFORE_SHA is the zero SHA/);
    expect(result.warnings[0]).toContain('used CI_COMMIT_MESSAGE');
  });

  it('falls back when the clone is too shallow to contain the before SHA, suggesting GIT_DEPTH', async () => {
    const env = { CI_COMMIT_BEFORE_SHA: main[1], CI_COMMIT_SHA: feature[1], CI_COMMIT_MESSAGE: 'test: batch endpoint' };
    const result = await collectGitLabCommits(env, shallow);
    expect(result.commits).toEqual([{ sha: feature[1], message: 'test: batch endpoint' }]);
    expect(result.warnings[0]).toContain(`CI_COMMIT_BEFORE_SHA ${main[1]}: history too shallow`);
    expect(result.warnings[0]).toContain('GIT_DEPTH');
  });

  it('falls back when CI_COMMIT_BEFORE_SHA is unset, reading the message from the clone without CI_COMMIT_MESSAGE', async () => {
    const result = await collectGitLabCommits({ CI_COMMIT_SHA: feature[1] }, shallow);
    expect(result.commits).toEqual([{ sha: feature[1], message: 'test: batch endpoint' }]);
    expect(result.warnings).toEqual([`CI_COMMIT_BEFORE_SHA is not set, so only CI_COMMIT_SHA ${feature[1]} was checked`]);
  });

  it('falls back when a merge request has no diff base SHA', async () => {
    const env = { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_SHA: feature[1], CI_COMMIT_MESSAGE: 'test: x' };
    const result = await collectGitLabCommits(env, repo);
    expect(result.warnings[0]).toMatch(/^CI_MERGE_REQUEST_DIFF_BASE_SHA is not set/);
    expect(result.commits).toEqual([{ sha: feature[1], message: 'test: x' }]);
  });

  it('fails clearly without CI_COMMIT_SHA', async () => {
    await expect(collectGitLabCommits({ CI_COMMIT_BEFORE_SHA: main[0] }, repo)).rejects.toThrow(
      /^CI_COMMIT_SHA is not set: run inside a GitLab CI job/,
    );
  });

  it('does not hide real git failures behind the fallback', async () => {
    const env = { CI_COMMIT_BEFORE_SHA: main[0], CI_COMMIT_SHA: '--help', CI_COMMIT_MESSAGE: 'x' };
    await expect(collectGitLabCommits(env, repo)).rejects.toThrow(/'to' must be a commit SHA or ref name/);
  });
});
