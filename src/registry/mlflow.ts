/**
 * MLflow's Model Registry as the source of the candidate and the record of every outcome
 * (`model.registry: { type: mlflow, ... }`).
 *
 * In: the candidate is a registered model version (by number or alias); its run's metrics
 * become the model gate's metrics file (latest values; a metric logged per step gives the
 * `folds` a stability check reads; `train_loss`/`val_loss` histories the learning curves of an
 * overfitting check), the version holding the production alias (`champion`) gives the baseline,
 * and `registry:<path>` in model.predictions reads a run artifact through the server.
 *
 * Out, once the traffic decision is settled (never before, never instead of it): on promotion
 * the production alias moves to the released version, which is tagged with the release tag, the
 * target and its version, the outcome and the CI run; on a rollback the candidate is tagged with
 * the outcome and why, and the alias is put back on the version that held it when the release
 * started if something had moved it to the candidate. A failure here is a warning naming what is
 * missing; the traffic is not touched because of it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { MetricsFile } from '../model/io/metrics-file.js';
import type { CheckResult } from '../report/result.js';
import { MlflowClient, MlflowError, type MlflowModelVersion, type MlflowRun } from './mlflow-api.js';
import { nothingToRecord, type HistoryNeeds, type ManualRollbackRecord, type ModelRegistry, type RegistryCandidate, type RegistryOutcome } from './registry.js';

export interface MlflowRegistryConfig {
  type: 'mlflow';
  /** The tracking server; default MLFLOW_TRACKING_URI. */
  uri?: string;
  /** Registered model name. */
  name: string;
  /** The candidate: a version number, or an alias (exactly one). */
  version?: string;
  alias?: string;
  /** The alias production's version holds, moved on promotion. Default `champion`. */
  productionAlias: string;
}

export const MLFLOW_DEFAULTS = { productionAlias: 'champion' } as const;

/** Tag keys written on a model version. */
export const REGISTRY_TAGS = {
  outcome: 'model-release-gate.outcome',
  reason: 'model-release-gate.reason',
  releaseTag: 'model-release-gate.release-tag',
  target: 'model-release-gate.target',
  targetVersion: 'model-release-gate.target-version',
  ciRun: 'model-release-gate.ci-run',
} as const;

/** MLflow keeps tag values up to 5000 characters in its default SQL store. */
const TAG_VALUE_LIMIT = 5000;

/** The MLflow side of a candidate: the model version, and who held the production alias when the release started. */
interface MlflowCandidate extends RegistryCandidate {
  version: MlflowModelVersion;
  championBefore?: string;
}

const isMissing = (error: unknown) => error instanceof MlflowError && (error.kind === 'not-found' || error.kind === 'invalid');

export class MlflowRegistry implements ModelRegistry {
  private readonly client: MlflowClient;

  constructor(
    private readonly config: MlflowRegistryConfig,
    env: NodeJS.ProcessEnv,
    signal?: AbortSignal,
    client?: MlflowClient,
  ) {
    const uri = config.uri ?? env.MLFLOW_TRACKING_URI;
    if (client === undefined && (uri === undefined || uri.trim() === '')) {
      throw new MlflowError('invalid', 'model.registry needs the MLflow tracking server: set model.registry.uri or MLFLOW_TRACKING_URI');
    }
    this.client = client ?? new MlflowClient({ uri: uri as string, env, ...(signal ? { signal } : {}) });
  }

  describe(): string {
    return `MLflow at ${this.client.describe()}`;
  }

