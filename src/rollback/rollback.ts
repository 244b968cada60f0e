/**
 * Manual rollback: point the alias at the version a release tag, a commit or `previous`
 * resolves to, with weights {} and the RevisionId just read, then report who asked and why.
 * The same write updates the serving history in the alias description (src/rollback/history.ts),
 * so a later `previous` knows this rollback happened. Bad input and refusals write nothing; the
 * only write is one conditional UpdateAlias, verified by reading the alias back (the target
 * does both).
 */
import type { Clock } from '../core/clock.js';
import { ReportBuilder } from '../report/builder.js';
import { INPUT_ERROR_EXIT_CODE, inputError, inputErrorHeadline } from '../report/input-error.js';
import type { CheckResult, Outcome, Report } from '../report/result.js';
import { asError, describeAlias } from '../rollout/recovery.js';
import { RevisionConflictError, type AliasState, type ReleaseTagRecord, type RolloutTarget } from '../targets/target.js';
import { unusableTargetMessage } from '../targets/unusable.js';
import { parsePromotionHistory, recordRollback } from './history.js';
import { parseRollbackTo, resolveRollbackTarget, type ReleaseRecord } from './resolve.js';

export interface ManualRollbackRequest {
  /** A release tag, a commit SHA (7 to 40 hex digits) or `previous`. */
  to: string;
  /** Why, in the requester's words (the `reason` input); shown in the report. */
  reason?: string;
  /** Who asked, as the platform knows it: GitHub GITHUB_TRIGGERING_ACTOR (else GITHUB_ACTOR); the CLI GITLAB_USER_LOGIN (else USER, else LOGNAME). */
  actor?: string;
  /** Roll back even while a rollout is in progress on the alias (its canary weight is dropped). */
  force: boolean;
  /** Resolve and report, write nothing. */
  dryRun: boolean;
}

export interface ManualRollbackDeps {
  target: RolloutTarget;
  clock: Clock;
  log: (line: string) => void;
  /**
   * Records the rollback on the model registry once the alias is settled (model.registry): its
   * failures come back as warnings and never change the outcome.
   */
  recordOnRegistry?: (rollback: { releaseTag?: string; targetVersion: string; target: string; reason: string }) => Promise<CheckResult[]>;
}

/**
 * Runs one manual rollback and returns its report. Exit codes: 0 rolled back, already current,
 * or planned (dry run); 1 refused (rollout in progress), conflict or AWS error; 2 the value of
 * `to` is invalid or names no release, or the function or alias does not exist or may not be
 * read (an input error). Never throws.
 */
