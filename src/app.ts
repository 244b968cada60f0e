/**
 * The platform-neutral run: read inputs, load config, collect commits, run the pipeline,
 * publish the report, return the exit code. Entry points (main.ts, cli.ts) only pick the
 * platform and wire signals. Exit codes: 0 released or nothing to release, 1 a gate judged the
 * release and failed it, or the rollout rolled back or was aborted (conflict, refusal, AWS
 * failure), 2 usage, configuration or input error, nothing changed (report/input-error.ts).
 */
import { createAwsClients } from './aws/clients.js';
import { formatConfigError, loadConfig } from './config/load.js';
import type { GateConfig, TargetConfig } from './config/types.js';
import { systemClock, type Clock } from './core/clock.js';
import { errorMessage, runPipeline } from './pipeline.js';
import { ReportBuilder } from './report/builder.js';
import { UsageError, type GateInputs, type Platform } from './platform/types.js';
import type { CheckResult, Report } from './report/result.js';
import { runManualRollback, type ManualRollbackDeps } from './rollback/rollback.js';
import { createRegistry } from './registry/create.js';
import { analyzeFeasibility, feasibilityResults } from './rollout/feasibility.js';
import { LambdaAliasTarget } from './targets/lambda.js';
import { SageMakerEndpointTarget } from './targets/sagemaker.js';
import { defaultAlarmReader } from './signals/alarms.js';
import type { RolloutTarget } from './targets/target.js';

export interface AppDeps {
  clock: Clock;
  signal?: AbortSignal;
  /** Override for tests; defaults to the Lambda target over the real SDK clients. */
  createTarget?: (config: TargetConfig) => RolloutTarget;
  env?: NodeJS.ProcessEnv;
}

/**
 * The configured target over SDK clients built from the config's region (or AWS_REGION); `log`
 * gets the target's notes, `clock` times the waits for a SageMaker endpoint to finish updating.
 */
export function defaultTargetFactory(env: NodeJS.ProcessEnv, log?: (line: string) => void, clock: Clock = systemClock): (config: TargetConfig) => RolloutTarget {
  return (config) => {
    const clients = createAwsClients({ region: config.region, env });
    if (config.type === 'sagemaker') {
      return new SageMakerEndpointTarget(clients.sagemaker, clients.sagemakerRuntime, clients.cloudwatch, {
        endpointName: config.endpointName,
        instances: config.instances,
        clock,
        ...(config.model ? { model: config.model } : {}),
        ...(config.modelNamePrefix ? { modelNamePrefix: config.modelNamePrefix } : {}),
        ...(log ? { log } : {}),
      });
    }
    return new LambdaAliasTarget(clients.lambda, clients.cloudwatch, { functionName: config.functionName, alias: config.alias, ...(log ? { log } : {}) });
  };
}

/** A report for a run that could not start (bad inputs or config): exit code 2, nothing changed; its errors are input errors. */
export function usageReport(command: Report['command'], clock: Clock, results: CheckResult[], headline: string): Report {
  const report = new ReportBuilder(command, clock);
  report.results.push(...results.map((r): CheckResult => (r.status === 'error' ? { ...r, cause: 'input' } : r)));
  report.outputs.release = 'false';
  return report.finish('aborted', 2, headline);
}

/**
 * Run one command on a platform and return the process exit code. Never throws: an unexpected
 * failure is reported as an error and exits 1. (Traffic safety does not depend on this: the
 * rollout loop restores the alias on its own exit paths, and the post step covers crashes.)
 */
export async function runGate(platform: Platform, deps: AppDeps): Promise<number> {
  try {
    return await runGateUnguarded(platform, deps);
  } catch (error) {
    platform.log.error(`model-release-gate failed unexpectedly: ${errorMessage(error)}`);
    if (error instanceof Error && error.stack) platform.log.debug(error.stack);
    return 1;
  }
}

// Errors and warnings found here travel in the report only: the platform's publish renders
// them once (GitHub: one annotation each; CLI: stderr), so nothing is logged twice.
async function runGateUnguarded(platform: Platform, deps: AppDeps): Promise<number> {
  const env = deps.env ?? process.env;
  let inputs: GateInputs;
  try {
    inputs = platform.readInputs();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await platform.publish(usageReport('release', deps.clock, [{ id: 'inputs', gate: 'config', status: 'error', message: error.message }], error.message), {});
    return 2;
  }

  const loaded = loadConfig({ file: inputs.configPath, explicit: inputs.configExplicit, cwd: inputs.workspace, overrides: inputs.overrides });
  if (!loaded.ok) {
    const results: CheckResult[] = loaded.errors.map((e, i) => ({
      id: `config.error-${i + 1}`,
      gate: 'config',
      status: 'error',
      message: formatConfigError(e),
      ...(e.file ? { location: { file: e.file, line: e.line, column: e.column } } : {}),
    }));
    const headline = `Configuration is invalid (${results.length} error${results.length === 1 ? '' : 's'}); nothing was run.`;
    await platform.publish(usageReport(inputs.command, deps.clock, results, headline), {});
    return 2;
  }
  const config = loaded.config;
  if (inputs.command === 'rollback') return runRollbackCommand(platform, deps, inputs, config);
  if (inputs.command === 'validate') return runValidateCommand(platform, deps, config);

  let commits;
  try {
    commits = await platform.collectCommits(inputs);
  } catch (error) {
    const message = `Could not read the commits to release: ${errorMessage(error)}`;
    await platform.publish(usageReport(inputs.command, deps.clock, [{ id: 'trigger.commits', gate: 'trigger', status: 'error', message }], message), config.report);
    return 2;
  }

  let records;
  try {
    records = platform.releaseRecords?.(inputs, config.release);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const message = `Cannot record the release: ${error.message}`;
    await platform.publish(usageReport(inputs.command, deps.clock, [{ id: 'release.records', gate: 'release', status: 'error', message }], message), config.report);
    return 2;
  }

  const report = await runPipeline(
    { command: inputs.command, config, commits, force: inputs.force, sha: inputs.sha, tag: inputs.tag },
    {
      clock: deps.clock,
      state: platform.state,
      signal: deps.signal,
      log: (line) => platform.log.info(line),
      logGroup: { start: (title) => platform.log.startGroup?.(title), end: () => platform.log.endGroup?.() },
      createTarget: deps.createTarget ?? defaultTargetFactory(env, (line) => platform.log.info(line), deps.clock),
      createAlarmReader: (target) => defaultAlarmReader(target.region, env),
      workspace: inputs.workspace,
      ...(records ? { records } : {}),
    },
  );
  await platform.publish(report, config.report);
  return report.exitCode;
}

