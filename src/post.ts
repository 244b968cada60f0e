// GitHub Action post step (post-if: always()): never leave a half-shifted alias behind.
import { defaultTargetFactory } from './app.js';
import { actionsLogger, actionsStateStore } from './platform/github.js';
import { recoverUnfinishedRollout } from './recover.js';

process.exitCode = await recoverUnfinishedRollout({ state: actionsStateStore, log: actionsLogger, createTarget: defaultTargetFactory(process.env) });
