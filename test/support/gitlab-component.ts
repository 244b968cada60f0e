/**
 * Runs the GitLab CI/CD component (templates/model-release) for real with gitlab-ci-local in
 * shell-executor mode, in a temporary git repository that includes it the way GitLab tests a
 * component from its own project: `component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/model-release@$CI_COMMIT_SHA`.
 * The project's pipeline file is examples/gitlab/.gitlab-ci.yml with only that reference
 * changed, the role removed (the simulator needs no credentials exchange) and the `command`
 * input pointed at the committed dist/cli.js.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './run-bundle.js';

const GITLAB_CI_LOCAL = join(repoRoot, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');

/** gitlab-ci-local copies the job's files with rsync, which `npm ci` cannot install. */
function hasRsync(): boolean {
  try {
    execFileSync('rsync', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe`, or `describe.skip` with a note when rsync is missing on a developer's machine, so
 * `npm ci && npm test` passes as the README says. Under CI (`CI=true`, where .ci/run installs
 * rsync) the suite always runs: a CI that silently skipped it would prove nothing.
 */
export function describeWithGitLabCiLocal(): jest.Describe {
  if (process.env['CI'] === 'true' || hasRsync()) return describe;
  console.warn('GitLab component tests skipped: gitlab-ci-local needs rsync (apt-get install rsync; .ci/run installs it).');
  return describe.skip;
}

/** git with a fixed identity, independent of the machine's config. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Maria Lopez', '-c', 'user.email=maria@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** The example pipeline, made to include this checkout's component and run dist/cli.js. */
export function projectPipeline(): string {
  const example = readFileSync(join(repoRoot, 'examples', 'gitlab', '.gitlab-ci.yml'), 'utf8');
  const cli = `${process.execPath} ${join(repoRoot, 'dist', 'cli.js')}`;
  const replaced = example
    .replace(/component: \$CI_SERVER_FQDN\/acme\/model-release-gate\/model-release@[^\n]+/, 'component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/model-release@$CI_COMMIT_SHA')
    .replace(/ {6}aws-role-arn: [^\n]+\n/, `      command: ${cli}\n`);
  if (replaced === example || !replaced.includes('command: ')) throw new Error('examples/gitlab/.gitlab-ci.yml no longer has the component include this test rewrites');
  return replaced;
}

/** A project repository with the component, the pipeline and `config`, one initial commit. */
export function componentProject(config: string): { dir: string; initial: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-gitlab-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.com:acme-ml/churn-model-api.git');
  mkdirSync(join(dir, 'templates', 'model-release'), { recursive: true });
  copyFileSync(join(repoRoot, 'templates', 'model-release', 'template.yml'), join(dir, 'templates', 'model-release', 'template.yml'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), projectPipeline());
  writeFileSync(join(dir, 'model-release.yml'), config);
  writeFileSync(join(dir, '.gitignore'), '.gitlab-ci-local/\n.model-release-gate/\nmodel-release.env\nmodel-release-junit.xml\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'chore: set up the model release pipeline');
  return { dir, initial: git(dir, 'rev-parse', 'HEAD') };
}

export interface PipelineRun {
  code: number | null;
  output: string;
}

/** `gitlab-ci-local` in `dir` with these variables (as CI/CD variables) and component inputs. */
export async function runPipeline(
  dir: string,
  options: { variables: Record<string, string>; inputs?: Record<string, string>; extraArgs?: string[]; timeoutMs: number },
): Promise<PipelineRun> {
  const args = [GITLAB_CI_LOCAL, '--force-shell-executor', '--no-color', '--max-job-name-padding', '0'];
  // gitlab-ci-local reports its container path (/builds/<group>/<project>) as CI_PROJECT_DIR even
  // with the shell executor, which runs in `dir`; a GitLab shell runner reports the real directory.
  const variables = { CI_PROJECT_DIR: dir, ...options.variables };
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  args.push('--ignore-predefined-vars', Object.keys(variables).join(','));
  for (const [k, v] of Object.entries(options.inputs ?? {})) args.push('--input', `${k}=${v}`);
  args.push(...(options.extraArgs ?? []));
  // Nothing of the test runner's CI or AWS environment may reach the jobs.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(GITHUB_|GITLAB_|CI_|AWS_|MODEL_RELEASE_GATE_)/.test(k) && k !== 'CI'),
  ) as Record<string, string>;
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  return { code, output };
}
