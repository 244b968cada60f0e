/**
 * Composes the gates in order: trigger → data → model → pretraffic → rollout.
 * Each stage runs only when its config section is present, and the pipeline stops at the first
 * failing gate, so nothing moves traffic after a failed check. Platform-agnostic: commits,
 * config, clock, state and the rollout target all come in through `PipelineRequest`/`PipelineDeps`.
 */
import type { GateConfig, TargetConfig } from './config/types.js';
import type { Clock } from './core/clock.js';
import type { StateStore } from './core/state.js';
import type { Command } from './platform/types.js';
import type { CheckResult, Gate, Outcome, Report, TimelineRow } from './report/result.js';
import { runRollout } from './rollout/loop.js';
import { describeAlias } from './rollout/recovery.js';
import { rolloutOutputs, rolloutResults } from './rollout/results.js';
import type { AliasState, RolloutTarget } from './targets/target.js';
import { decideRelease } from './trigger/decide.js';
import { triggerOutputs, triggerResults } from './trigger/results.js';
import type { CommitCollection } from './trigger/types.js';

export const TOOL_VERSION = '0.1.0';

export interface PipelineRequest {
  command: Exclude<Command, 'rollback'>;
  config: GateConfig;
  commits: CommitCollection;
  force: boolean;
  /** Recorded in the published version's description so a release tag maps back to a version. */
  sha?: string;
  tag?: string;
}

export interface PipelineDeps {
  clock: Clock;
  state: StateStore;
  signal?: AbortSignal;
  log: (line: string) => void;
  createTarget: (config: TargetConfig) => RolloutTarget;
}

/** The stages after the trigger that later gates fill in; until then they report "not configured". */
const CHECK_STAGES: Array<{ gate: Gate; section: 'data' | 'model' | 'pretraffic' }> = [
  { gate: 'data', section: 'data' },
  { gate: 'model', section: 'model' },
  { gate: 'pretraffic', section: 'pretraffic' },
];

