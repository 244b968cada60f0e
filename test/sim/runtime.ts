import { HEALTHY, runInvocation, type InvocationOutcome, type ModelOutcome, type VersionBehaviour } from './behaviour.js';
import type { LambdaModel } from './lambda-model.js';
import type { MetricStore } from './metrics.js';
import type { SeededRandom } from './random.js';

/** Which behaviour each version of each function has. */
export class BehaviourBook {
  private readonly explicit = new Map<string, Map<string, VersionBehaviour>>();
  /** Per function: every version except `stable` without an explicit behaviour gets `behaviour`. */
  private readonly candidateRules = new Map<string, { stable: string; behaviour: VersionBehaviour }>();

  set(functionName: string, version: string, behaviour: VersionBehaviour): void {
    const perVersion = this.explicit.get(functionName) ?? new Map<string, VersionBehaviour>();
    perVersion.set(version, behaviour);
    this.explicit.set(functionName, perVersion);
  }

  /**
   * Gives `behaviour` to every version other than `stable`, including versions published
   * later: the release under test usually publishes its candidate after the scenario is set.
   */
  setCandidates(functionName: string, stable: string, behaviour: VersionBehaviour): void {
    const perVersion = this.explicit.get(functionName);
    for (const version of [...(perVersion?.keys() ?? [])]) if (version !== stable) perVersion?.delete(version);
    this.candidateRules.set(functionName, { stable, behaviour });
  }

  /** The behaviour `setCandidates` gave the function's non-stable versions, if any. */
  candidates(functionName: string): { stable: string; behaviour: VersionBehaviour } | undefined {
    return this.candidateRules.get(functionName);
  }

  clear(): void {
    this.explicit.clear();
    this.candidateRules.clear();
  }

  get(functionName: string, version: string): VersionBehaviour {
    const explicit = this.explicit.get(functionName)?.get(version);
    if (explicit) return explicit;
    const candidates = this.candidateRules.get(functionName);
    if (candidates && candidates.stable !== version) return candidates.behaviour;
    return HEALTHY;
  }
}

/** Where an invocation ran, for a custom metric's dimensions. */
export interface EmitSource {
  functionName?: string;
  endpointName?: string;
  variantName?: string;
}

/**
 * A metric the function's (or model container's) own code publishes at each invocation, as an
 * Embedded Metric Format line puts it in CloudWatch: one sample per invocation that ran (a
 * throttled call runs no code), in the minute of the invocation, readable like every metric.
 */
export interface CustomMetricSpec {
  namespace: string;
  metric: string;
  /** The series' dimensions for the version that ran (Lambda: the version number; SageMaker: the model name). */
  dimensions: (version: string, source: EmitSource) => Record<string, string>;
  /** The sample of one invocation; undefined: the code printed none this time. */
  value: (version: string, outcome: ModelOutcome, tMs: number) => number | undefined;
  /** Only invocations of this function or endpoint; default all. */
  source?: string;
}

/** The custom metrics every runtime emits (`sim.emitMetrics`). */
export class CustomMetrics {
  private readonly specs: CustomMetricSpec[] = [];

  add(spec: CustomMetricSpec): void {
    this.specs.push(spec);
  }

  clear(): void {
    this.specs.length = 0;
  }

  emit(metrics: MetricStore, version: string, source: EmitSource, outcome: ModelOutcome, atMs: number): void {
    if (outcome.kind === 'throttled') return;
    for (const spec of this.specs) {
      if (spec.source !== undefined && spec.source !== source.functionName && spec.source !== source.endpointName) continue;
      const value = spec.value(version, outcome, atMs);
      if (value !== undefined) metrics.put(spec.namespace, spec.dimensions(version, source), atMs, { [spec.metric]: value });
    }
  }
}

/** The result of one invocation, after routing. */
export interface Execution {
  functionName: string;
  executedVersion: string;
  outcome: InvocationOutcome;
}

/**
 * Executes invocations: routes an alias by its current weights, applies the version's
 * behaviour and records the metrics CloudWatch would publish. Shared by the Invoke API and
 * the traffic generator so both produce identical metrics.
 */
export class FunctionRuntime {
  constructor(
    private readonly model: LambdaModel,
    private readonly metrics: MetricStore,
    private readonly behaviours: BehaviourBook,
    private readonly custom: CustomMetrics = new CustomMetrics(),
  ) {}

  /** The behaviour a version of a function runs with. */
  behaviourOf(functionName: string, version: string): VersionBehaviour {
    return this.behaviours.get(functionName, version);
  }

  invoke(functionRef: string, qualifier: string | undefined, atMs: number, random: SeededRandom): Execution {
    const fn = this.model.getFunction(functionRef);
    const { version, alias } = this.model.resolveQualifier(fn, qualifier);
    let executedVersion = version.version;
    const routingDraw = random.next();
    if (alias) {
      const [additional, weight] = Object.entries(alias.weights)[0] ?? [];
      if (additional !== undefined && weight !== undefined && routingDraw < weight) executedVersion = additional;
    }
    const outcome = runInvocation(this.behaviours.get(fn.name, executedVersion), atMs, random);
    this.metrics.record({
      atMs,
      functionName: fn.name,
      resource: qualifier === undefined ? fn.name : `${fn.name}:${qualifier}`,
      executedVersion,
      outcome: outcome.kind,
      durationMs: outcome.kind === 'throttled' ? 0 : outcome.durationMs,
    });
    this.custom.emit(this.metrics, executedVersion, { functionName: fn.name }, outcome, atMs);
    return { functionName: fn.name, executedVersion, outcome };
  }
}
