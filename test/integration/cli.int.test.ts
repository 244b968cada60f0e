/**
 * The committed CLI bundle (`dist/cli.js`) run as a child process, as a GitLab job or a person
 * runs it: argv, standard input, GitLab's CI_* variables and a real git repository in a temp
 * directory. Exit codes: 0 released or nothing to release, 2 usage or configuration error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-bundle.js';

const ZERO_SHA = '0'.repeat(40);

function tempDir(prefix = 'mrg-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** git with a fixed identity, independent of the machine's config. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Maria Lopez', '-c', 'user.email=maria@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** A repository with four commits; returns their SHAs in order. */
function repoWithHistory(): { dir: string; shas: [string, string, string, string] } {
  const dir = tempDir('mrg-git-');
  git(dir, 'init', '-q', '-b', 'main');
  const messages = [
    'chore: initial import of the churn model service',
    'docs: explain the feature store refresh',
    'Feat (Api): add the /explain endpoint\n\nReturns SHAP values per feature.\n\nRefs: ML-431',
    'fix(ui): align the probability gauge',
  ];
  const shas = messages.map((message) => {
    git(dir, 'commit', '-q', '--allow-empty', '-m', message);
    return git(dir, 'rev-parse', 'HEAD');
  });
  return { dir, shas: shas as [string, string, string, string] };
}

interface TriggerJson {
  release: boolean;
  bump: string;
  reason: string;
  commits: Array<{ sha: string; header: string; type: string; scope: string; breaking: boolean }>;
}

function json(stdout: string): TriggerJson {
  return JSON.parse(stdout) as TriggerJson;
}

