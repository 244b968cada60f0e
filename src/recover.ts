/**
 * After the main process is gone (cancelled, crashed, even SIGKILL), restore a safe alias:
 * the GitHub post step and the GitLab after_script both run this. It only acts when saved
 * state says a rollout was still shifting, and only while the alias still routes to our
 * candidate, so it never undoes someone else's change.
 */
import type { TargetConfig } from './config/types.js';
import type { StateStore } from './core/state.js';
import type { Logger } from './platform/types.js';
import { errorMessage } from './pipeline.js';
import { restoreSafety } from './rollout/recovery.js';
import type { RolloutTarget } from './targets/target.js';

export interface RecoverDeps {
  state: StateStore;
  log: Logger;
  createTarget: (config: TargetConfig) => RolloutTarget;
}

/** Returns the exit code: 0 when nothing was needed or the rollback succeeded, 1 otherwise. */
export async function recoverUnfinishedRollout(deps: RecoverDeps): Promise<number> {
  const savedTarget = await deps.state.load('target');
  if (!savedTarget) {
    deps.log.info('No rollout was started by this job: nothing to restore.');
    return 0;
  }
  try {
    const target = deps.createTarget(JSON.parse(savedTarget) as TargetConfig);
    const result = await restoreSafety({ target, state: deps.state, log: (line) => deps.log.info(line) });
    if (result.action === 'rolled-back') deps.log.warn(`Unfinished rollout rolled back: ${result.reason}`);
    else deps.log.info(result.reason);
    return 0;
  } catch (error) {
    deps.log.error(`Could not restore the alias after an unfinished rollout: ${errorMessage(error)}. Check it by hand now.`);
    return 1;
  }
}
