import { readFileSync } from 'node:fs';
import { TOOL_VERSION } from '../../src/core/version.js';

describe('TOOL_VERSION', () => {
  it('is the package version, so reports and --version name what was installed', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
