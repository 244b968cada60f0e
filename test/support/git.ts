/** Real git in temporary repositories, for tests of commit sources. */
import { execFileSync } from 'node:child_process';

/** Runs git with a fixed identity and no signing, whatever the developer's config says. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test Author', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' },
  ).trim();
}

/** An empty commit with `message`; returns its SHA. */
export function commit(cwd: string, message: string): string {
  git(cwd, 'commit', '--allow-empty', '-q', '-m', message);
  return git(cwd, 'rev-parse', 'HEAD');
}
