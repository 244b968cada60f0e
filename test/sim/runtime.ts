import { HEALTHY, runInvocation, type InvocationOutcome, type VersionBehaviour } from './behaviour.js';
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
  ) {}

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
    return { functionName: fn.name, executedVersion, outcome };
  }
}