export async function runManualRollback(request: ManualRollbackRequest, deps: ManualRollbackDeps): Promise<Report> {
  const report = new ReportBuilder('rollback', deps.clock);
  const { results, outputs } = report;
  const who = request.actor?.trim() || 'unknown (none of GITHUB_TRIGGERING_ACTOR, GITHUB_ACTOR, GITLAB_USER_LOGIN, USER, LOGNAME is set)';
  const why = request.reason?.trim() || '(no reason given)';
  Object.assign(outputs, { 'rollback-to': request.to.trim(), actor: who, reason: why });
  const finish = (outcome: Outcome, exitCode: 0 | 1 | 2, headline: string): Report => report.finish(outcome, exitCode, headline);
  // Exit 2 is an input error ('to' is invalid or names no release): marked so, like every exit 2.
  const fail = (id: string, exitCode: 1 | 2, message: string, details?: Record<string, unknown>): Report => {
    results.push({ id, gate: 'rollback', status: 'error', ...(exitCode === INPUT_ERROR_EXIT_CODE ? { cause: 'input' as const } : {}), message, ...(details ? { details } : {}) });
    return finish('aborted', exitCode, `Rollback not done: ${message}`);
  };

  const parsed = parseRollbackTo(request.to);
  if (!parsed.ok) return fail('rollback.to', 2, parsed.message);
  const name = deps.target.describe();

  let alias: AliasState;
  let resolved: { version: string; record: ReleaseRecord; rule: string };
  try {
    alias = await deps.target.readAlias();
    const resolution = resolveRollbackTarget(parsed.target, await deps.target.listVersions(), alias.version, alias.description, await releaseTags(deps));
    if (!resolution.ok) return fail('rollback.to', 2, `${resolution.message} ${name} was not changed.`);
    resolved = resolution;
  } catch (error) {
    // A function or alias that does not exist, or may not be read, is the input's fault: exit 2.
    const unusable = unusableTargetMessage(error);
    if (unusable !== undefined) {
      const result = inputError({ id: 'rollback.preflight', gate: 'rollback', message: unusable });
      results.push(result);
      return finish('aborted', INPUT_ERROR_EXIT_CODE, inputErrorHeadline([result]) ?? unusable);
    }
    return fail('rollback.preflight', 1, `${asError(error).message} ${name} was not changed.`);
  }
  const release = describeRelease(resolved.record);
  results.push({
    id: 'rollback.to',
    gate: 'rollback',
    status: 'pass',
    observed: resolved.version,
    expected: request.to.trim(),
    message: `'${request.to.trim()}' resolves to version ${resolved.version} (${release}) by ${resolved.rule}.`,
  });
  Object.assign(outputs, { version: resolved.version, 'previous-version': alias.version, tag: resolved.record.tag ?? '', sha: resolved.record.sha ?? '' });
  deps.log(`Rollback of ${name} to version ${resolved.version} (${release}) requested by ${who}: ${why}`);

  const inProgress = Object.keys(alias.additionalWeights).length > 0;
  if (inProgress && !request.force) {
    return fail(
      'rollback.in-progress',
      1,
      `A rollout is in progress on ${name} (${describeAlias(alias)}). Let it finish or roll back, or run the rollback again with force: true to drop the canary and point the alias at version ${resolved.version}. ${name} was not changed.`,
    );
  }
  if (!inProgress && alias.version === resolved.version) {
    const message = `${name} already points at version ${resolved.version} (${release}) with no other version receiving traffic; nothing to do.`;
    results.push({ id: 'rollback.outcome', gate: 'rollback', status: 'skip', observed: alias.version, expected: resolved.version, message });
    return finish('skipped', 0, message);
  }
  if (request.dryRun) {
    const message = `Dry run: would point ${name} from ${describeAlias(alias)} to version ${resolved.version} (${release}) with no additional weights.`;
    results.push({ id: 'rollback.outcome', gate: 'rollback', status: 'skip', observed: alias.version, expected: resolved.version, message });
    return finish('planned', 0, message);
  }

  // The version rolled back from leaves the history; `previous` then walks back from the target.
  const history = recordRollback(alias.description, resolved.version, alias.version);
  const description = history !== undefined && history !== alias.description ? history : undefined;
  let after: AliasState;
  try {
    after = await deps.target.pointTo(resolved.version, alias.revisionId, description);
  } catch (error) {
    const conflict = error instanceof RevisionConflictError;
    return fail(
      'rollback.outcome',
      1,
      conflict
        ? `${asError(error).message} Someone changed the alias since it was read: check it, then run the rollback again.`
        : `Could not point ${name} at version ${resolved.version}: ${asError(error).message}`,
    );
  }
  const from = inProgress ? describeAlias(alias) : `version ${alias.version}`;
  const headline = `Rolled back ${name} from ${from} to version ${after.version} (${release}); requested by ${who}: ${why}`;
  results.push({
    id: 'rollback.outcome',
    gate: 'rollback',
    status: 'pass',
    observed: after.version,
    expected: resolved.version,
    message: headline,
    details: {
      from: { version: alias.version, additionalWeights: alias.additionalWeights },
      to: { version: after.version, additionalWeights: after.additionalWeights, revisionId: after.revisionId },
      release: resolved.record,
      actor: who,
      reason: why,
      forced: inProgress,
      ...(description !== undefined ? { history: parsePromotionHistory(description) ?? [] } : {}),
    },
  });
  deps.log(headline);
  if (deps.recordOnRegistry) {
    results.push(
      ...(await deps.recordOnRegistry({
        ...(resolved.record.tag !== undefined ? { releaseTag: resolved.record.tag } : {}),
        targetVersion: after.version,
        target: name,
        reason: `manual rollback to version ${after.version} (${release}) by ${who}: ${why}`,
      })),
    );
  }
  return finish('rolled-back-manually', 0, headline);
}

/**
 * The release tags recorded apart from version descriptions (reused versions). Reading them is
 * an extra permission (lambda:ListTags): without it the descriptions still resolve most tags,
 * so a failure is a note in the log, not a failed rollback.
 */
async function releaseTags(deps: ManualRollbackDeps): Promise<ReleaseTagRecord[]> {
  if (deps.target.listReleaseTags === undefined) return [];
  try {
    return await deps.target.listReleaseTags();
  } catch (error) {
    deps.log(`Could not read the release tags recorded on ${deps.target.describe()} (${asError(error).message}); resolving from version descriptions only.`);
    return [];
  }
}

function describeRelease(record: ReleaseRecord): string {
  const parts = [record.tag ? `tag ${record.tag}` : undefined, record.sha ? `commit ${record.sha.slice(0, 12)}` : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no tag or commit recorded';
}
