/**
 * Composes the gates in order: trigger → data → model → pretraffic → rollout.
 * Each stage runs only when its config section is present, and the pipeline stops at the first
 * failing gate, so nothing moves traffic after a failed check. Platform-agnostic: commits,
 * config, clock, state and the rollout target all come in through `PipelineRequest`/`PipelineDeps`.
 */
import { resolve as resolvePath } from 'node:path';
import type { GateConfig, TargetConfig } from './config/types.js';
import type { Clock } from './core/clock.js';
import type { StateStore } from './core/state.js';
import { dataGateFailed, runDataGate } from './data/gate.js';
import { runModelGate } from './model/gate.js';
import { runPretraffic } from './pretraffic/gate.js';
import { confirmPromotionProblem, RolloutNotifications } from './notify/rollout.js';
import type { Engine } from './data/engine/engine.js';
import { CodeInputError, describeCode, prepareCode, type PreparedCode } from './deploy/code.js';
import type { Command } from './platform/types.js';
import type { ReleaseRecords } from './release/records.js';
import { ReleaseRecordsError } from './release/records.js';
import { duckDbSettings } from './data/engine/create.js';
import { ReportBuilder } from './report/builder.js';
import { writeDriftHtmlReport } from './report/drift-html-file.js';
import { INPUT_ERROR_EXIT_CODE, inputError, inputErrorHeadline } from './report/input-error.js';
import type { CheckResult, Report } from './report/result.js';
import type { PlanFeasibility } from './rollout/feasibility.js';
import { analyzeFeasibility, feasibilityResults } from './rollout/feasibility.js';
import { runRollout } from './rollout/loop.js';
import { runShadowPhase } from './rollout/shadow.js';
import { watchPromotion } from './rollout/watch.js';
import { describeAlias } from './rollout/recovery.js';
import { rolloutOutputs, rolloutResults } from './rollout/results.js';
import { parseReleaseDescription } from './rollback/resolve.js';
import { MetricQuerySignal } from './signals/metrics.js';
import { createRegistry, type RegistryConfig } from './registry/create.js';
import { RegistryError, type ModelRegistry, type RegistryCandidate } from './registry/registry.js';
import { ciRunUrl } from './core/ci-run.js';
import type { ModelConfig } from './model/config.js';
import { createAwsClients } from './aws/clients.js';
import { DEFAULT_COMPARE_JUDGE } from './config/defaults.js';
import { alarmPreflight, defaultAlarmReader, type AlarmPreflight, type AlarmReader, type AlarmSignal } from './signals/alarms.js';
import type { AliasState, CandidateVersion, DeployedCode, RolloutTarget } from './targets/target.js';
import { unusableTargetMessage } from './targets/unusable.js';
import { decideRelease } from './trigger/decide.js';
import { triggerOutputs, triggerResults } from './trigger/results.js';
import type { CommitCollection } from './trigger/types.js';
import { plural } from './core/plural.js';

export { TOOL_VERSION } from './core/version.js';

export interface PipelineRequest {
  command: Exclude<Command, 'rollback' | 'validate'>;
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
  /**
   * Fold the rollout's live log in the CI log (the platform logger's groups): the report's timeline
   * repeats it, so the job log shows the rollout once unless someone unfolds it.
   */
  logGroup?: { start(title: string): void; end(): void };
  createTarget: (config: TargetConfig) => RolloutTarget;
  /** Directory the data gate's paths are relative to. Default the process's working directory. */
  workspace?: string;
  /** SQL engine of the data gate; default an embedded DuckDB. */
  dataEngine?: Engine;
  /** Release tag and deployment records (GitHub); none on platforms that cannot create them. */
  records?: ReleaseRecords;
  /** Reads CloudWatch alarms (rollout.alarms) in the target's region; default the SDK client from the environment. */
  createAlarmReader?: (config: TargetConfig) => AlarmReader;
}

/** A gate whose config section is absent is reported as skipped, so the report shows every stage. */
function notConfigured(gate: 'data' | 'model' | 'pretraffic'): CheckResult {
  return { id: `${gate}.stage`, gate, status: 'skip', message: `${gate} gate not configured (no '${gate}:' section).` };
}