describe('dist/cli.js help and usage errors', () => {
  it.each([['--help'], ['-h'], ['help'], []])('prints the usage for %j and exits 0', async (...args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^model-release-gate \d+\.\d+\.\d+: gate the release/);
    expect(result.stdout).toContain('Usage: model-release-gate <command> [options]');
    for (const command of ['trigger', 'release', 'check', 'rollback', 'recover']) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(result.stderr).toBe('');
  });

  it.each(['trigger', 'release', 'check', 'rollback', 'recover'])('prints the usage of %s --help and exits 0', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: model-release-gate ${command} ${command === 'rollback' ? '--to' : '['}`);
    // Each command lists its own options: recover has none of the config flags.
    if (command === 'recover') expect(result.stdout).not.toContain('--config');
    else expect(result.stdout).toContain('--config <path>');
    if (command === 'release' || command === 'recover') expect(result.stdout).toContain('--state-file <path>');
    if (command === 'rollback') expect(result.stdout).toContain('--to <value>');
    expect(result.stderr).toBe('');
  });

  it('exits 2 on an unknown command and names it', async () => {
    const result = await runCli(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("error: unknown command 'deploy'; expected one of: trigger, release, check, validate, rollback, recover (see --help)\n");
  });

  it('exits 2 on an unknown flag and names it', async () => {
    const result = await runCli(['trigger', '--mesage', 'feat(api): x']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("error: trigger: Unknown option '--mesage'");
  });

  it('exits 2 when commits are given two ways at once', async () => {
    const result = await runCli(['trigger', '-m', 'feat(api): x', '--stdin'], { stdin: 'feat(api): y' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give commits one way only: --message, --stdin, or --from/--to');
  });
});

describe('dist/cli.js trigger', () => {
  it("decides 'Feat (Api): x' releases a minor, as JSON on stdout", async () => {
    const result = await runCli(['trigger', '-m', 'Feat (Api): x', '--json']);
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toEqual({
      release: true,
      bump: 'minor',
      reason: 'Release (minor): 1 of 1 commit targets scope api — Feat (Api): x.',
      commits: [{ sha: '', header: 'Feat (Api): x', type: 'feat', scope: 'Api', breaking: false }],
    });
  });

  it('does not release on commits outside the API scope, and still exits 0', async () => {
    const result = await runCli(['trigger', '-m', 'feat(ui): dark mode', '-m', 'docs(api): typo', '--json']);
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ release: false, bump: 'none', commits: [] });
  });

  it('reads NUL-separated messages on --stdin (git log -z), bodies included', async () => {
    const stdin = ['docs: a\n\nlong body\n---\nstill the body', 'fix(api): clamp probabilities\n\nBREAKING CHANGE: values above 1 now fail', 'chore: b'].join('\0');
    const result = await runCli(['trigger', '--stdin', '--json'], { stdin });
    expect(result.code).toBe(0);
    const decision = json(result.stdout);
    // The `---` line inside a NUL-separated message does not split it; the footer makes it major.
    expect(decision).toMatchObject({ release: true, bump: 'major' });
    expect(decision.reason).toContain('1 of 3 commits');
    expect(decision.commits).toEqual([{ sha: '', header: 'fix(api): clamp probabilities', type: 'fix', scope: 'api', breaking: true }]);
  });

  it("reads '---'-separated messages typed on --stdin (CRLF too)", async () => {
    const stdin = 'chore: a\r\n---\r\nperf(api): cache the model in memory\r\n\r\nCold starts drop to 300 ms.\r\n---\r\n\r\ndocs: b\r\n';
    const result = await runCli(['trigger', '--stdin', '--json'], { stdin });
    expect(result.code).toBe(0);
    const decision = json(result.stdout);
    expect(decision).toMatchObject({ release: true, bump: 'patch' });
    expect(decision.reason).toContain('1 of 3 commits');
    expect(decision.commits.map((c) => c.header)).toEqual(['perf(api): cache the model in memory']);
  });

  it('reads a git range --from A --to B (A excluded, B included)', async () => {
    const { dir, shas } = repoWithHistory();
    const [first, second, feat, fix] = shas;

    const before = await runCli(['trigger', '--from', first, '--to', second, '--json'], { cwd: dir });
    expect(before.code).toBe(0);
    expect(json(before.stdout)).toMatchObject({ release: false, reason: expect.stringContaining('the only commit has no type') });

    const after = await runCli(['trigger', '--from', second, '--to', fix, '--json'], { cwd: dir });
    expect(after.code).toBe(0);
    expect(json(after.stdout)).toEqual({
      release: true,
      bump: 'minor',
      reason: 'Release (minor): 1 of 2 commits targets scope api — Feat (Api): add the /explain endpoint.',
      commits: [{ sha: feat, header: 'Feat (Api): add the /explain endpoint', type: 'feat', scope: 'Api', breaking: false }],
    });
  });

  it('exits 2 naming the revision when --from is not in the repository', async () => {
    const { dir, shas } = repoWithHistory();
    const missing = 'f'.repeat(40);
    const result = await runCli(['trigger', '--from', missing, '--to', shas[3]], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(missing);
  });
});

describe('dist/cli.js in a GitLab job', () => {
  it('reads CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA from the clone in CI_PROJECT_DIR', async () => {
    const { dir, shas } = repoWithHistory();
    const elsewhere = tempDir();
    const env = { GITLAB_CI: 'true', CI_PROJECT_DIR: dir, CI_COMMIT_BEFORE_SHA: shas[1], CI_COMMIT_SHA: shas[3], CI_COMMIT_MESSAGE: 'fix(ui): align the probability gauge' };

    const result = await runCli(['trigger', '--json', '--dotenv-path', 'gate.env'], { cwd: elsewhere, env });
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ release: true, bump: 'minor', commits: [{ sha: shas[2], header: 'Feat (Api): add the /explain endpoint' }] });
    expect(json(result.stdout).reason).toContain('1 of 2 commits');
    expect(result.stderr).not.toContain('warning:');
    // Report files land in the project directory, where GitLab collects artifacts.
    expect(readFileSync(join(dir, 'gate.env'), 'utf8')).toMatch(/^MRG_RELEASE=true$/m);
    expect(existsSync(join(elsewhere, 'gate.env'))).toBe(false);
  });

  it('falls back to CI_COMMIT_MESSAGE with a warning on stderr when CI_COMMIT_BEFORE_SHA is all zeros', async () => {
    const { dir, shas } = repoWithHistory();
    const env = {
      GITLAB_CI: 'true',
      CI_PROJECT_DIR: dir,
      CI_COMMIT_BEFORE_SHA: ZERO_SHA,
      CI_COMMIT_SHA: shas[3],
      // Not the clone's message for that SHA: proves the variable is what was read.
      CI_COMMIT_MESSAGE: 'fix(api): reject negative tenure\n\nRefs: ML-440\n',
    };
    const result = await runCli(['trigger', '--json'], { env });
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ release: true, bump: 'patch', commits: [{ sha: shas[3], header: 'fix(api): reject negative tenure' }] });
    expect(result.stderr).toMatch(/^warning: CI_COMMIT_BEFORE_SHA is the zero SHA .*only CI_COMMIT_SHA [0-9a-f]{40} was checked.*\(used CI_COMMIT_MESSAGE\)$/m);
  });
});

describe('dist/cli.js report files and configuration', () => {
  it('writes --dotenv-path (MRG_* keys) and --junit-path files', async () => {
    const dir = tempDir();
    const result = await runCli(['trigger', '-m', 'docs: readme', '-m', 'fix(api): handle NaN scores', '--dotenv-path', 'out/gate.env', '--junit-path', 'out/junit.xml'], { cwd: dir });
    expect(result.code).toBe(0);

    const dotenv = readFileSync(join(dir, 'out', 'gate.env'), 'utf8');
    const variables = Object.fromEntries(dotenv.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(variables).toEqual({
      MRG_RELEASE: 'true',
      MRG_BUMP: 'patch',
      MRG_REASON: 'Release (patch): 1 of 2 commits targets scope api — fix(api): handle NaN scores.',
      MRG_COMMITS: JSON.stringify([{ sha: '', header: 'fix(api): handle NaN scores', type: 'fix', scope: 'api', breaking: false }]),
      MRG_OUTCOME: 'checked',
    });

    const junit = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="model-release-gate" tests="1" failures="0" errors="0"/);
    expect(junit).toContain('<testcase classname="trigger" name="trigger.release"/>');
    // The human report went to stdout at the same time.
    expect(result.stdout).toContain('release = true');
  });

  it('exits 2 on a bad config file with file:line:col and the key on stderr, and decides nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'model-release.yml'), ['# canary on the live alias', 'rollout:', '  strategy: canary', '  percent: 100', ''].join('\n'));
    const result = await runCli(['trigger', '-m', 'feat(api): x', '--json', '--dotenv-path', 'gate.env'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: model-release.yml:4:12 rollout.percent: must be a number from 1 to 99');
    expect(result.stdout).not.toContain('"release": true');
    expect(existsSync(join(dir, 'gate.env'))).toBe(false);
  });

  it('exits 2 on a bad --set override, naming it', async () => {
    const result = await runCli(['trigger', '-m', 'feat(api): x', '--set', 'rollout.step=500']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/flag --set 'rollout\.step' \(rollout\.step\): /);
  });
});

describe('dist/cli.js recover', () => {
  it('exits 0 and says there is nothing to restore when no state file exists', async () => {
    const dir = tempDir();
    const result = await runCli(['recover'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('No rollout was started by this job: nothing to restore.\n');
    expect(existsSync(join(dir, '.model-release-gate'))).toBe(false);
  });
});
