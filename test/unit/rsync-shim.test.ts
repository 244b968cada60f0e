/**
 * test/support/rsync-shim.mjs, the rsync stand-in for machines without rsync, run as a process
 * with the command lines gitlab-ci-local 4.x builds (node_modules/gitlab-ci-local/dist): the
 * tracked-files copy with exclude files and --delete, the artifacts copy with --files-from and
 * -R, a dotenv report copied with -R, and a copy of a directory's contents.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/run-bundle.js';

const SHIM = join(repoRoot, 'test', 'support', 'rsync-shim.mjs');

/** Runs the shim as gitlab-ci-local runs rsync: through bash, in `cwd`. */
function rsync(cwd: string, commandLine: string): void {
  execFileSync('bash', ['-c', `rsync() { ${JSON.stringify(process.execPath)} ${JSON.stringify(SHIM)} "$@"; }; ${commandLine}`], { cwd, stdio: 'pipe' });
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-rsync-shim-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('rsync shim', () => {
  it('tracked files: -a --delete-excluded --delete with exclude files and patterns mirrors the tree minus the excluded', () => {
    const dir = tree({
      '.gitlab-ci.yml': 'jobs',
      'src/model.py': 'model',
      'data/big.parquet': 'untracked',
      'notes.txt': 'untracked',
      '.git/lfs/objects/x': 'lfs',
      '.git/HEAD': 'ref',
      '.gitlab-ci-local/builds/.docker/stale.txt': 'stale',
    });
    symlinkSync('src/model.py', join(dir, 'link.py'));
    // What `git ls-files -o --directory` writes for untracked entries.
    writeFileSync(join(dir, '.gitlab-ci-local', 'rsync-exclude-.docker'), 'data/\nnotes.txt\n');
    rsync(dir, "rsync -a --delete-excluded --delete --exclude-from='.gitlab-ci-local/rsync-exclude-.docker' --exclude .git/lfs --exclude .gitlab-ci-local/ ./ .gitlab-ci-local/builds/.docker/");
    const out = join(dir, '.gitlab-ci-local', 'builds', '.docker');
    expect(readFileSync(join(out, 'src', 'model.py'), 'utf8')).toBe('model');
    expect(readFileSync(join(out, '.git', 'HEAD'), 'utf8')).toBe('ref');
    expect(lstatSync(join(out, 'link.py')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'link.py'))).toBe('src/model.py');
    for (const gone of ['data', 'notes.txt', '.git/lfs', '.gitlab-ci-local', 'stale.txt']) expect(existsSync(join(out, gone))).toBe(false);
  });

  it('artifacts: --files-from with -rR keeps relative paths, recurses into directories, honours excludes', () => {
    const dir = tree({ 'model-release-junit.xml': '<xml/>', 'reports/a.json': 'a', 'reports/skip.tmp': 'tmp', 'other.txt': 'o' });
    writeFileSync(join(dir, 'list'), './model-release-junit.xml\n./reports\n');
    rsync(dir, "rsync --exclude '.gitlab-ci-local/**' -rRa --exclude 'reports/*.tmp' --files-from=list . .gitlab-ci-local/artifacts/job/. || true");
    const out = join(dir, '.gitlab-ci-local', 'artifacts', 'job');
    expect(readFileSync(join(out, 'model-release-junit.xml'), 'utf8')).toBe('<xml/>');
    expect(readFileSync(join(out, 'reports', 'a.json'), 'utf8')).toBe('a');
    expect(existsSync(join(out, 'reports', 'skip.tmp'))).toBe(false);
    expect(existsSync(join(out, 'other.txt'))).toBe(false);
  });

  it('a dotenv report with -Ra ./file DEST/. and a directory’s contents with -a SRC/. DEST', () => {
    const dir = tree({ 'model-release.env': 'MRG_OUTCOME=promoted\n', 'cache/k/a.txt': 'a' });
    rsync(dir, 'rsync -Ra ./model-release.env out/.gitlab-ci-reports/dotenv/.');
    expect(readFileSync(join(dir, 'out', '.gitlab-ci-reports', 'dotenv', 'model-release.env'), 'utf8')).toBe('MRG_OUTCOME=promoted\n');
    rsync(dir, 'rsync -a cache/k/. builds/job');
    expect(readFileSync(join(dir, 'builds', 'job', 'a.txt'), 'utf8')).toBe('a');
  });

  it('refuses an option it does not implement instead of half-doing it', () => {
    const dir = tree({ 'a.txt': 'a' });
    expect(() => rsync(dir, 'rsync -a --checksum ./ out/')).toThrow(/unsupported option --checksum/);
  });
});