/** Run the gate for one request and return the report (never throws for gate failures). */
export async function runPipeline(request: PipelineRequest, deps: PipelineDeps): Promise<Report> {
  const report = new ReportBuilder(request.command, deps.clock);
  const { results, outputs } = report;
  const finish = report.finish.bind(report);
  /** Stop before any change because the input is wrong (the target or version does not exist or cannot be used): exit 2. */
  const abortForInput = (id: string, message: string): Report => {
    const error = inputError({ id, gate: 'rollout', message });
    results.push(error);
    return finish('aborted', INPUT_ERROR_EXIT_CODE, inputErrorHeadline([error]) ?? message);
  };

  // 1. Trigger: does any commit target the API scope?
  const decision = decideRelease(request.commits.commits, request.config.trigger, {
    forced: request.force,
    manual: request.commits.manual,
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

  // 2. Data gate: a release stops here when a data check fails, before anything is published.
  // (`check` goes on, so a pull request shows every gate's findings at once.)
  if (request.config.data) {
    const workspace = deps.workspace ?? process.cwd();
    const engineConfig = duckDbSettings(request.config.data.engine);
    const dataResults = await runDataGate(request.config.data, {
      workspace,
      ...(deps.dataEngine ? { engine: deps.dataEngine } : {}),
      ...(engineConfig
        ? { engineOptions: { ...engineConfig, ...(engineConfig.tempDirectory !== undefined ? { tempDirectory: resolvePath(workspace, engineConfig.tempDirectory) } : {}) } }
        : {}),
      ...(request.config.file !== undefined ? { configFile: request.config.file } : {}),
      log: deps.log,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    results.push(...dataResults);
    // The drift report is written now: also when the gate fails, and before a long rollout.
    if (request.config.report.htmlPath !== undefined) {
      const warning = writeDriftHtmlReport(request.config.report.htmlPath, workspace, request.config.data, dataResults, new Date(deps.clock.now()));
      if (warning) results.push(warning);
    }
    const inputHeadline = inputErrorHeadline(dataResults);
    if (request.command === 'release' && inputHeadline !== undefined) return finish('aborted', INPUT_ERROR_EXIT_CODE, inputHeadline);
    if (request.command === 'release' && dataGateFailed(dataResults)) {
      return finish('aborted', 1, 'Data checks failed: nothing was deployed. See the data results below.');
    }
  } else {
    results.push(notConfigured('data'));
  }

  // 3. Model gate, its candidate from the model registry when one is configured.
  let registry: RegistryLink | undefined;
  if (request.config.model?.registry) {
    const read = await readRegistry(request.config.model, deps);
    results.push(read.result);
    if (!read.ok) {
      const headline = inputErrorHeadline([read.result]) ?? read.result.message;
      return finish(request.command === 'check' ? 'checked' : 'aborted', INPUT_ERROR_EXIT_CODE, headline);
    }
    registry = read.link;
  }
  if (request.config.model) {
    let modelResults: CheckResult[];
    try {
      modelResults = await runModelGate(request.config.model, { cwd: deps.workspace ?? process.cwd(), log: deps.log, ...(registry ? { registry: registry.candidate } : {}) });
    } finally {
      registry?.candidate.dispose();
    }
    results.push(...modelResults);
    const inputHeadline = inputErrorHeadline(modelResults);
    if (request.command === 'release' && inputHeadline !== undefined) return finish('aborted', INPUT_ERROR_EXIT_CODE, inputHeadline);
    if (request.command === 'release' && gateFailed(modelResults)) {
      return finish('aborted', 1, 'Model checks failed: nothing was deployed. See the model results below.');
    }
  } else {
    results.push(notConfigured('model'));
  }

  // 4. Pre-traffic tests need the new version, so on release they run in the rollout stage,
  // after publishing and before the first shift.
  if (!request.config.pretraffic) {
    results.push(notConfigured('pretraffic'));
  } else if (request.command === 'check') {
    results.push({ id: 'pretraffic.stage', gate: 'pretraffic', status: 'skip', message: 'pre-traffic tests run on release, against the published version, before the first traffic shift.' });
  }
  if (request.command === 'check') {
    // An input error wins over a failed check: a gate that could not read its input has not judged.
    const inputHeadline = inputErrorHeadline(results);
    if (inputHeadline !== undefined) return finish('checked', INPUT_ERROR_EXIT_CODE, inputHeadline);
    const failed = results.some((r) => r.status === 'fail' || r.status === 'error');
    return finish('checked', failed ? 1 : 0, failed ? 'Checks failed: see the results below.' : `Checks passed. ${decision.reason}`);
  }

  // 5. Rollout.
  const { target: targetConfig, rollout: rolloutConfig } = request.config;
  if (!targetConfig || !rolloutConfig) {
    const missing = !targetConfig ? 'target' : 'rollout';
    results.push({ id: 'rollout.stage', gate: 'rollout', status: 'skip', message: `rollout not configured (no '${missing}:' section): nothing was deployed.` });
    if (request.config.pretraffic) {
      results.push({ id: 'pretraffic.stage', gate: 'pretraffic', status: 'skip', message: `pre-traffic tests need a version to invoke: configure 'target:' and 'rollout:' to run them.` });
    }
    return finish('skipped', 0, `${decision.reason} No rollout is configured, so nothing was deployed.`);
  }
  // New code is read and checked here first: a missing, unreadable or non-zip package is an
  // input error (exit 2) found before any AWS call, dry run included.
  // New code and function configuration are Lambda's; a SageMaker candidate is a model (target.model).
  const codeSource = targetConfig.type === 'lambda' ? targetConfig.code : undefined;
  const configurationChange = targetConfig.type === 'lambda' ? targetConfig.configuration : undefined;
  let code: PreparedCode | undefined;
  if (codeSource !== undefined) {
    try {
      code = prepareCode(codeSource, deps.workspace ?? process.cwd());
    } catch (error) {
      if (error instanceof CodeInputError) return abortForInput('rollout.deploy', error.message);
      throw error;
    }
  }
  const deploying = code !== undefined || configurationChange !== undefined;
  // Create the target and read the alias before anything is published: a missing region or a
  // wrong function or alias name must fail with zero writes, as an input error (exit 2).
  let target: RolloutTarget;
  try {
    target = deps.createTarget(targetConfig);
  } catch (error) {
    return abortForInput('rollout.preflight', errorMessage(error));
  }
  if (deploying && target.deploy === undefined) {
    return abortForInput('rollout.deploy', `${target.describe()} cannot deploy code: remove target.code and target.configuration, and deploy by other means.`);
  }
  let alias: AliasState;
  try {
    alias = await target.readAlias();
  } catch (error) {
    const unusable = unusableTargetMessage(error);
    if (unusable !== undefined) return abortForInput('rollout.preflight', unusable);
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

  // CloudWatch alarms: every name must exist and none may be firing already, checked before
  // anything is published or written (dry run included: it names what a release would refuse).
  let alarmSignal: AlarmSignal | undefined;
  if (rolloutConfig.alarms !== undefined) {
    let preflight: AlarmPreflight;
    try {
      const read = deps.createAlarmReader?.(targetConfig) ?? defaultAlarmReader(targetConfig.region);
      preflight = await alarmPreflight(read, rolloutConfig.alarms, deps.signal);
    } catch (error) {
      const unusable = unusableTargetMessage(error);
      if (unusable !== undefined) return abortForInput('rollout.alarms', unusable);
      const message = `Could not read the CloudWatch alarms of rollout.alarms: ${errorMessage(error)}`;
      results.push({ id: 'rollout.alarms', gate: 'rollout', status: 'error', message });
      return finish('aborted', 1, `Rollout aborted before any change: ${message}`);
    }
    if (preflight.kind === 'missing') return abortForInput('rollout.alarms', preflight.message);
    if (preflight.kind === 'firing') {
      // Releasing the alias's own primary version is the loop's no-op: nothing to refuse.
      if (targetConfig.version !== alias.version) {
        results.push({
          id: 'rollout.alarms',
          gate: 'rollout',
          status: 'fail',
          observed: preflight.firing.map((s) => `${s.name} ALARM`).join(', '),
          expected: 'no alarm in ALARM before the rollout',
          message: preflight.message,
        });
        return finish('aborted', 1, preflight.message);
      }
    } else {
      alarmSignal = preflight.signal;
    }
  }
  // CloudWatch metric queries (rollout.metrics): read per version at every poll after the first shift.
  let metricSignal: MetricQuerySignal | undefined;
  if (rolloutConfig.metrics !== undefined) {
    if (target.metricDimensions === undefined) return abortForInput('rollout.metrics', `${target.describe()} cannot say which dimension values a version has, so rollout.metrics cannot be judged on it; remove rollout.metrics.`);
    const judge = rolloutConfig.judge;
    metricSignal = new MetricQuerySignal(
      createAwsClients({ ...(targetConfig.region !== undefined ? { region: targetConfig.region } : {}) }).cloudwatch,
      { readMetrics: (v, w, s) => target.readMetrics(v, w, s), metricDimensions: (v) => target.metricDimensions?.(v) ?? Promise.resolve({}) },
      rolloutConfig.metrics,
      judge.type === 'compare' ? judge : { ...DEFAULT_COMPARE_JUDGE, minEffect: { ...DEFAULT_COMPARE_JUDGE.minEffect } },
    );
  }
  const signals = [...(alarmSignal ? [alarmSignal] : []), ...(metricSignal ? [metricSignal] : [])];

  // A confirm-promotion that cannot be asked (an unset secret) would roll back every release at its end: refuse now.
  const confirmProblem = request.config.dryRun ? undefined : confirmPromotionProblem(request.config.notify);
  if (confirmProblem !== undefined) return abortForInput('notify.confirm-promotion', confirmProblem);

  // Release records: the tag is named (and an existing one refused) before anything is
  // published, so the version description carries it and manual rollback can find it.
  let releaseTag = request.tag;
  if (deps.records) {
    try {
      const plan = await deps.records.plan({
        bump: decision.bump,
        matched: decision.matched,
        commits: request.commits.commits,
        dryRun: request.config.dryRun,
        ...(request.tag !== undefined ? { explicitTag: request.tag } : {}),
      });
      releaseTag = plan.tag;
      results.push(...plan.results);
    } catch (error) {
      const id = error instanceof ReleaseRecordsError ? error.id : 'release.plan';
      results.push({ id, gate: 'release', status: 'error', message: errorMessage(error) });
      return finish('aborted', 1, `Release aborted before publishing: ${errorMessage(error)}`);
    }
  } else if (request.config.release.tag) {
    results.push({ id: 'release.tag', gate: 'release', status: 'skip', message: 'release.tag is set, but release tags are created only by the GitHub Action and in GitLab jobs with a token (CI_JOB_TOKEN or the gitlab-token input); here no tag is created (name one with --tag to record it in the version description).' });
  }
  if (releaseTag !== undefined) outputs['release-tag'] = releaseTag;

  let candidateVersion: string;
  if (request.config.dryRun) {
    candidateVersion = targetConfig.version ?? (deploying ? '(new version of the deployed code)' : '(new version from $LATEST)');
    if (deploying) {
      const what = [code !== undefined ? describeCode(code) : undefined, configurationChange !== undefined ? 'the configuration in target.configuration' : undefined].filter(Boolean).join(' and ');
      results.push({ id: 'rollout.deploy', gate: 'rollout', status: 'skip', message: `dry run: would deploy ${what} to ${target.describe()} and publish it; nothing was written.` });
    }
    // A dry run writes nothing, but a version that does not exist is still named: the plan would be of nothing.
    if (targetConfig.version !== undefined && targetConfig.version !== alias.version) {
      let missing: string | undefined;
      try {
        const versions = await target.listVersions();
        if (!versions.some((v) => v.version === targetConfig.version)) missing = `${target.describe()} has no version '${targetConfig.version}' (check target.version, --target-version or the target-version input)`;
      } catch (error) {
        missing = unusableTargetMessage(error);
        if (missing === undefined) {
          results.push({ id: 'rollout.candidate', gate: 'rollout', status: 'error', message: errorMessage(error) });
          return finish('aborted', 1, `Dry run aborted: ${errorMessage(error)}`);
        }
      }
      if (missing !== undefined) return abortForInput('rollout.candidate', missing);
    }
  } else {
    // Deploy the new code (and configuration) before publishing; nothing moves traffic yet, so
    // a failure here leaves every alias as it was.
    let deployed: DeployedCode | undefined;
    if (deploying && target.deploy !== undefined) {
      try {
        deployed = await target.deploy(
          { ...(code !== undefined ? { code } : {}), ...(configurationChange !== undefined ? { configuration: configurationChange } : {}) },
          { clock: deps.clock, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}) },
        );
      } catch (error) {
        const unusable = unusableTargetMessage(error);
        if (unusable !== undefined) return abortForInput('rollout.deploy', unusable);
        results.push({ id: 'rollout.deploy', gate: 'rollout', status: 'error', message: errorMessage(error) });
        return finish('aborted', 1, `Deploy failed before any traffic moved (no alias was changed): ${errorMessage(error)}`);
      }
      results.push({
        id: 'rollout.deploy',
        gate: 'rollout',
        status: 'pass',
        observed: deployed.codeSha256,
        message: `Deployed to ${target.describe()}: ${deployed.notes.join(' ')}`.trim(),
        details: { codeSha256: deployed.codeSha256, codeUnchanged: deployed.codeUnchanged, configurationUnchanged: deployed.configurationUnchanged },
      });
    }
    try {
      const candidate = await target.resolveCandidate({
        version: targetConfig.version,
        description: versionDescription({ sha: request.sha, tag: releaseTag }),
        ...(deployed ? { deployed } : {}),
      });
      candidateVersion = candidate.version;
      deps.log(candidate.published ? `Published version ${candidate.version} of ${target.describe()}.` : `Deploying existing version ${candidate.version} of ${target.describe()}.`);
      if (deployed && !candidate.published) {
        results.push({
          id: 'rollout.candidate',
          gate: 'rollout',
          status: 'pass',
          observed: candidate.version,
          message: `The code and configuration were unchanged, so Lambda reused version ${candidate.version} (no new version was published); its description keeps the release it was first published for.`,
          details: { reused: true },
        });
      }
      if (releaseTag !== undefined) await recordReleaseTag(target, candidate, releaseTag, request.sha, deps.log);
    } catch (error) {
      // A version that does not exist (or may not be read or published) changed nothing: exit 2.
      const unusable = unusableTargetMessage(error);
      if (unusable !== undefined) return abortForInput('rollout.candidate', unusable);
      results.push({ id: 'rollout.candidate', gate: 'rollout', status: 'error', message: errorMessage(error) });
      return finish('aborted', 1, `Rollout aborted before any traffic moved: ${errorMessage(error)}`);
    }
  }

  // The outcome on the model registry, once it is settled (never in a dry run); failures are warnings.
  const recordOnRegistry = async (outcome: Report['outcome'], reason: string, candidateAtFault: boolean): Promise<CheckResult[]> => {
    if (registry === undefined || request.config.dryRun) return [];
    const ciRun = ciRunUrl(process.env);
    return registry.registry.recordOutcome(registry.candidate, {
      outcome,
      reason,
      candidateAtFault,
      ...(releaseTag !== undefined ? { releaseTag } : {}),
      target: target.describe(),
      targetVersion: candidateVersion,
      ...(ciRun !== undefined ? { ciRun } : {}),
    });
  };

  // 4b. Pre-traffic smoke and stress test: the new version exists, no traffic has moved yet.
  if (request.config.pretraffic) {
    if (request.config.dryRun && targetConfig.version === undefined) {
      results.push({ id: 'pretraffic.stage', gate: 'pretraffic', status: 'skip', message: 'dry run: no version was published, so there is nothing to invoke (set target.version to test an existing version).' });
    } else {
      // A SageMaker endpoint answers with the model's own body, never an API Gateway proxy
      // envelope: 'auto' there could only misread a prediction that happens to look like one.
      const pretraffic = targetConfig.type === 'sagemaker' && request.config.pretraffic.proxy === 'auto' ? { ...request.config.pretraffic, proxy: false as const } : request.config.pretraffic;
      const pretrafficResults = await runPretraffic(pretraffic, {
        invoke: (version, payload) => target.invoke(version, payload),
        candidateVersion,
        ...(alias.version !== candidateVersion ? { productionVersion: alias.version } : {}),
        cwd: deps.workspace ?? process.cwd(),
        log: deps.log,
      });
      results.push(...pretrafficResults);
      if (gateFailed(pretrafficResults)) {
        results.push(...(await retireCandidate(target, candidateVersion, deps.signal)));
        const reason = `Pre-traffic tests of version ${candidateVersion} failed: no traffic was shifted. See the pretraffic results below.`;
        results.push(...(await recordOnRegistry('aborted', reason, true)));
        return finish('aborted', 1, reason);
      }
    }
  }

  // 4c. Shadow phase (SageMaker): the candidate answers mirrored requests before any client sees it.
  const shadow = rolloutConfig.shadow;
  if (shadow !== undefined) {
    if (request.config.dryRun) {
      results.push({ id: 'rollout.shadow', gate: 'rollout', status: 'skip', message: `dry run: would run the candidate as a shadow variant on ${shadow.percent}% of ${alias.version}'s requests for ${Math.round(shadow.durationMs / 60_000)} min before the canary; nothing was written.` });
    } else if (alias.version !== candidateVersion) {
      let outcome;
      try {
        outcome = await runShadowPhase(
          { target, clock: deps.clock, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}) },
          { candidate: candidateVersion, stable: alias.version, percent: shadow.percent, durationMs: shadow.durationMs, rollout: rolloutConfig },
        );
      } catch (error) {
        // No client was routed to the candidate: a failed or cancelled shadow phase leaves traffic as it was.
        results.push({ id: 'rollout.shadow', gate: 'rollout', status: 'error', message: `Shadow phase stopped: ${errorMessage(error)}` });
        results.push(...(await retireCandidate(target, candidateVersion, deps.signal)));
        return finish('aborted', 1, `Shadow phase of ${candidateVersion} stopped before any client traffic moved: ${errorMessage(error)}`);
      }
      results.push(outcome.result);
      if (!outcome.passed) {
        results.push(...(await recordOnRegistry('aborted', outcome.reason, true)));
        return finish('aborted', 1, outcome.reason);
      }
      // The phase changed the endpoint (its config): the canary starts from what is there now.
      alias = await target.readAlias();
    }
  }

  // Can the plan be judged at all? Offline, from the plan and the metric timing: a dry run
  // reports it (and fails on a plan that can never pass); a release says so before traffic moves.
  const feasibility = planFeasibility(rolloutConfig);
  if (feasibility !== undefined && !request.config.dryRun) {
    for (const result of feasibilityResults(feasibility, rolloutConfig)) {
      if (result.status !== 'pass' && result.id !== 'rollout.plan') deps.log(`Plan check: ${result.message}`);
    }
  }

  // The post step (or GitLab after_script) needs to find the alias again even if this process dies.
  await deps.state.save('target', JSON.stringify(targetConfig));
  const records = deps.records;
  // Notifications (never in a dry run): sent in the background, they never delay or change the rollout.
  const notify =
    request.config.notify !== undefined && !request.config.dryRun
      ? new RolloutNotifications(
          request.config.notify,
          { release: { ...(releaseTag !== undefined ? { tag: releaseTag } : {}), ...(request.sha !== undefined ? { sha: request.sha } : {}) }, target: target.describe(), candidate: candidateVersion, stable: alias.version },
          { now: () => deps.clock.now(), log: deps.log },
        )
      : undefined;
  const onTrafficMoving =
    records || notify
      ? () => {
          if (records) void records.started({ version: candidateVersion, previousVersion: alias.version, target: target.describe() });
          notify?.started();
        }
      : undefined;
  deps.logGroup?.start(`Rollout of version ${candidateVersion} on ${target.describe()}: live log (every row is in the report's timeline too)`);
  let result: Awaited<ReturnType<typeof runRollout>>;
  try {
    result = await runRollout(
      { target, clock: deps.clock, state: deps.state, signal: deps.signal, log: deps.log, ...(onTrafficMoving ? { onTrafficMoving } : {}), ...(signals.length > 0 ? { signals } : {}), ...notify?.loopDeps() },
      { candidateVersion, config: rolloutConfig, dryRun: request.config.dryRun },
    );
  } finally {
    deps.logGroup?.end();
  }
  if (request.config.dryRun && feasibility !== undefined) results.push(...feasibilityResults(feasibility, rolloutConfig));
  results.push(...rolloutResults(result));
  // Post-promotion watch: the promoted version keeps being judged; a failure points the alias back.
  if (result.outcome === 'promoted' && rolloutConfig.watchMs !== undefined && result.finalAlias !== undefined && result.stableVersion !== null) {
    const watch = await watchPromotion(
      { target, clock: deps.clock, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}), ...(alarmSignal ? { signals: [alarmSignal] } : {}) },
      { candidate: candidateVersion, previous: result.stableVersion, promoted: result.finalAlias, promotedAtMs: deps.clock.now(), config: { ...rolloutConfig, watchMs: rolloutConfig.watchMs } },
    );
    results.push(watch.result);
    if (watch.kind === 'rolled-back') Object.assign(result, { outcome: 'rolled-back', reason: watch.reason, finalAlias: watch.alias });
    else if (watch.kind === 'stopped') Object.assign(result, { outcome: 'aborted', reason: watch.reason });
  }
  if (alarmSignal !== undefined && result.outcome !== 'skipped') results.push(alarmSignal.result({ dryRun: request.config.dryRun }));
  if (metricSignal !== undefined && result.outcome !== 'skipped') results.push(...metricSignal.results({ dryRun: request.config.dryRun }));
  if (result.outcome === 'rolled-back' || result.outcome === 'aborted') results.push(...(await retireCandidate(target, candidateVersion, deps.signal)));
  Object.assign(outputs, rolloutOutputs(result));
  // Only now, with the alias settled, are the records written; their failures are warnings.
  if (records) results.push(...(await records.finished({ outcome: result.outcome, reason: result.reason })));
  // A rollback is the candidate's doing when its own evidence decided it: not an AWS failure, not a cancelled job.
  const candidateAtFault = result.outcome === 'rolled-back' && result.error === undefined && deps.signal?.aborted !== true;
  results.push(...(await recordOnRegistry(result.outcome, result.reason, candidateAtFault)));
  if (notify) results.push(...(await notify.finished(result.outcome, result.reason, { cancelled: deps.signal?.aborted === true })));
  if (result.outcome === 'planned' && feasibility?.canNeverPass === true) {
    // A dry run of a plan that can never pass is an input error: exit 2, nothing was written.
    const first = results.find((r) => r.gate === 'rollout' && r.status === 'error' && r.id.startsWith('rollout.plan.'));
    return finish('planned', INPUT_ERROR_EXIT_CODE, `Dry run: the plan can never pass as configured: ${first?.message ?? 'see the rollout.plan results.'} Nothing was written.`, result.timeline, result.minutes);
  }
  // skipped: the candidate is already the alias's version, so there is nothing to do.
  const exitCode = result.outcome === 'promoted' || result.outcome === 'planned' || result.outcome === 'skipped' ? 0 : 1;
  return finish(result.outcome, exitCode, result.reason, result.timeline, result.minutes);
}

