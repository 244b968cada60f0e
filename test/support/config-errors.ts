/** Config texts as tests write them, and their errors as the user sees them (file:line:column key: message). */
import { formatConfigError, parseConfigText } from '../../src/config/load.js';

export const CONFIG_FILE = 'model-release.yml';

/** Lines joined, so the line numbers in expectations can be counted in the source. */
export const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

/** Every error of an invalid config; throws when the config is valid. */
export function configErrors(text: string): string[] {
  const result = parseConfigText(text, CONFIG_FILE);
  if (result.ok) throw new Error(`expected errors, got a valid config: ${JSON.stringify(result.config)}`);
  return result.errors.map(formatConfigError);
}
