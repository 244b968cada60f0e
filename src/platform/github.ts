/**
 * The GitHub Actions adapter: INPUT_* in, GITHUB_EVENT_PATH commits in, GITHUB_OUTPUT,
 * job summary, annotations and GITHUB_STATE out. The only module (with the compare-API client)
 * that imports @actions/*.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigOverride } from '../config/load.js';
import type { ReleaseConfig, TargetConfig } from '../config/types.js';
import type { StateStore } from '../core/state.js';
import { closeAbandonedDeployment, stateJournal } from '../release/abandoned.js';
import type { ReleaseNotesLinks } from '../release/notes.js';
import { ReleaseRecorder } from '../release/recorder.js';
import type { ReleaseRecords } from '../release/records.js';
import { annotationsFor } from '../report/annotations.js';
import { renderDotenv } from '../report/dotenv.js';
import { renderJsonReport } from '../report/json.js';
import { renderJunitXml } from '../report/junit.js';
import type { Report } from '../report/result.js';
import { renderSummaryMarkdown } from '../report/summary.js';
import { collectGitHubCommits } from '../trigger/sources/github.js';
import type { CommitCollection } from '../trigger/types.js';
import { writeRolloutChartFile } from './chart-file.js';
import { createGitHubCommitApi } from './github-api.js';
import { createGitHubReleaseApi } from './github-release-api.js';
import { CONFIG_OVERRIDES, parseSetOverrides } from './overrides.js';
import type { RolloutTarget } from '../targets/target.js';
import { UsageError, type Command, type GateInputs, type Logger, type Platform } from './types.js';
import { githubRunUrl } from '../core/ci-run.js';

const COMMANDS: Command[] = ['release', 'check', 'trigger', 'validate', 'rollback'];

/** Action-only inputs that override config keys (the CLI cannot create release records). */
const GITHUB_CONFIG_OVERRIDES: Record<string, string> = { 'create-tag': 'release.tag' };

/** GitHub environment names: up to 255 characters, no leading/trailing space or control characters. */
function readEnvironment(): string | undefined {
  const name = core.getInput('environment').trim();
  if (name === '') return undefined;
  if (name.length > 255 || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new UsageError(`input 'environment' must be a deployment environment name (up to 255 characters), got '${name.slice(0, 40)}'`);
  }
  return name;
}


/** Commit and compare pages of the repository, for the links in the release notes. */
function repositoryLinks(env: NodeJS.ProcessEnv, owner: string, repo: string): ReleaseNotesLinks | undefined {
  const server = env.GITHUB_SERVER_URL;
  if (!server || !owner || !repo) return undefined;
  const base = `${server.replace(/\/+$/, '')}/${owner}/${repo}`;
  return { commit: `${base}/commit/`, compare: `${base}/compare/` };
}

/**
 * The post step's second duty, after the alias is safe: mark the deployment a killed main step
 * left `in_progress` by what the alias now serves (src/release/abandoned.ts).
 */
export async function closeAbandonedGitHubDeployment(createTarget: (config: TargetConfig) => RolloutTarget): Promise<void> {
  const savedTarget = await actionsStateStore.load('target');
  const logUrl = githubRunUrl(process.env);
  await closeAbandonedDeployment({
    state: actionsStateStore,
    log: actionsLogger,
    createApi: () => {
      const { repo } = github.context;
      return createGitHubReleaseApi({ token: core.getInput('github-token'), owner: repo.owner, repo: repo.repo, baseUrl: process.env.GITHUB_API_URL });
    },
    readAlias: savedTarget
      ? async () => {
          const target = createTarget(JSON.parse(savedTarget) as TargetConfig);
          return { alias: await target.readAlias(), name: target.describe() };
        }
      : undefined,
    ...(logUrl !== undefined ? { logUrl } : {}),
  });
}

function readBoolean(name: string): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new UsageError(`input '${name}' must be true or false, got '${raw}'`);
}

/** Actions state, so the post step can find an unfinished rollout even after SIGKILL. */
export const actionsStateStore: StateStore = {
  save: (key, value) => core.saveState(key, value),
  load: (key) => core.getState(key) || undefined,
};

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warn: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  startGroup: (title) => core.startGroup(title),
  endGroup: () => core.endGroup(),
};

