/**
 * The command-line adapter (GitLab jobs and local use): argv and the environment in, console
 * report and report files out. Commits come from --message, --stdin, a git range, GitLab's
 * CI_COMMIT_* variables, or HEAD, in that order of preference.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigOverride } from '../config/load.js';
import type { ReleaseConfig } from '../config/types.js';
import { ReleaseRecorder } from '../release/recorder.js';
import type { ReleaseRecords } from '../release/records.js';
import { renderConsoleReport, shouldUseColor } from '../report/console.js';
import { renderDotenv } from '../report/dotenv.js';
import { renderJsonReport } from '../report/json.js';
import { renderJunitXml } from '../report/junit.js';
import { logSectionStyle, sectionEnd, sectionName, sectionStart } from '../report/log-sections.js';
import type { Report } from '../report/result.js';
import { readGitRange } from '../trigger/sources/git.js';
import { collectGitLabCommits } from '../trigger/sources/gitlab.js';
import { messagesToCommits, splitMessages } from '../trigger/sources/messages.js';
import type { CommitCollection } from '../trigger/types.js';
import { writeRolloutChartFile } from './chart-file.js';
import { FileStateStore } from './file-state.js';
import { gitLabNotesLinks, gitLabReleaseApiFromEnv } from './gitlab-release-api.js';
import { CONFIG_OVERRIDES, parseSetOverrides } from './overrides.js';
import { UsageError, type Command, type GateInputs, type Logger, type Platform } from './types.js';

export const CLI_COMMANDS = ['trigger', 'release', 'check', 'validate', 'rollback', 'recover'] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

const OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  message: { type: 'string', short: 'm', multiple: true },
  stdin: { type: 'boolean' },
  json: { type: 'boolean' },
  'state-file': { type: 'string' },
  tag: { type: 'string' },
  sha: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // The tool's version, after a command too (`release --version`); the target's is --target-version.
  version: { type: 'boolean', short: 'V' },
  ...Object.fromEntries(Object.keys(CONFIG_OVERRIDES).map((name) => [name, { type: name === 'dry-run' ? 'boolean' : 'string' }])),
} as const;

export type CliOptions = {
  config?: string;
  set?: string[];
  force?: boolean;
  from?: string;
  to?: string;
  message?: string[];
  stdin?: boolean;
  json?: boolean;
  'state-file'?: string;
  tag?: string;
  sha?: string;
  reason?: string;
  help?: boolean;
  version?: boolean;
} & Record<string, string | boolean | string[] | undefined>;

/** Parse argv (without node and script) into a command and options; throws UsageError. */
export function parseCli(argv: string[]): { command: CliCommand | 'help' | 'version'; options: CliOptions } {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { command: 'help', options: {} };
  if (first === '--version' || first === '-V') return { command: 'version', options: {} };
  if (!(CLI_COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command '${first}'; expected one of: ${CLI_COMMANDS.join(', ')} (see --help)`);
  }
  try {
    const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, strict: true });
    if (values.version === true) return { command: 'version', options: {} };
    return { command: first as CliCommand, options: values as CliOptions };
  } catch (error) {
    throw new UsageError(`${first}: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

export const consoleLogger: Logger = {
  // The report goes to stdout; progress and diagnostics go to stderr so `--json` stays parseable.
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
  debug: (m) => {
    if (process.env.MODEL_RELEASE_GATE_DEBUG) process.stderr.write(`debug: ${m}\n`);
  },
};

/**
 * The console logger, with groups folded as the CI log folds them (logSectionStyle): GitLab
 * collapsible sections in a GitLab job, `::group::` when the CLI runs in GitHub Actions, none in a
 * terminal. `write` and `now` are for tests.
 */
export function consoleLoggerFor(
  env: NodeJS.ProcessEnv,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  now: () => number = Date.now,
): Logger {
  const style = logSectionStyle(env);
  if (style === 'none') return consoleLogger;
  const open: string[] = [];
  return {
    ...consoleLogger,
    startGroup(title) {
      const name = `${sectionName(title)}_${open.length + 1}`;
      open.push(name);
      const line = sectionStart(style, name, title, { nowMs: now(), collapsed: true });
      if (line !== undefined) write(line);
    },
    endGroup() {
      const name = open.pop();
      if (name === undefined) return;
      const line = sectionEnd(style, name, { nowMs: now() });
      if (line !== undefined) write(line);
    },
  };
}

function writeFileAt(workspace: string, path: string | undefined, content: string): void {
  if (!path) return;
  const full = resolve(workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

export class CliPlatform implements Platform {
  readonly name: 'gitlab' | 'local';
  readonly log: Logger;
  readonly state: FileStateStore;
  private readonly workspace: string;

  constructor(
    private readonly command: Exclude<CliCommand, 'recover'>,
    private readonly options: CliOptions,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly readStdin: () => string = () => readFileSync(0, 'utf8'),
    log?: Logger,
  ) {
    this.name = env.GITLAB_CI === 'true' ? 'gitlab' : 'local';
    this.log = log ?? consoleLoggerFor(env);
    this.workspace = env.CI_PROJECT_DIR ?? process.cwd();
    this.state = new FileStateStore(resolve(this.workspace, stateFilePath(options)));
  }

  readInputs(): GateInputs {
    const overrides: ConfigOverride[] = [];
    for (const [flag, path] of Object.entries(CONFIG_OVERRIDES)) {
      const value = this.options[flag];
      if (value === undefined) continue;
      overrides.push({ path, value: String(value), source: `flag --${flag}` });
    }
    overrides.push(...parseSetOverrides(this.options.set ?? [], 'flag --set'));
    if (this.command === 'rollback') return this.rollbackInputs(overrides);
    if (this.options.reason !== undefined) throw new UsageError(`${this.command}: --reason is a rollback option`);
    const sources = [this.options.message !== undefined, this.options.stdin === true, this.options.from !== undefined || this.options.to !== undefined];
    if (sources.filter(Boolean).length > 1) {
      throw new UsageError(`${this.command}: give commits one way only: --message, --stdin, or --from/--to`);
    }
    return {
      command: this.command as Command,
      configPath: this.options.config ?? 'model-release.yml',
      configExplicit: this.options.config !== undefined,
      overrides,
      force: this.options.force === true,
      sha: this.options.sha ?? this.env.CI_COMMIT_SHA,
      tag: this.options.tag ?? this.env.CI_COMMIT_TAG,
      workspace: this.workspace,
    };
  }

  /** `rollback --to <tag|sha|previous> --reason <text> [--force]`: no commit range, no commits. */
  private rollbackInputs(overrides: ConfigOverride[]): GateInputs {
    const commitFlags = (['from', 'message', 'stdin', 'sha', 'tag'] as const).filter((flag) => this.options[flag] !== undefined);
    if (commitFlags.length > 0) {
      throw new UsageError(`rollback: --${commitFlags[0]} does not apply; give the release with --to <tag|sha|previous>`);
    }
    if (this.options.to === undefined) throw new UsageError('rollback: --to <tag|sha|previous> is required');
    return {
      command: 'rollback',
      configPath: this.options.config ?? 'model-release.yml',
      configExplicit: this.options.config !== undefined,
      overrides,
      force: this.options.force === true,
      workspace: this.workspace,
      rollbackTo: this.options.to,
      reason: this.options.reason,
      // GitLab: the user who ran the pipeline; locally: the login name.
      actor: this.env.GITLAB_USER_LOGIN || this.env.USER || this.env.LOGNAME || undefined,
    };
  }

  async collectCommits(_inputs: GateInputs): Promise<CommitCollection> {
    // Only an explicit --sha names the commit of a typed message; CI_COMMIT_SHA need not be it.
    if (this.options.message) {
      return { commits: messagesToCommits(this.options.message, this.options.sha), source: `--message (${this.options.message.length})`, warnings: [] };
    }
    if (this.options.stdin) {
      const messages = splitMessages(this.readStdin());
      return { commits: messagesToCommits(messages, this.options.sha), source: `standard input (${messages.length} messages)`, warnings: [] };
    }
    if (this.options.from !== undefined || this.options.to !== undefined) {
      return readGitRange({ cwd: this.workspace, from: this.options.from, to: this.options.to ?? 'HEAD' });
    }
    if (this.env.GITLAB_CI === 'true') return collectGitLabCommits(this.env, this.workspace);
    const head = await readGitRange({ cwd: this.workspace, to: 'HEAD' });
    return { ...head, warnings: [...head.warnings, 'No commit range given (--from/--to, --message or --stdin): looked at HEAD only.'] };
  }

  /**
   * GitLab jobs with release.tag and a token (CI_JOB_TOKEN, or the gitlab-token input): the tag
   * planned before publishing, and created with its release on promotion, over the GitLab API.
   * No deployments: GitLab records them from the job's `environment:`. Locally, or without a
   * token, there is nothing to record on (the pipeline reports the tag as not created).
   */
  releaseRecords(inputs: GateInputs, release: ReleaseConfig): ReleaseRecords | undefined {
    if (this.name !== 'gitlab' || inputs.command !== 'release' || !release.tag) return undefined;
    let api;
    try {
      api = gitLabReleaseApiFromEnv(this.env);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (api === undefined) return undefined;
    const links = gitLabNotesLinks(this.env);
    return new ReleaseRecorder(api, { release, ...(inputs.sha ? { sha: inputs.sha } : {}), ...(links ? { links } : {}) });
  }

  async publish(report: Report, files: { jsonPath?: string; junitPath?: string; dotenvPath?: string; chartPath?: string; verbose?: boolean }): Promise<void> {
    // Diagnostics on stderr, so they show even with --json and in a terminal scrolled past the report.
    for (const result of report.results) {
      if (result.status === 'error') this.log.error(result.message);
      else if (result.status === 'warn') this.log.warn(result.message);
    }
    const json = { verbose: files.verbose === true };
    writeFileAt(this.workspace, files.jsonPath, renderJsonReport(report, json));
    writeFileAt(this.workspace, files.junitPath, renderJunitXml(report));
    writeFileAt(this.workspace, files.dotenvPath, renderDotenv(report.outputs));
    writeRolloutChartFile(this.workspace, files.chartPath, report, this.log);
    if (this.options.json) {
      process.stdout.write(this.command === 'trigger' ? `${JSON.stringify(triggerJson(report), null, 2)}\n` : renderJsonReport(report, json));
    } else {
      process.stdout.write(renderConsoleReport(report, { color: shouldUseColor(this.env, process.stdout.isTTY === true), sections: logSectionStyle(this.env) }));
    }
  }
}

/** `trigger --json`: just the decision, with the fields of the action outputs. */
function triggerJson(report: Report): Record<string, unknown> {
  const o = report.outputs;
  let commits: unknown = [];
  try {
    commits = JSON.parse(o.commits ?? '[]');
  } catch {
    commits = [];
  }
  return { release: o.release === 'true', bump: o.bump ?? 'none', reason: o.reason ?? report.headline, commits };
}

export function stateFilePath(options: CliOptions): string {
  return options['state-file'] ?? '.model-release-gate/state.json';
}
