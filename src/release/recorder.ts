/**
 * The release records of one run, over a forge API port (the GitHub implementation lives in
 * src/platform/github-release-api.ts): the tag is planned before publishing and created only
 * after promotion; a deployment is created when traffic first moves, then marked `success`
 * (and the deployment it replaced `inactive`) or `failure`. Every API failure after `plan` is
 * caught and returned as a `warn` result: records never change what happens to traffic.
 */
import type { ReleaseConfig } from '../config/types.js';
import type { CheckResult } from '../report/result.js';
import { TAG_PATTERN } from '../rollback/resolve.js';
import type { ReleaseFinish, ReleasePlan, ReleasePlanRequest, ReleaseRecords, ReleaseStart } from './records.js';
import { ReleaseRecordsError } from './records.js';
import { planReleaseVersion } from './version.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

/** What the recorder needs from the forge. Methods throw errors whose message says what to fix. */
export interface ReleaseRecordsApi {
  /** Every tag name of the repository (all pages). */
  listTags(): Promise<string[]>;
  /** A lightweight tag `name` at commit `sha`. */
  createTag(name: string, sha: string): Promise<void>;
  createDeployment(request: { sha: string; environment: string; description: string; payload: Record<string, string> }): Promise<{ id: number }>;
  setDeploymentStatus(id: number, status: { state: DeploymentState; description: string; logUrl?: string; autoInactive?: boolean }): Promise<void>;
  /** Deployments of `environment` whose latest status is `success`, newest first. */
  listActiveDeployments(environment: string): Promise<Array<{ id: number }>>;
}

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
}

/** GitHub limits deployment status descriptions to 140 characters. */
const STATUS_DESCRIPTION_MAX = 140;

export function clipStatusDescription(text: string): string {
  return text.length <= STATUS_DESCRIPTION_MAX ? text : `${text.slice(0, STATUS_DESCRIPTION_MAX - 1)}…`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ReleaseRecorder implements ReleaseRecords {
  private tag: string | undefined;
  private dryRun = false;
  private startedWork: Promise<void> | undefined;
  private deploymentId: number | undefined;
  private deployment: { environment: string; version: string } | undefined;
  private readonly startProblems: CheckResult[] = [];

  constructor(
    private readonly api: ReleaseRecordsApi,
    private readonly options: ReleaseRecorderOptions,
  ) {}

  async plan(request: ReleasePlanRequest): Promise<ReleasePlan> {
    this.dryRun = request.dryRun;
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

  private async recordTag(finish: ReleaseFinish): Promise<CheckResult[]> {
    const tag = this.tag;
    if (!this.options.release.tag || tag === undefined) return [];
    const skip = (why: string): CheckResult[] => [{ id: 'release.tag', gate: 'release', status: 'skip', observed: tag, message: `Tag ${tag} not created: ${why}.` }];
    if (this.dryRun) return skip('dry run');
    if (finish.outcome !== 'promoted') return skip(`the release was not promoted (${finish.outcome})`);
    const sha = this.options.sha;
    if (!sha) return [{ id: 'release.tag', gate: 'release', status: 'warn', observed: tag, message: `Tag ${tag} not created: the released commit is unknown (GITHUB_SHA is not set).` }];
    try {
      await this.api.createTag(tag, sha);
    } catch (error) {
      return [{ id: 'release.tag', gate: 'release', status: 'warn', observed: tag, message: `The release was promoted, but tag ${tag} could not be created at ${this.shortSha()}: ${message(error)}. Create it by hand: git tag ${tag} ${sha} && git push origin ${tag}` }];
    }
    return [{ id: 'release.tag', gate: 'release', status: 'pass', observed: tag, message: `Created tag ${tag} at ${this.shortSha()}.` }];
  }

  private shortSha(): string {
    return this.options.sha ? this.options.sha.slice(0, 12) : 'the released commit';
  }

  private logUrl(): { logUrl?: string } {
    return this.options.logUrl !== undefined ? { logUrl: this.options.logUrl } : {};
  }
}
