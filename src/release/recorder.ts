/**
 * The release records of one run, over a forge API port (the GitHub implementation lives in
 * src/platform/github-release-api.ts): the tag is planned before publishing and created only
 * after promotion, as a release whose description is the release notes of the matched commits
 * (src/release/notes.ts), or as a plain tag with `release.notes: false`; a deployment is created
 * when traffic first moves, then marked `success` (and the deployment it replaced `inactive`) or
 * `failure`. Every API failure after `plan` is caught and returned as a `warn` result: records
 * never change what happens to traffic.
 */
import type { ReleaseConfig } from '../config/types.js';
import type { CheckResult } from '../report/result.js';
import { TAG_PATTERN } from '../rollback/resolve.js';
import type { CommitInput, MatchedCommit } from '../trigger/types.js';
import { releaseChanges, writeReleaseNotes } from './notes.js';
import type { ReleaseNotes, ReleaseNotesLinks } from './notes.js';
import type { ReleaseFinish, ReleasePlan, ReleasePlanRequest, ReleaseRecords, ReleaseStart } from './records.js';
import { ReleaseRecordsError } from './records.js';
import { planReleaseVersion } from './version.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

/**
 * Tags and releases: what every forge gives the recorder (GitHub, GitLab). Methods throw errors
 * whose message says what to fix.
 */
export interface ReleaseTagsApi {
  /** Every tag name of the repository (all pages). */
  listTags(): Promise<string[]>;
  /** A lightweight tag `name` at commit `sha`. */
  createTag(name: string, sha: string): Promise<void>;
  /** Create the release `tag` at commit `sha` (creating the tag) with `notes` (Markdown) as its description. */
  createRelease(request: { tag: string; sha: string; name: string; notes: string }): Promise<void>;
}

/**
 * Deployment history, recorded by the recorder only where the forge does not record it itself:
 * GitHub. GitLab records a deployment for every job with `environment:`, so its port
 * (src/platform/gitlab-release-api.ts) is a `ReleaseTagsApi` and its recorder has no environment.
 */
export interface DeploymentsApi {
  createDeployment(request: { sha: string; environment: string; description: string; payload: Record<string, string> }): Promise<{ id: number }>;
  setDeploymentStatus(id: number, status: { state: DeploymentState; description: string; logUrl?: string; autoInactive?: boolean }): Promise<void>;
  /** Deployments of `environment` whose latest status is `success`, newest first. */
  listActiveDeployments(environment: string): Promise<Array<{ id: number }>>;
}

/** What the recorder needs from a forge whose deployments it records (GitHub). */
export interface ReleaseRecordsApi extends ReleaseTagsApi, DeploymentsApi {}

/** A deployment left `in_progress` until the run records its outcome. */
export interface OpenDeployment {
  id: number;
  environment: string;
  version: string;
}

/**
 * Where the recorder notes a deployment it has opened and not yet closed, so that a later
 * process (the GitHub post step, after the main step was killed) can close it.
 */
export interface DeploymentJournal {
  opened(deployment: OpenDeployment): void;
  closed(): void;
}

export interface ReleaseRecorderOptions {
  release: ReleaseConfig;
  /** Deployment environment (action input `environment`); no deployments without it. */
  environment?: string;
  /** The released commit: the tag's target and the deployment's ref. */
  sha?: string;
  /** Link of every deployment status: the workflow run, whose job summary is the release report. */
  logUrl?: string;
  /** Told when a deployment is opened and when its outcome is recorded (src/release/abandoned.ts). */
  journal?: DeploymentJournal;
  /** The forge's commit and compare pages, so the release notes link each SHA. */
  links?: ReleaseNotesLinks;
}

/** GitHub limits deployment status descriptions to 140 characters. */
const STATUS_DESCRIPTION_MAX = 140;