function writeReportFile(workspace: string, path: string | undefined, content: string): void {
  if (!path) return;
  const full = resolve(workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

export class GitHubPlatform implements Platform {
  readonly name = 'github' as const;
  readonly state = actionsStateStore;
  readonly log = actionsLogger;
  private readonly workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();

  readInputs(): GateInputs {
    // Mask the token before anything can fail and print.
    const token = core.getInput('github-token');
    if (token) core.setSecret(token);
    const command = (core.getInput('command').trim() || 'release') as Command;
    if (!COMMANDS.includes(command)) {
      throw new UsageError(`input 'command' must be one of ${COMMANDS.join(', ')}, got '${command}'`);
    }
    const configInput = core.getInput('config').trim();
    const overrides: ConfigOverride[] = [];
    for (const [input, path] of Object.entries({ ...CONFIG_OVERRIDES, ...GITHUB_CONFIG_OVERRIDES })) {
      const value = core.getInput(input).trim();
      if (value !== '') overrides.push({ path, value, source: `input '${input}'` });
    }
    overrides.push(...parseSetOverrides(core.getMultilineInput('set'), "input 'set'"));
    return {
      command,
      configPath: configInput || 'model-release.yml',
      configExplicit: configInput !== '',
      overrides,
      force: readBoolean('force'),
      sha: process.env.GITHUB_SHA,
      tag: core.getInput('tag').trim() || undefined,
      environment: readEnvironment(),
      workspace: this.workspace,
      rollbackTo: core.getInput('to').trim() || undefined,
      reason: core.getInput('reason').trim() || undefined,
      // The person who started the run; a re-run keeps the original actor in GITHUB_ACTOR.
      actor: process.env.GITHUB_TRIGGERING_ACTOR || process.env.GITHUB_ACTOR || undefined,
    };
  }

  async collectCommits(_inputs: GateInputs): Promise<CommitCollection> {
    const { eventName, payload, repo } = github.context;
    const token = core.getInput('github-token');
    const api = createGitHubCommitApi({ token, owner: repo.owner, repo: repo.repo, baseUrl: process.env.GITHUB_API_URL });
    return collectGitHubCommits(eventName, payload, api);
  }

  releaseRecords(inputs: GateInputs, release: ReleaseConfig): ReleaseRecords | undefined {
    if (inputs.command !== 'release' || (!release.tag && inputs.environment === undefined)) return undefined;
    const { repo } = github.context;
    let api;
    try {
      api = createGitHubReleaseApi({ token: core.getInput('github-token'), owner: repo.owner, repo: repo.repo, baseUrl: process.env.GITHUB_API_URL });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const logUrl = githubRunUrl(process.env);
    const links = repositoryLinks(process.env, repo.owner, repo.repo);
    return new ReleaseRecorder(api, {
      release,
      // If this step is killed, the post step closes the deployment it leaves open.
      journal: stateJournal((key, value) => core.saveState(key, value)),
      ...(inputs.environment !== undefined ? { environment: inputs.environment } : {}),
      ...(inputs.sha ? { sha: inputs.sha } : {}),
      ...(logUrl !== undefined ? { logUrl } : {}),
      ...(links !== undefined ? { links } : {}),
    });
  }

  async publish(report: Report, files: { jsonPath?: string; junitPath?: string; dotenvPath?: string; chartPath?: string; verbose?: boolean }): Promise<void> {
    for (const [name, value] of Object.entries(report.outputs)) core.setOutput(name, value);
    for (const a of annotationsFor(report)) {
      const properties = { title: a.title, file: a.file, startLine: a.startLine, startColumn: a.startColumn };
      if (a.level === 'error') core.error(a.message, properties);
      else if (a.level === 'warning') core.warning(a.message, properties);
      else core.notice(a.message, properties);
    }
    writeReportFile(this.workspace, files.jsonPath, renderJsonReport(report, { verbose: files.verbose === true }));
    writeReportFile(this.workspace, files.junitPath, renderJunitXml(report));
    writeReportFile(this.workspace, files.dotenvPath, renderDotenv(report.outputs));
    writeRolloutChartFile(this.workspace, files.chartPath, report, this.log);
    if (files.jsonPath) core.setOutput('report-path', files.jsonPath);
    // Outside a runner (no GITHUB_STEP_SUMMARY) there is nowhere to write the summary.
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(renderSummaryMarkdown(report), true).write();
    }
  }
}