  /** Reads the candidate version, its run's metrics and production's. Throws MlflowError (an input error before anything is published). */
  async resolveCandidate(needs: HistoryNeeds): Promise<RegistryCandidate> {
    const { client, config } = this;
    const name = config.name;
    let version: MlflowModelVersion;
    try {
      version = config.alias !== undefined ? await client.modelVersionByAlias(name, config.alias) : await client.modelVersion(name, config.version as string);
    } catch (error) {
      if (!isMissing(error)) throw error;
      if (!(await client.registeredModelExists(name))) throw new MlflowError('not-found', `MLflow has no registered model '${name}' on ${client.describe()} (names are case-sensitive)`);
      throw new MlflowError('not-found', config.alias !== undefined ? `registered model '${name}' has no alias '${config.alias}' on ${client.describe()}` : `registered model '${name}' has no version ${config.version} on ${client.describe()}`);
    }
    const label = `MLflow model ${name} version ${version.version}${config.alias !== undefined ? ` (alias ${config.alias})` : ''}`;
    if (version.runId === undefined) throw new MlflowError('invalid', `${label} has no run, so it has no metrics to check (register it from a run: mlflow.register_model("runs:/<run id>/model", ...))`);
    const { file: metrics, run } = await this.runMetrics(version.runId, `${label}, run ${version.runId}`, needs);
    let champion: MlflowModelVersion | undefined;
    try {
      champion = await client.modelVersionByAlias(name, config.productionAlias);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    let baseline: RegistryCandidate['baseline'];
    if (champion === undefined) {
      baseline = { ok: false, message: `registered model '${name}' has no alias '${config.productionAlias}', so there is no production baseline (a first release? set the alias on the version production serves)` };
    } else if (champion.runId === undefined) {
      baseline = { ok: false, message: `the production version ${champion.version} of '${name}' (alias ${config.productionAlias}) has no run, so it has no metrics` };
    } else {
      const { file } = await this.runMetrics(champion.runId, `MLflow model ${name} version ${champion.version} (alias ${config.productionAlias}), run ${champion.runId}`, needs);
      baseline = { ok: true, label: `version ${champion.version} (alias ${config.productionAlias})`, file };
    }
    let downloads: string | undefined;
    const candidate: MlflowCandidate = {
      label,
      id: version.version,
      version,
      metrics,
      baseline,
      ...(champion !== undefined ? { championBefore: champion.version } : {}),
      async artifact(path: string): Promise<string> {
        downloads ??= mkdtempSync(join(tmpdir(), 'mrg-mlflow-'));
        let bytes: Buffer;
        try {
          bytes = await client.downloadArtifact(run.artifactUri, path);
        } catch (error) {
          if (error instanceof MlflowError && error.kind === 'not-found') throw new MlflowError('not-found', `${label} has no artifact ${path} in run ${run.runId}`);
          throw error;
        }
        const file = join(downloads, basename(path));
        writeFileSync(file, bytes);
        return file;
      },
      dispose(): void {
        if (downloads !== undefined) rmSync(downloads, { recursive: true, force: true });
        downloads = undefined;
      },
    };
    return candidate;
  }

  private async runMetrics(runId: string, path: string, needs: HistoryNeeds): Promise<{ file: MetricsFile; run: MlflowRun }> {
    const run = await this.client.run(runId);
    const file: MetricsFile = { path, metrics: run.metrics, folds: {}, curves: {} };
    for (const metric of needs.folds) {
      if (!(metric in run.metrics)) continue;
      const history = await this.client.metricHistory(runId, metric);
      if (history.length > 1) file.folds[metric] = history;
    }
    if (needs.curves) {
      for (const [key, field] of [['train_loss', 'trainLoss'], ['val_loss', 'valLoss']] as const) {
        if (key in run.metrics) file.curves[field] = await this.client.metricHistory(runId, key);
      }
    }
    return { file, run };
  }

  /** Tags the version with the outcome; moves the production alias on promotion. Never throws. */
  async recordOutcome(registryCandidate: RegistryCandidate, finish: RegistryOutcome): Promise<CheckResult[]> {
    if (nothingToRecord(finish.outcome)) return [];
    const candidate = registryCandidate as MlflowCandidate;
    const { client, config } = this;
    const { name } = config;
    const version = candidate.version.version;
    const recorded: string[] = [];
    const problems: string[] = [];
    const attempt = async (what: string, write: () => Promise<void>) => {
      try {
        await write();
        recorded.push(what);
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const tag = (key: string, value: string) => attempt(`tag ${key}`, () => client.setVersionTag(name, version, key, value.slice(0, TAG_VALUE_LIMIT)));
    await tag(REGISTRY_TAGS.outcome, finish.outcome);
    await tag(REGISTRY_TAGS.target, finish.target);
    await tag(REGISTRY_TAGS.targetVersion, finish.targetVersion);
    if (finish.ciRun !== undefined) await tag(REGISTRY_TAGS.ciRun, finish.ciRun);
    if (finish.outcome === 'promoted') {
      if (finish.releaseTag !== undefined) await tag(REGISTRY_TAGS.releaseTag, finish.releaseTag);
      await attempt(`alias ${config.productionAlias} → version ${version}`, () => client.setAlias(name, config.productionAlias, version));
    } else {
      await tag(REGISTRY_TAGS.reason, finish.reason);
      await this.restoreChampion(candidate, attempt, (problem) => problems.push(problem));
    }
    const where = `MLflow model ${name} version ${version}`;
    if (problems.length > 0) {
      return [{ id: 'release.registry', gate: 'release', status: 'warn', message: `Could not record the outcome on ${where} (${client.describe()}): ${problems.join('; ')}. Traffic was not affected.`, details: { recorded, problems } }];
    }
    const alias = finish.outcome === 'promoted' ? `; alias ${config.productionAlias} now points at it` : '';
    return [{ id: 'release.registry', gate: 'release', status: 'pass', message: `Recorded ${finish.outcome} on ${where}${alias}.`, details: { recorded } }];
  }

  /**
   * After a rollback the production alias must name the version production serves. The gate
   * never moved it (it moves only on promotion), but a training pipeline may have set it on the
   * candidate early: put it back on the version that held it when the release started, and only
   * when it points at the candidate now (someone else's later choice is theirs). When the alias
   * cannot be read, that is a problem to report: it may still name the rolled-back version.
   */
  private async restoreChampion(
    candidate: MlflowCandidate,
    attempt: (what: string, write: () => Promise<void>) => Promise<void>,
    problem: (text: string) => void,
  ): Promise<void> {
    const { client, config } = this;
    const before = candidate.championBefore;
    if (before === undefined || before === candidate.version.version) return;
    let now: MlflowModelVersion;
    try {
      now = await client.modelVersionByAlias(config.name, config.productionAlias);
    } catch (error) {
      // Deleted since the release started: nothing names the candidate as production.
      if (error instanceof MlflowError && error.kind === 'not-found') return;
      const why = error instanceof Error ? error.message : String(error);
      problem(`could not read alias ${config.productionAlias} to check that it does not name the rolled-back version ${candidate.version.version} (it named version ${before} when the release started): ${why}; check it by hand`);
      return;
    }
    if (now.version !== candidate.version.version) return;
    await attempt(`alias ${config.productionAlias} back to version ${before}`, () => client.setAlias(config.name, config.productionAlias, before));
  }

  /**
   * A manual rollback: the production alias moves to the version tagged with the release rolled
   * back to (else the one recorded for that target version), and the version that held it is
   * tagged as rolled back. Never throws (warnings).
   */
  async recordManualRollback(rollback: ManualRollbackRecord): Promise<CheckResult[]> {
    const { client, config } = this;
    const { name } = config;
    const warn = (message: string): CheckResult[] => [{ id: 'rollback.registry', gate: 'rollback', status: 'warn', message: `${message} Traffic was not affected.` }];
    try {
      const byTag = rollback.releaseTag !== undefined ? await client.versionsTagged(name, REGISTRY_TAGS.releaseTag, rollback.releaseTag) : [];
      const candidates = byTag.length > 0 ? byTag : (await client.versionsTagged(name, REGISTRY_TAGS.targetVersion, rollback.targetVersion)).filter((v) => v.tags[REGISTRY_TAGS.target] === rollback.target);
      const to = candidates.sort((a, b) => Number(b.version) - Number(a.version))[0];
      if (to === undefined) {
        return warn(`MLflow model ${name} has no version recorded for ${rollback.releaseTag ?? `${rollback.target} version ${rollback.targetVersion}`} (tag ${REGISTRY_TAGS.releaseTag} or ${REGISTRY_TAGS.targetVersion}), so alias ${config.productionAlias} was not moved.`);
      }
      let from: MlflowModelVersion | undefined;
      try {
        from = await client.modelVersionByAlias(name, config.productionAlias);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      await client.setAlias(name, config.productionAlias, to.version);
      if (from !== undefined && from.version !== to.version) {
        await client.setVersionTag(name, from.version, REGISTRY_TAGS.outcome, 'rolled-back');
        await client.setVersionTag(name, from.version, REGISTRY_TAGS.reason, rollback.reason.slice(0, TAG_VALUE_LIMIT));
      }
      const fromText = from !== undefined && from.version !== to.version ? ` from version ${from.version} (tagged rolled-back)` : '';
      return [{ id: 'rollback.registry', gate: 'rollback', status: 'pass', message: `MLflow model ${name}: alias ${config.productionAlias} moved to version ${to.version}${fromText}.` }];
    } catch (error) {
      return warn(`Could not move alias ${config.productionAlias} of MLflow model ${name} (${client.describe()}): ${error instanceof Error ? error.message : String(error)}.`);
    }
  }
}
