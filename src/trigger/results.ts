/**
 * The trigger gate's verdict in the shapes the rest of the product speaks: check results for
 * the reporters, and the step outputs (`release`, `bump`, `reason`, `commits`) for the pipeline.
 */
import type { TriggerConfig } from '../config/types.js';
import type { CheckResult } from '../report/result.js';
import type { ReleaseDecision } from './types.js';

/** Where the commits came from (a `CommitCollection` without its commits). */
export interface CommitSourceNote {
  source: string;
  warnings: string[];
}

/**
 * One `trigger.release` result (pass when releasing, skip when not: nothing to release is not
 * a failure), then one `warn` result per warning from the commit source, so a shallow clone
 * that hid commits is visible next to the decision it may have changed.
 * Pass `config` to spell out the rule in `expected`.
 */
export function triggerResults(
  decision: ReleaseDecision,
  source: CommitSourceNote,
  config?: TriggerConfig,
): CheckResult[] {
  const release: CheckResult = {
    id: 'trigger.release',
    gate: 'trigger',
    status: decision.release ? 'pass' : 'skip',
    observed: decision.matched.length,
    expected: config
      ? `at least 1 commit with type in [${config.types.join(', ')}] and scope in [${config.scopes.join(', ')}]`
      : 'at least 1 commit with a releasing type in scope',
    message: decision.reason,
    details: {
      release: decision.release,
      bump: decision.bump,
      considered: decision.considered,
      source: source.source,
      matched: decision.matched,
    },
  };
  const warnings = source.warnings.map(
    (warning, index): CheckResult => ({
      id: `trigger.warning-${index + 1}`,
      gate: 'trigger',
      status: 'warn',
      message: warning,
      details: { source: source.source },
    }),
  );
  return [release, ...warnings];
}

/** The trigger's step outputs; `commits` is a JSON array of the matched commits. */
export function triggerOutputs(decision: ReleaseDecision): Record<string, string> {
  return {
    release: String(decision.release),
    bump: decision.bump,
    reason: decision.reason,
    commits: JSON.stringify(
      decision.matched.map(({ sha, header, type, scope, breaking }) => ({ sha, header, type, scope, breaking })),
    ),
  };
}
