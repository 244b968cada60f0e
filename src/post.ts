// GitHub Action post step (post-if: always()): never leave a half-shifted alias behind, nor a
// deployment that shows "in progress" forever after the main step was killed.
import { defaultTargetFactory } from './app.js';
import { actionsLogger, actionsStateStore, closeAbandonedGitHubDeployment } from './platform/github.js';
import { recoverUnfinishedRollout } from './recover.js';

const createTarget = defaultTargetFactory(process.env);
process.exitCode = await recoverUnfinishedRollout({ state: actionsStateStore, log: actionsLogger, createTarget });
await closeAbandonedGitHubDeployment(createTarget);
