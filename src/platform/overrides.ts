/**
 * Inputs and flags that override config keys. One table for the action and the CLI, so the
 * two front doors cannot drift apart.
 */
import type { ConfigOverride } from '../config/load.js';
import { UsageError } from './types.js';

/** Input/flag name → dotted config path. */
export const CONFIG_OVERRIDES: Record<string, string> = {
  'target-type': 'target.type',
  'function-name': 'target.function-name',
  alias: 'target.alias',
  'endpoint-name': 'target.endpoint-name',
  region: 'target.region',
  // Not `version`: the CLI's global --version prints the tool's own version.
  'target-version': 'target.version',
  preset: 'rollout.preset',
  'dry-run': 'dry-run',
  'report-path': 'report.json',
  'junit-path': 'report.junit',
  'dotenv-path': 'report.dotenv',
};

/**
 * Parse `key=value` lines (the `set` input, repeated `--set` flags) into overrides.
 * Keys are dotted config paths such as `rollout.step`.
 */
export function parseSetOverrides(lines: string[], source: string): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new UsageError(`${source}: expected key=value (e.g. rollout.step=20), got '${line}'`);
    const path = line.slice(0, eq).trim();
    if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/.test(path)) {
      throw new UsageError(`${source}: '${path}' is not a config key path (expected e.g. rollout.step or target.alias)`);
    }
    overrides.push({ path, value: line.slice(eq + 1).trim(), source: `${source} '${path}'` });
  }
  return overrides;
}
