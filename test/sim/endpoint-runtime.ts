import type { CustomMetrics } from './runtime.js';
import { HEALTHY, runModelInvocation, type ModelOutcome, type VersionBehaviour } from './behaviour.js';
import { SimApiError } from './errors.js';
import { ACCOUNT_ID } from './lambda-model.js';
import { SAGEMAKER_NAMESPACE, type MetricStore } from './metrics.js';
import type { SeededRandom } from './random.js';
import type { LiveVariant, SageMakerModel } from './sagemaker-model.js';

/**
 * Which behaviour each SageMaker model has: set per model, or per endpoint for every model other
 * than a stable one (the scenarios' "canary"). The most recent setting that applies wins.
 */
export class ModelBehaviours {
  private sequence = 0;
  private readonly explicit = new Map<string, { behaviour: VersionBehaviour; sequence: number }>();
  private readonly candidateRules = new Map<string, { stableModel: string; behaviour: VersionBehaviour; sequence: number }>();

  set(modelName: string, behaviour: VersionBehaviour): void {
    this.explicit.set(modelName, { behaviour, sequence: ++this.sequence });
  }

  /** Every model on `endpointName` other than `stableModel`, models created later included, behaves as `behaviour`. */
  setCandidates(endpointName: string, stableModel: string, behaviour: VersionBehaviour): void {
    this.candidateRules.set(endpointName, { stableModel, behaviour, sequence: ++this.sequence });
  }

  candidates(endpointName: string): { stableModel: string; behaviour: VersionBehaviour } | undefined {
    return this.candidateRules.get(endpointName);
  }

  /** The behaviour set for the model itself, if any. */
  explicitFor(modelName: string): VersionBehaviour | undefined {
    return this.explicit.get(modelName)?.behaviour;
  }

  clear(): void {
    this.explicit.clear();
    this.candidateRules.clear();
  }

  get(endpointName: string, modelName: string): VersionBehaviour {
    const explicit = this.explicit.get(modelName);
    const rule = this.candidateRules.get(endpointName);
    const ruleApplies = rule !== undefined && rule.stableModel !== modelName;
    if (explicit && (!ruleApplies || explicit.sequence > rule.sequence)) return explicit.behaviour;
    return ruleApplies ? rule.behaviour : HEALTHY;
  }
}

/** The answer one InvokeEndpoint got: the production variant that served it and the model's outcome. */
export interface EndpointExecution {
  variantName: string;
  modelName: string;
  outcome: ModelOutcome;
  /** SageMaker's own time around the model's (OverheadLatency), in ms. */
  overheadMs: number;
}

/** SageMaker Runtime's 400 for a request it cannot route. */
function validationError(message: string): SimApiError {
  return new SimApiError(400, 'ValidationError', message);
}

/**
 * Executes InvokeEndpoint: routes by the production variants' current weights (share = weight /
 * sum of weights) or to the requested TargetVariant, applies the model's behaviour, mirrors a
 * sample to the shadow variant and records the `AWS/SageMaker` metrics. Shared by the API and
 * the traffic generator so both produce identical metrics.
 */
export class EndpointRuntime {
  constructor(
    private readonly model: SageMakerModel,
    private readonly metrics: MetricStore,
    private readonly behaviours: ModelBehaviours,
    /** Custom metrics the model container publishes (`sim.emitMetrics`). */
    private readonly custom?: CustomMetrics,
  ) {}

  invoke(endpointName: string, targetVariant: string | undefined, atMs: number, random: SeededRandom): EndpointExecution {
    const serving = this.model.servingAt(endpointName, atMs);
    if (!serving) throw validationError(`Endpoint ${endpointName} of account ${ACCOUNT_ID} not found.`);
    const routingDraw = random.next();
    const variant = targetVariant === undefined ? routeByWeight(serving.variants, routingDraw, endpointName) : serving.variants.find((v) => v.variantName === targetVariant);
    if (!variant) throw validationError(`Target variant ${targetVariant} is not a production variant of endpoint ${endpointName}.`);
    const { outcome, overheadMs } = this.run(endpointName, variant, atMs, random);
    // Shadow configs have exactly one production variant; its requests are mirrored, the client never sees the shadow's answer.
    for (const shadow of serving.shadowVariants) {
      const sampleDraw = random.next();
      if (outcome.kind !== 'throttled' && sampleDraw < samplingShare(shadow, serving.variants[0]!)) this.run(endpointName, shadow, atMs, random);
    }
    return { variantName: variant.variantName, modelName: variant.modelName, outcome, overheadMs };
  }

  private run(endpointName: string, variant: LiveVariant, atMs: number, random: SeededRandom): { outcome: ModelOutcome; overheadMs: number } {
    const outcome = runModelInvocation(this.behaviours.get(endpointName, variant.modelName), atMs, random);
    const overheadMs = 2 + 8 * random.next();
    // A throttled request never reaches the variant: SageMaker publishes nothing for it.
    if (outcome.kind !== 'throttled') {
      this.metrics.put(SAGEMAKER_NAMESPACE, { EndpointName: endpointName, VariantName: variant.variantName }, atMs, {
        Invocations: 1,
        Invocation5XXErrors: outcome.kind === 'error' ? 1 : 0,
        Invocation4XXErrors: outcome.kind === 'clientError' ? 1 : 0,
        // SageMaker publishes both latencies in microseconds.
        ModelLatency: Math.round(outcome.durationMs * 1000),
        OverheadLatency: Math.round(overheadMs * 1000),
        InvocationsPerInstance: 1 / Math.max(1, variant.instanceCount),
      });
      this.custom?.emit(this.metrics, variant.modelName, { endpointName, variantName: variant.variantName }, outcome, atMs);
    }
    return { outcome, overheadMs };
  }
}

function routeByWeight(variants: LiveVariant[], draw: number, endpointName: string): LiveVariant {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (!(total > 0)) throw validationError(`No production variant of endpoint ${endpointName} has a weight greater than 0.`);
  let cumulative = 0;
  for (const v of variants) {
    cumulative += v.weight / total;
    if (v.weight > 0 && draw < cumulative) return v;
  }
  // Rounding can leave the last sliver of [0, 1) unassigned: it belongs to the last weighted variant.
  return variants.filter((v) => v.weight > 0).at(-1)!;
}

/**
 * The share of the production variant's requests mirrored to a shadow variant: the shadow's weight
 * relative to the production variant's (SageMaker's sampling percentage / 100), at most 1.
 */
export function samplingShare(shadow: LiveVariant, production: LiveVariant): number {
  if (!(production.weight > 0)) return 0;
  return Math.min(1, shadow.weight / production.weight);
}
