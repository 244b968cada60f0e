/**
 * Runs the GitLab CI/CD component (templates/model-release) for real with gitlab-ci-local in
 * shell-executor mode, in a temporary git repository that includes it the way GitLab tests a
 * component from its own project: `component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/model-release@$CI_COMMIT_SHA`.
 * The project's pipeline file is examples/gitlab/.gitlab-ci.yml with only that reference
 * changed, the role removed (the simulator needs no credentials exchange) and the CLI chosen:
 * the `command` input pointed at the committed dist/cli.js, or the `cli-version` input (the
 * component's default install path, from a local registry: test/support/local-registry.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { repoRoot } from './run-bundle.js';

const GITLAB_CI_LOCAL = join(repoRoot, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');

function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let shimDir: string | undefined;

/**
 * A PATH entry holding `rsync` when the machine has none (or MRG_TEST_RSYNC_SHIM=1 asks for it):
 * gitlab-ci-local copies job files with rsync, which `npm ci` cannot install, so
 * test/support/rsync-shim.mjs (Node, only the flags gitlab-ci-local passes) stands in.
 */
function rsyncPathEntry(): string[] {
  if (process.env['MRG_TEST_RSYNC_SHIM'] !== '1' && runs('rsync', ['--version'])) return [];
  if (shimDir === undefined) {
    shimDir = mkdtempSync(join(tmpdir(), 'mrg-rsync-'));
    const shim = join(shimDir, 'rsync');
    writeFileSync(shim, `#!/bin/sh
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(repoRoot, 'test', 'support', 'rsync-shim.mjs'))} "$@"
`);
    chmodSync(shim, 0o755);
  }
  return [shimDir];
}

/**
 * `describe`, or `describe.skip` with the reason printed when gitlab-ci-local cannot run at all
 * (its shell executor needs bash and git). rsync is not a reason: the shim stands in for it.
 */
export function describeWithGitLabCiLocal(): jest.Describe {
  const missing = ['bash', 'git'].filter((tool) => !runs(tool, ['--version']));
  if (missing.length === 0) return describe;
  console.warn(`GitLab component tests skipped: gitlab-ci-local's shell executor needs ${missing.join(' and ')}, which this machine lacks.`);
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

/** How the jobs get the CLI: a command (the committed bundle), or the component's npm install of `cliVersion`. */
export type CliSource = { command: string } | { cliVersion: string };

/** The committed dist/cli.js (or the build MRG_TEST_CLI names, e.g. a fresh one in a temporary folder), run by this Node. */
export function bundledCli(): CliSource {
  return { command: `${process.execPath} ${process.env['MRG_TEST_CLI'] || join(repoRoot, 'dist', 'cli.js')}` };
}

/** The example pipeline, made to include this checkout's component and get the CLI from `cli`. */
export function projectPipeline(cli: CliSource = bundledCli()): string {
  const example = readFileSync(join(repoRoot, 'examples', 'gitlab', '.gitlab-ci.yml'), 'utf8');
  const input = 'command' in cli ? `command: ${cli.command}` : `cli-version: ${JSON.stringify(cli.cliVersion)}`;
  const replaced = example
    .replace(/component: \$CI_SERVER_FQDN\/acme\/model-release-gate\/model-release@[^\n]+/, 'component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/model-release@$CI_COMMIT_SHA')
    .replace(/ {6}aws-role-arn: [^\n]+\n/, `      ${input}\n`);
  if (replaced === example || !replaced.includes(input)) throw new Error('examples/gitlab/.gitlab-ci.yml no longer has the component include this test rewrites');
  return replaced;
}

/** A project repository with the component, the pipeline and `config`, one initial commit. */
export function componentProject(config: string, cli: CliSource = bundledCli()): { dir: string; initial: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-gitlab-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', 'git@gitlab.example.com:acme-ml/churn-model-api.git');
  mkdirSync(join(dir, 'templates', 'model-release'), { recursive: true });
  copyFileSync(join(repoRoot, 'templates', 'model-release', 'template.yml'), join(dir, 'templates', 'model-release', 'template.yml'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), projectPipeline(cli));
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
  // Nothing of the test runner's CI, AWS or npm environment (npm test sets npm_config_*) may reach the jobs.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(GITHUB_|GITLAB_|CI_|AWS_|MODEL_RELEASE_GATE_|npm_)/i.test(k) && k !== 'CI'),
  ) as Record<string, string>;
  const path = [...rsyncPathEntry(), env['PATH'] ?? ''].join(delimiter);
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...env, PATH: path, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
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