/** `rollback`: point the configured alias at the version a tag, SHA or `previous` names. */
async function runRollbackCommand(platform: Platform, deps: AppDeps, inputs: GateInputs, config: GateConfig): Promise<number> {
  const usage = async (id: string, message: string): Promise<number> => {
    await platform.publish(usageReport('rollback', deps.clock, [{ id, gate: 'rollback', status: 'error', message }], message), config.report);
    return 2;
  };
  if (!config.target) {
    return usage('rollback.target', "rollback needs the target to point: a 'target:' section in the config, or the function-name and alias inputs (endpoint-name and target-type: sagemaker for an endpoint).");
  }
  let target: RolloutTarget;
  try {
    target = (deps.createTarget ?? defaultTargetFactory(deps.env ?? process.env, (line) => platform.log.info(line), deps.clock))(config.target);
  } catch (error) {
    return usage('rollback.target', `Cannot reach the rollback target: ${errorMessage(error)}`);
  }
  const report = await runManualRollback(
    { to: inputs.rollbackTo ?? '', reason: inputs.reason, actor: inputs.actor, force: inputs.force, dryRun: config.dryRun },
    { target, clock: deps.clock, log: (line) => platform.log.info(line), ...registryRecorder(config, deps.env ?? process.env, deps.signal) },
  );
  await platform.publish(report, config.report);
  return report.exitCode;
}

/**
 * `validate`: offline, touches no AWS. The config was loaded and validated already; this runs
 * the feasibility analysis of the plan (src/rollout/feasibility.ts). Exit 2 when the plan can
 * never pass, else 0 (warnings included).
 */
async function runValidateCommand(platform: Platform, deps: AppDeps, config: GateConfig): Promise<number> {
  const report = new ReportBuilder('validate', deps.clock);
  const file = config.file ?? 'no config file (defaults)';
  report.results.push({ id: 'config.valid', gate: 'config', status: 'pass', message: `${file}: the configuration is valid.` });
  if (config.rollout === undefined) {
    report.results.push({ id: 'rollout.plan', gate: 'rollout', status: 'skip', message: "No 'rollout:' section: there is no plan to check." });
    await platform.publish(report.finish('checked', 0, `${file} is valid; no rollout is configured.`), config.report);
    return 0;
  }
  let analysis;
  try {
    analysis = analyzeFeasibility(config.rollout);
  } catch (error) {
    const message = `The rollout plan cannot be built: ${errorMessage(error)}`;
    report.results.push({ id: 'rollout.plan', gate: 'rollout', status: 'error', cause: 'input', message });
    await platform.publish(report.finish('checked', 2, message), config.report);
    return 2;
  }
  const results = feasibilityResults(analysis, config.rollout);
  report.results.push(...results);
  const summary = results[0]?.message ?? '';
  if (analysis.canNeverPass) {
    const first = results.find((r) => r.status === 'error' && r.id !== 'rollout.plan');
    await platform.publish(report.finish('checked', 2, `The rollout plan can never pass: ${first?.message ?? summary}`), config.report);
    return 2;
  }
  const warnings = results.filter((r) => r.status === 'warn' && r.id !== 'rollout.plan').length;
  const headline =
    warnings > 0
      ? `${file} is valid; the plan can be judged, with ${warnings} warning${warnings === 1 ? '' : 's'}.`
      : `${file} is valid. ${summary}`;
  await platform.publish(report.finish('checked', 0, headline), config.report);
  return 0;
}

/**
 * With model.registry, a manual rollback also moves the production alias to the version recorded
 * for the release rolled back to. A registry that cannot be set up is a warning at that moment,
 * like any registry failure: the alias of the target is what the rollback is for.
 */
function registryRecorder(config: GateConfig, env: NodeJS.ProcessEnv, signal?: AbortSignal): Pick<ManualRollbackDeps, 'recordOnRegistry'> {
  const registry = config.model?.registry;
  if (registry === undefined) return {};
  return {
    recordOnRegistry: async (rollback) => {
      try {
        return await createRegistry(registry, env, signal).recordManualRollback(rollback);
      } catch (error) {
        return [{ id: 'rollback.registry', gate: 'rollback', status: 'warn', message: `Could not record the rollback on the model registry: ${errorMessage(error)}. Traffic was not affected.` }];
      }
    },
  };
}