/**
 * A version whose description does not name this release (reused, or named with --target-version:
 * descriptions are immutable) gets the tag recorded apart, so `rollback --to <tag>` finds it.
 * Before any traffic moves: a failure stops the release (a tag rollback could not resolve).
 */
async function recordReleaseTag(target: RolloutTarget, candidate: CandidateVersion, tag: string, sha: string | undefined, log: (line: string) => void): Promise<void> {
  if (parseReleaseDescription(candidate.version, candidate.description ?? '')?.tag === tag) return;
  if (target.recordReleaseTag === undefined) {
    log(`${target.describe()} cannot record release tags: rollback --to ${tag} will not find version ${candidate.version} (use its version or previous).`);
    return;
  }
  await target.recordReleaseTag({ tag, version: candidate.version, ...(sha !== undefined ? { sha } : {}) });
  log(`Recorded release ${tag} → version ${candidate.version} of ${target.describe()} (its description names another release).`);
}

/** `model-release-gate sha=<sha> tag=<tag>`: manual rollback (#6) resolves tags through this. */
export function versionDescription(request: Pick<PipelineRequest, 'sha' | 'tag'>): string {
  const parts = ['model-release-gate'];
  if (request.sha) parts.push(`sha=${request.sha}`);
  if (request.tag) parts.push(`tag=${request.tag}`);
  // Lambda limits descriptions to 256 characters.
  return parts.join(' ').slice(0, 256);
}