/** Run the gate for one request and return the report (never throws for gate failures). */
export async function runPipeline(request: PipelineRequest, deps: PipelineDeps): Promise<Report> {
  const startedAt = new Date(deps.clock.now()).toISOString();
  const results: CheckResult[] = [];
  const outputs: Record<string, string> = {};
  const finish = (outcome: Outcome, exitCode: 0 | 1 | 2, headline: string, timeline?: TimelineRow[]): Report => ({
    tool: 'model-release-gate',
    toolVersion: TOOL_VERSION,
    command: request.command,
    outcome,
    exitCode,
    headline,
    startedAt,
    finishedAt: new Date(deps.clock.now()).toISOString(),
    results,
    outputs: { ...outputs, outcome },
    ...(timeline ? { timeline } : {}),
  });

  // 1. Trigger: does any commit target the API scope?
  const decision = decideRelease(request.commits.commits, request.config.trigger, {
    forced: request.force,
    forcedReason: request.commits.manual ? 'manual run with force: true' : 'force: true',
  });
  results.push(...triggerResults(decision, request.commits, request.config.trigger));
  Object.assign(outputs, triggerOutputs(decision));
  deps.log(decision.reason);
  if (request.command === 'trigger') {
    return finish(decision.release ? 'checked' : 'skipped', 0, decision.reason);
  }
  // A pull request check runs the data and model gates whatever the commits say: the PR is
  // where a broken dataset should be caught. A release stops here when nothing is in scope.
  if (request.command === 'release' && !decision.release) {
    return finish('skipped', 0, decision.reason);
  }

  // 2-4. Data, model and pre-traffic gates.
  for (const stage of CHECK_STAGES) {
    if (request.config[stage.section] === undefined) {
      results.push({ id: `${stage.gate}.stage`, gate: stage.gate, status: 'skip', message: `${stage.gate} gate not configured (no '${stage.section}:' section).` });
      continue;
    }
    results.push({
      id: `${stage.gate}.stage`,
      gate: stage.gate,
      status: 'skip',
      message: `${stage.gate} gate: this version of model-release-gate does not evaluate '${stage.section}:' yet; the section was validated but not run.`,
    });
  }
  if (request.command === 'check') {
    const failed = results.some((r) => r.status === 'fail' || r.status === 'error');
    return finish('checked', failed ? 1 : 0, failed ? 'Checks failed: see the results below.' : `Checks passed. ${decision.reason}`);
  }

  // 5. Rollout.
  const { target: targetConfig, rollout: rolloutConfig } = request.config;
  if (!targetConfig || !rolloutConfig) {
    const missing = !targetConfig ? 'target' : 'rollout';
    results.push({ id: 'rollout.stage', gate: 'rollout', status: 'skip', message: `rollout not configured (no '${missing}:' section): nothing was deployed.` });
    return finish('skipped', 0, `${decision.reason} No rollout is configured, so nothing was deployed.`);
  }
  // Create the target and read the alias before anything is published: a missing region or a
  // wrong function or alias name must fail with zero writes.
  let target: RolloutTarget;
  let alias: AliasState;
  try {
    target = deps.createTarget(targetConfig);
    alias = await target.readAlias();
  } catch (error) {
    results.push({ id: 'rollout.preflight', gate: 'rollout', status: 'error', message: errorMessage(error) });
    return finish('aborted', 1, `Rollout aborted before any change: ${errorMessage(error)}`);
  }
  // A refusal must write nothing, and publishing a version is a write: refuse an alias that
  // already routes traffic elsewhere before publishing. (Deploying the alias's own primary
  // version stays the loop's no-op "skipped".)
  const existingWeights = Object.keys(alias.additionalWeights).length > 0;
  if (existingWeights && rolloutConfig.onExistingCanary === 'refuse' && targetConfig.version !== alias.version) {
    const reason = `${target.describe()} already routes traffic to another version (${describeAlias(alias)}); on-existing-canary is 'refuse', so nothing was published or written. Finish or roll back that rollout first, or set on-existing-canary: rollback.`;
    results.push({ id: 'rollout.preflight', gate: 'rollout', status: 'error', message: reason });
    return finish('aborted', 1, reason);
  }

  let candidateVersion: string;
  if (request.config.dryRun) {
    candidateVersion = targetConfig.version ?? '(new version from $LATEST)';
  } else {
    try {
      const candidate = await target.resolveCandidate({ version: targetConfig.version, description: versionDescription(request) });
      candidateVersion = candidate.version;
      deps.log(candidate.published ? `Published version ${candidate.version} of ${target.describe()}.` : `Deploying existing version ${candidate.version} of ${target.describe()}.`);
    } catch (error) {
      results.push({ id: 'rollout.candidate', gate: 'rollout', status: 'error', message: errorMessage(error) });
      return finish('aborted', 1, `Rollout aborted before any traffic moved: ${errorMessage(error)}`);
    }
  }

  // The post step (or GitLab after_script) needs to find the alias again even if this process dies.
  await deps.state.save('target', JSON.stringify(targetConfig));
  const result = await runRollout(
    { target, clock: deps.clock, state: deps.state, signal: deps.signal, log: deps.log },
    { candidateVersion, config: rolloutConfig, dryRun: request.config.dryRun },
  );
  results.push(...rolloutResults(result));
  Object.assign(outputs, rolloutOutputs(result));
  // skipped: the candidate is already the alias's version, so there is nothing to do.
  const exitCode = result.outcome === 'promoted' || result.outcome === 'planned' || result.outcome === 'skipped' ? 0 : 1;
  return finish(result.outcome, exitCode, result.reason, result.timeline);
}

/** `model-release-gate sha=<sha> tag=<tag>`: manual rollback (#6) resolves tags through this. */
export function versionDescription(request: Pick<PipelineRequest, 'sha' | 'tag'>): string {
  const parts = ['model-release-gate'];
  if (request.sha) parts.push(`sha=${request.sha}`);
  if (request.tag) parts.push(`tag=${request.tag}`);
  // Lambda limits descriptions to 256 characters.
  return parts.join(' ').slice(0, 256);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
