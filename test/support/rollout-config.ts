/** The rollout config the unit tests start from: linear 10 %/min, poll 15 s, the seed rule. */
import type { RolloutConfig } from '../../src/config/types.js';

const MINUTE = 60_000;

export function rolloutConfig(overrides: Partial<RolloutConfig> = {}): RolloutConfig {
  return {
    plan: { strategy: 'linear', stepPercent: 10, intervalMs: MINUTE },
    pollMs: 15_000,
    finalBakeMs: MINUTE,
    metricDelayMs: MINUTE,
    judge: { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 },
    minInvocations: 10,
    maxExtensionMs: MINUTE,
    onInconclusive: 'rollback',
    onExistingCanary: 'refuse',
    ...overrides,
  };
}