export function clipStatusDescription(text: string): string {
  return text.length <= STATUS_DESCRIPTION_MAX ? text : `${text.slice(0, STATUS_DESCRIPTION_MAX - 1)}…`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Worth one more attempt: no answer (the network, a lost reply) or a server error. A client
 * error (HTTP 4xx: permission, validation) would only be repeated.
 */
function retryable(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status !== 'number' || status >= 500;
}

export class ReleaseRecorder implements ReleaseRecords {
  private tag: string | undefined;
  private previousTag: string | undefined;
  private matched: readonly MatchedCommit[] = [];
  private commits: readonly CommitInput[] = [];
  private dryRun = false;
  private startedWork: Promise<void> | undefined;
  private deploymentId: number | undefined;
  private deployment: { environment: string; version: string } | undefined;
  private readonly startProblems: CheckResult[] = [];

  private readonly api: ReleaseRecordsApi;

  constructor(api: ReleaseRecordsApi, options: ReleaseRecorderOptions);
  /** Tags and releases only (GitLab): no environment, so no deployment method is ever called. */
  constructor(api: ReleaseTagsApi, options: ReleaseRecorderOptions & { environment?: never; journal?: never });
  constructor(
    api: ReleaseTagsApi,
    private readonly options: ReleaseRecorderOptions,
  ) {
    // Deployments are only created with `options.environment`, which the tags-only overload forbids.
    this.api = api as ReleaseRecordsApi;
  }

  async plan(request: ReleasePlanRequest): Promise<ReleasePlan> {
    this.dryRun = request.dryRun;
    this.matched = request.matched ?? [];
    this.commits = request.commits ?? [];
    const { release } = this.options;
    if (!release.tag) {
      this.tag = request.explicitTag;
      return { ...(this.tag !== undefined ? { tag: this.tag } : {}), results: [] };
    }
    let tags: string[];
    try {
      tags = await this.api.listTags();
    } catch (error) {
      throw new ReleaseRecordsError(`Cannot read the repository's tags to name the release tag: ${message(error)}. Nothing was published.`, 'release.tag');
    }
    const planned = planReleaseVersion({ tags, pattern: release.tagPattern, bump: request.bump, initialVersion: release.initialVersion });
    const tag = request.explicitTag ?? planned.tag;
    const how = request.explicitTag !== undefined ? `named by the tag input; the computed name is ${planned.tag}, ${planned.rule}` : planned.rule;
    if (!TAG_PATTERN.test(tag)) {
      throw new ReleaseRecordsError(`The release tag '${tag}' (${how}) is not a valid tag name; fix release.tag-pattern or the tag input. Nothing was published.`, 'release.tag');
    }
    if (tags.includes(tag)) {
      throw new ReleaseRecordsError(
        `Tag ${tag} already exists (${how}), so this release cannot create it: nothing was published. Delete the tag, or give another name with the tag input.`,
        'release.tag',
      );
    }
    this.tag = tag;
    this.previousTag = planned.previous?.tag;
    return {
      tag,
      results: [{ id: 'release.tag-plan', gate: 'release', status: 'pass', observed: tag, message: `Release tag ${tag} (${how}); created at ${this.shortSha()} when the rollout is promoted.` }],
    };
  }

  started(start: ReleaseStart): Promise<void> {
    this.startedWork ??= this.createDeployment(start);
    return this.startedWork;
  }

  async finished(finish: ReleaseFinish): Promise<CheckResult[]> {
    await this.startedWork;
    const results = [...this.startProblems];
    results.push(...(await this.recordTag(finish)));
    results.push(...(await this.recordDeploymentOutcome(finish)));
    return results;
  }

  // ---- deployment ---------------------------------------------------------------------

  private async createDeployment(start: ReleaseStart): Promise<void> {
    const { environment, sha } = this.options;
    if (environment === undefined || this.dryRun) return;
    if (!sha) {
      this.startProblems.push({ id: 'release.deployment', gate: 'release', status: 'warn', message: `No deployment was recorded in ${environment}: the released commit is unknown (GITHUB_SHA is not set).` });
      return;
    }
    const label = `${start.target} version ${start.version}${this.tag !== undefined ? ` (${this.tag})` : ''}`;
    try {
      const { id } = await this.api.createDeployment({
        sha,
        environment,
        description: clipStatusDescription(`model-release-gate: ${label}`),
        payload: { target: start.target, version: start.version, ...(start.previousVersion !== undefined ? { 'previous-version': start.previousVersion } : {}), ...(this.tag !== undefined ? { tag: this.tag } : {}) },
      });
      this.deploymentId = id;
      this.deployment = { environment, version: start.version };
      this.options.journal?.opened({ id, environment, version: start.version });
      await this.api.setDeploymentStatus(id, { state: 'in_progress', description: clipStatusDescription(`Shifting traffic to ${label}.`), ...this.logUrl() });
    } catch (error) {
      this.startProblems.push({ id: 'release.deployment', gate: 'release', status: 'warn', message: `Could not record the deployment in ${environment}: ${message(error)}. Traffic was not affected.` });
    }
  }

  private async recordDeploymentOutcome(finish: ReleaseFinish): Promise<CheckResult[]> {
    const id = this.deploymentId;
    const deployment = this.deployment;
    if (id === undefined || deployment === undefined) return [];
    const { environment, version } = deployment;
    const promoted = finish.outcome === 'promoted';
    const state: DeploymentState = promoted ? 'success' : 'failure';
    try {
      // auto_inactive covers only non-production environments; the replaced one is checked below.
      await this.api.setDeploymentStatus(id, { state, description: clipStatusDescription(finish.reason), ...this.logUrl(), ...(promoted ? { autoInactive: true } : {}) });
      this.options.journal?.closed();
    } catch (error) {
      return [{ id: 'release.deployment', gate: 'release', status: 'warn', message: `Deployment ${id} in ${environment} could not be marked ${state}: ${message(error)}. Traffic was not affected.` }];
    }
    if (!promoted) {
      return [{ id: 'release.deployment', gate: 'release', status: 'pass', observed: state, message: `Deployment ${id} of version ${version} in ${environment} marked ${state} (${finish.outcome}).` }];
    }
    let replaced: number[];
    try {
      // GitHub's auto_inactive skips production environments (and may lag): whatever still shows
      // success besides ours was replaced by this release and is marked inactive here.
      replaced = (await this.api.listActiveDeployments(environment)).map((d) => d.id).filter((other) => other !== id);
      for (const other of replaced) {
        await this.api.setDeploymentStatus(other, { state: 'inactive', description: clipStatusDescription(`Replaced by deployment ${id} (version ${version}).`), ...this.logUrl() });
      }
    } catch (error) {
      return [{ id: 'release.deployment', gate: 'release', status: 'warn', message: `Deployment ${id} in ${environment} marked success, but the deployment it replaced could not be marked inactive: ${message(error)}.` }];
    }
    const note = replaced.length > 0 ? `; replaced deployment${replaced.length === 1 ? '' : 's'} ${replaced.join(', ')} marked inactive` : '';
    return [{ id: 'release.deployment', gate: 'release', status: 'pass', observed: state, message: `Deployment ${id} of version ${version} in ${environment} marked success${note}.` }];
  }

  // ---- tag ----------------------------------------------------------------------------

  /**
   * On promotion: the release (tag, name and notes) or, with `release.notes: false`, the plain
   * tag. The notes also come back as a `release.notes` result (Markdown in `details.markdown`)
   * for the job summary, whether or not the forge took them.
   */
  private async recordTag(finish: ReleaseFinish): Promise<CheckResult[]> {
    const tag = this.tag;
    const { release } = this.options;
    if (!release.tag || tag === undefined) return [];
    const what = release.notes ? 'Release' : 'Tag';
    const skip = (why: string): CheckResult[] => [{ id: 'release.tag', gate: 'release', status: 'skip', observed: tag, message: `${what} ${tag} not created: ${why}.` }];
    if (this.dryRun) return skip('dry run');
    if (finish.outcome !== 'promoted') return skip(`the release was not promoted (${finish.outcome})`);
    const sha = this.options.sha;
    if (!sha) return [{ id: 'release.tag', gate: 'release', status: 'warn', observed: tag, message: `${what} ${tag} not created: the released commit is unknown (GITHUB_SHA is not set).` }];
    const byHand = `git tag ${tag} ${sha} && git push origin ${tag}`;
    if (!release.notes) {
      try {
        await this.api.createTag(tag, sha);
      } catch (error) {
        return [{ id: 'release.tag', gate: 'release', status: 'warn', observed: tag, message: `The release was promoted, but tag ${tag} could not be created at ${this.shortSha()}: ${message(error)}. Create it by hand: ${byHand}` }];
      }
      return [{ id: 'release.tag', gate: 'release', status: 'pass', observed: tag, message: `Created tag ${tag} at ${this.shortSha()}.` }];
    }

    const notes = await this.writeNotes(tag);
    const notesResult: CheckResult = { id: 'release.notes', gate: 'release', status: 'pass', observed: tag, message: `Release notes of ${tag}: ${notes.summary}.`, details: { markdown: notes.markdown } };
    try {
      await this.createRelease({ tag, sha, name: tag, notes: notes.markdown });
    } catch (error) {
      return [
        {
          id: 'release.tag',
          gate: 'release',
          status: 'warn',
          observed: tag,
          message: `The release was promoted, but release ${tag} could not be created at ${this.shortSha()}: ${message(error)}. Create the tag by hand (${byHand}), then a release of it with the release notes of this report.`,
        },
        notesResult,
      ];
    }
    return [{ id: 'release.tag', gate: 'release', status: 'pass', observed: tag, message: `Created release ${tag} at ${this.shortSha()}, with release notes.` }, notesResult];
  }

  private async writeNotes(tag: string): Promise<ReleaseNotes> {
    try {
      return await writeReleaseNotes({
        tag,
        changes: releaseChanges(this.matched, this.commits),
        ...(this.previousTag !== undefined ? { previousTag: this.previousTag } : {}),
        ...(this.options.links !== undefined ? { links: this.options.links } : {}),
      });
    } catch (error) {
      // Never expected (the writer renders our own templates), and never a reason to skip the release.
      return { markdown: 'The release notes could not be written.\n', summary: `not written (${message(error)})` };
    }
  }

  /**
   * One more attempt when the first got no answer or a server error. If the first landed and
   * only its reply was lost, the forge now refuses the existing release; the adapter reads it
   * back and counts a release of our tag at our commit as created.
   */
  private async createRelease(request: { tag: string; sha: string; name: string; notes: string }): Promise<void> {
    try {
      await this.api.createRelease(request);
    } catch (error) {
      if (!retryable(error)) throw error;
      await this.api.createRelease(request);
    }
  }

  private shortSha(): string {
    return this.options.sha ? this.options.sha.slice(0, 12) : 'the released commit';
  }

  private logUrl(): { logUrl?: string } {
    return this.options.logUrl !== undefined ? { logUrl: this.options.logUrl } : {};
  }
}
