import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGitRange, UnusableBaseError } from '../../src/trigger/sources/git.js';
import { commit } from '../support/git.js';

describe('readGitRange', () => {
  let root: string;
  let repo: string;
  let shas: string[];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mrg-git-'));
    repo = join(root, 'origin');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    shas = [
      commit(repo, 'chore: initial'),
      commit(repo, 'feat(api): add /predict/batch\n\nAccepts up to 500 rows.\n\nBREAKING CHANGE: drops /score'),
      commit(repo, 'docs: mention --- separators\n\n---\nnot a new commit'),
      commit(repo, 'fix(api): reject empty payloads'),
    ];
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads from..to oldest first with full multi-line messages', async () => {
    const result = await readGitRange({ cwd: repo, from: shas[0], to: shas[3]! });
    expect(result.commits).toEqual([
      { sha: shas[1], message: 'feat(api): add /predict/batch\n\nAccepts up to 500 rows.\n\nBREAKING CHANGE: drops /score' },
      { sha: shas[2], message: 'docs: mention --- separators\n\n---\nnot a new commit' },
      { sha: shas[3], message: 'fix(api): reject empty payloads' },
    ]);
    expect(result.source).toBe(`git log ${shas[0]}..${shas[3]} (3 commits)`);
    expect(result.warnings).toEqual([]);
  });

  it('accepts ref names and relative revisions', async () => {
    const result = await readGitRange({ cwd: repo, from: 'main~2', to: 'HEAD' });
    expect(result.commits.map((c) => c.sha)).toEqual([shas[2], shas[3]]);
  });

  it('reads only the commit `to` names when there is no `from`', async () => {
    const result = await readGitRange({ cwd: repo, to: shas[1]! });
    expect(result.commits).toEqual([{ sha: shas[1], message: expect.stringMatching(/^feat\(api\): add \/predict\/batch\n/) }]);
    expect(result.source).toBe(`git log -1 ${shas[1]}`);
  });

  it('returns no commits for an empty range', async () => {
    expect((await readGitRange({ cwd: repo, from: shas[3], to: shas[3]! })).commits).toEqual([]);
  });

  it('flags the zero SHA as an unusable base', async () => {
    const pending = readGitRange({ cwd: repo, from: '0'.repeat(40), to: shas[3]! });
    await expect(pending).rejects.toBeInstanceOf(UnusableBaseError);
    await expect(pending).rejects.toMatchObject({ reason: 'zero-sha', shallow: false });
  });

  it('flags a base that is not in a full clone as not-in-history, not shallow', async () => {
    await expect(readGitRange({ cwd: repo, from: 'f'.repeat(40), to: shas[3]! })).rejects.toMatchObject({
      name: 'UnusableBaseError',
      reason: 'not-in-history',
      shallow: false,
    });
  });

  it('flags a base beyond the depth of a shallow clone, and still reads the head alone', async () => {
    const shallow = join(root, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
    await expect(readGitRange({ cwd: shallow, from: shas[1], to: shas[3]! })).rejects.toMatchObject({
      reason: 'not-in-history',
      shallow: true,
      message: expect.stringContaining('shallow clone'),
    });
    const head = await readGitRange({ cwd: shallow, to: shas[3]! });
    expect(head.commits).toEqual([{ sha: shas[3], message: 'fix(api): reject empty payloads' }]);
  });

  it('refuses values git could read as options or ranges, without running them', async () => {
    const output = join(root, 'written-by-git');
    await expect(readGitRange({ cwd: repo, to: `--output=${output}` })).rejects.toThrow(
      /'to' must be a commit SHA or ref name/,
    );
    expect(existsSync(output)).toBe(false);
    await expect(readGitRange({ cwd: repo, from: '-p', to: 'HEAD' })).rejects.toThrow(/'from' must be/);
    await expect(readGitRange({ cwd: repo, from: 'main..HEAD', to: 'HEAD' })).rejects.toThrow(/'from' must be/);
    await expect(readGitRange({ cwd: repo, to: 'HEAD; rm -rf /' })).rejects.toThrow(/'to' must be/);
    await expect(readGitRange({ cwd: repo, to: '' })).rejects.toThrow(/'to' must be/);
  });

  it('fails plainly (not as an unusable base) when `to` is not in the repository', async () => {
    const pending = readGitRange({ cwd: repo, from: shas[0], to: 'e'.repeat(40) });
    await expect(pending).rejects.toThrow(`git: commit ${'e'.repeat(40)} is not in the repository`);
    await expect(pending).rejects.not.toBeInstanceOf(UnusableBaseError);
  });
});