/** The offline feasibility analysis of the plan; undefined when the plan cannot even be built (the rollout reports that). */
function planFeasibility(config: NonNullable<PipelineRequest['config']['rollout']>): PlanFeasibility | undefined {
  try {
    return analyzeFeasibility(config);
  } catch {
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A gate stops the release when any of its results failed or could not be evaluated (warn-severity checks report `warn`). */
function gateFailed(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail' || r.status === 'error');
}

/**
 * After a release that ended with the candidate off traffic, remove what the target keeps
 * running for it (a SageMaker variant's instances). Never changes the outcome: the traffic is
 * settled already, so a failure is a warning; and a cancelled job skips it (the runner allows
 * seconds, an endpoint update takes minutes; the variant at weight 0 serves nobody).
 */
async function retireCandidate(target: RolloutTarget, candidate: string, signal: AbortSignal | undefined): Promise<CheckResult[]> {
  if (target.retireCandidate === undefined) return [];
  if (signal?.aborted) {
    return [{ id: 'rollout.cleanup', gate: 'rollout', status: 'warn', message: `The job was cancelled, so the candidate ${candidate} was left on ${target.describe()} without traffic; the next release removes it, or remove it by hand.` }];
  }
  try {
    return [{ id: 'rollout.cleanup', gate: 'rollout', status: 'pass', message: await target.retireCandidate(candidate) }];
  } catch (error) {
    return [{ id: 'rollout.cleanup', gate: 'rollout', status: 'warn', message: `Could not remove the candidate ${candidate} from ${target.describe()} (traffic is not affected: it has none): ${errorMessage(error)}` }];
  }
}

/** The registry's candidate and where its outcome is recorded. */
interface RegistryLink {
  registry: ModelRegistry;
  candidate: RegistryCandidate;
}

/**
 * Reads the candidate from the model registry before anything is published: a model, version or
 * alias that does not exist, a refusal, or a server that cannot be reached is an input error
 * (exit 2) that names the server and what was asked.
 */
async function readRegistry(model: ModelConfig, deps: PipelineDeps): Promise<{ ok: true; link: RegistryLink; result: CheckResult } | { ok: false; result: CheckResult }> {
  const config = model.registry as RegistryConfig;
  const needs = {
    folds: model.checks.flatMap((c) => (c.type === 'stability' ? [c.metric] : [])),
    curves: model.checks.some((c) => c.type === 'overfitting'),
  };
  try {
    const registry = createRegistry(config, process.env, deps.signal);
    const candidate = await registry.resolveCandidate(needs);
    const baseline = candidate.baseline.ok ? `baseline: ${candidate.baseline.label}` : `no baseline: ${candidate.baseline.message}`;
    const message = `Candidate ${candidate.label} from ${registry.describe()}: ${plural(Object.keys(candidate.metrics.metrics).length, 'metric')}; ${baseline}.`;
    deps.log(message);
    return { ok: true, link: { registry, candidate }, result: { id: 'model.registry', gate: 'model', status: 'pass', message, details: { candidate: candidate.id, baseline: candidate.baseline.ok ? candidate.baseline.label : null } } };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return { ok: false, result: inputError({ id: 'model.registry', gate: 'model', message: `model.registry: ${error.message}. Nothing was published` }) };
  }
}
