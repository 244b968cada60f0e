/**
 * A model registry as the gate uses it: where the candidate and production's baseline come from
 * before anything is published, and where the outcome is written once the traffic decision is
 * settled. Two implementations: MLflow's Model Registry (src/registry/mlflow.ts) and SageMaker's
 * model package groups (src/registry/sagemaker.ts). The pipeline, the model gate and the manual
 * rollback see only this interface.
 */
import type { MetricsFile } from '../model/io/metrics-file.js';
import type { CheckResult, Outcome } from '../report/result.js';

/** Why the registry could not be read: the input names nothing, the credentials may not, or the service cannot be reached. */
export type RegistryErrorKind = 'not-found' | 'invalid' | 'permission' | 'unavailable';

/** A registry problem; before anything is published it is an input error (exit 2). */
export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** `model.predictions.path: registry:holdout/predictions.csv`: an artifact of the candidate. */
export const REGISTRY_ARTIFACT_PREFIX = 'registry:';

/** What the model gate needs of the registry, read before anything is published. */
export interface RegistryCandidate {
  /** "MLflow model churn-model version 7 (alias challenger)", "SageMaker model package churn-models/7". */
  label: string;
  /** The candidate's id in the registry (MLflow version, model package ARN). */
  id: string;
  metrics: MetricsFile;
  /** Production's metrics, or why there are none (nothing holds production yet). */
  baseline: { ok: true; file: MetricsFile; label: string } | { ok: false; message: string };
  /** A file of the candidate (`registry:<path>`) as a local path, valid until `dispose`. */
  artifact(path: string): Promise<string>;
  /** Removes what `artifact` downloaded (called once the model gate has read it). */
  dispose(): void;
}

/** Which metric histories the checks need (so a run with a thousand metrics is not read whole). */
export interface HistoryNeeds {
  /** Metrics whose per-step values are folds (stability checks). */
  folds: string[];
  /** train_loss and val_loss (overfitting checks). */
  curves: boolean;
}

export interface RegistryOutcome {
  outcome: Outcome;
  reason: string;
  releaseTag?: string;
  /** `lambda:churn-model:prod`. */
  target: string;
  /** The target's version of the candidate (Lambda version, SageMaker model). */
  targetVersion: string;
  ciRun?: string;
  /**
   * The candidate failed its own test (its canary, pre-traffic tests or shadow phase): a registry
   * with approvals rejects it. False when the release stopped for another reason (cancelled,
   * someone else's change, an AWS failure).
   */
  candidateAtFault: boolean;
}

export interface ManualRollbackRecord {
  releaseTag?: string;
  targetVersion: string;
  target: string;
  reason: string;
}

export interface ModelRegistry {
  /** "MLflow at https://mlflow.example.com", for messages. */
  describe(): string;
  /** Throws RegistryError when the candidate cannot be read. */
  resolveCandidate(needs: HistoryNeeds): Promise<RegistryCandidate>;
  /** Records a settled outcome. Never throws: failures come back as `warn` results; traffic is never touched because of them. */
  recordOutcome(candidate: RegistryCandidate, finish: RegistryOutcome): Promise<CheckResult[]>;
  /** Records a manual rollback (production moves to the release rolled back to). Never throws. */
  recordManualRollback(rollback: ManualRollbackRecord): Promise<CheckResult[]>;
}

/** Outcomes that leave nothing to record: nothing was deployed or decided. */
export function nothingToRecord(outcome: Outcome): boolean {
  return outcome === 'skipped' || outcome === 'planned' || outcome === 'checked';
}
