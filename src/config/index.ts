/** The configuration module's public surface: loading, errors, overrides, durations, plans. */
export { DEFAULT_CONFIG_FILE, loadConfig, parseConfigText } from './load.js';
export type { ConfigLoadResult, LoadConfigOptions } from './load.js';
export { formatConfigError } from './errors.js';
export type { ConfigError } from './errors.js';
export type { ConfigOverride } from './overrides.js';
export { configSchema } from './schema.js';
export { DURATION_HINT, formatDuration, parseDuration } from './duration.js';
export { DEFAULT_PRESET } from './defaults.js';
export { parsePreset } from './plan.js';
export type { PresetResult } from './plan.js';
export type * from './types.js';
