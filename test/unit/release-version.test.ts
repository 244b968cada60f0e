import { parseVersion, planReleaseVersion, versionOfTag } from '../../src/release/version.js';
import type { Bump } from '../../src/trigger/types.js';

const plan = (tags: string[], bump: Bump, pattern = 'model-v{version}', initialVersion = '0.1.0') => planReleaseVersion({ tags, pattern, bump, initialVersion });

describe('planReleaseVersion', () => {
  it('starts at the initial version when no tag matches the pattern, whatever the bump', () => {
    expect(plan([], 'minor')).toEqual({ version: '0.1.0', tag: 'model-v0.1.0', rule: 'first release: no tag matches model-v{version}, so the initial version 0.1.0' });
    expect(plan(['v3.0.0', 'model-v2', 'release-2026-03-01'], 'major', 'model-v{version}', '1.0.0')).toMatchObject({ version: '1.0.0', tag: 'model-v1.0.0' });
    expect(plan([], 'patch')).not.toHaveProperty('previous');
  });

  it.each<[Bump, string]>([
    ['major', '2.0.0'],
    ['minor', '1.5.0'],
    ['patch', '1.4.3'],
    // A forced release with no matched commit releases a patch.
    ['none', '1.4.3'],
  ])('%s bump of model-v1.4.2 → %s', (bump, version) => {
    const planned = plan(['model-v1.4.2', 'model-v1.3.9'], bump);
    expect(planned).toMatchObject({ version, tag: `model-v${version}`, previous: { tag: 'model-v1.4.2', version: '1.4.2' } });
    expect(planned.rule).toBe(`${bump === 'none' ? 'patch' : bump} bump of model-v1.4.2`);
  });

  it('bumps the highest version in semver order, not the newest or the highest string', () => {
    // GitHub lists tags in its own order; 1.10.0 > 1.9.0 > 1.2.0 although "1.9" > "1.10" as text.
    expect(plan(['model-v1.9.0', 'model-v1.10.0', 'model-v1.2.0'], 'patch')).toMatchObject({ version: '1.10.1', previous: { tag: 'model-v1.10.0' } });
    expect(plan(['model-v0.9.12', 'model-v0.10.0'], 'minor').version).toBe('0.11.0');
    expect(plan(['model-v0.3.1'], 'major').version).toBe('1.0.0');
  });

  it('ignores pre-releases, even above the highest release', () => {
    expect(plan(['model-v1.4.2', 'model-v2.0.0-rc.1', 'model-v1.5.0-beta'], 'minor')).toMatchObject({ version: '1.5.0', previous: { tag: 'model-v1.4.2' } });
    // Only pre-releases: none counts, so the first release is the initial version.
    expect(plan(['model-v1.0.0-rc.1'], 'minor').version).toBe('0.1.0');
  });

  it('ignores tags that do not match the pattern or carry no full version', () => {
    const tags = ['v9.0.0', 'model-v7', 'model-v7.1', 'model-v01.2.3', 'xmodel-v8.0.0', 'model-v8.0.0.1', 'model-v1.2.0', 'other/model-v5.0.0'];
    expect(plan(tags, 'patch')).toMatchObject({ version: '1.2.1', previous: { tag: 'model-v1.2.0' } });
  });

  it('counts a version with build metadata by its version', () => {
    expect(plan(['model-v1.2.0+build.7', 'model-v1.1.0'], 'patch')).toMatchObject({ version: '1.2.1', previous: { tag: 'model-v1.2.0+build.7', version: '1.2.0' } });
  });

  it('works with a prefix, a suffix, both, or neither', () => {
    expect(plan(['churn-api/1.0.0', 'churn-api/1.1.0', 'fraud-api/4.0.0'], 'minor', 'churn-api/{version}')).toMatchObject({ tag: 'churn-api/1.2.0' });
    expect(plan(['1.0.0-model', '2.0.0-model', '3.0.0'], 'patch', '{version}-model')).toMatchObject({ tag: '2.0.1-model', previous: { tag: '2.0.0-model' } });
    expect(plan(['v1.0.0-model', 'v1.3.0-model', 'v1.3.0-model-rc'], 'major', 'v{version}-model')).toMatchObject({ tag: 'v2.0.0-model' });
    expect(plan(['1.0.0', 'v4.0.0'], 'minor', '{version}')).toMatchObject({ tag: '1.1.0' });
  });
});

describe('versionOfTag and parseVersion', () => {
  const parts = (tag: string, pattern = 'model-v{version}') => {
    const v = versionOfTag(pattern, tag);
    return v && { major: v.major, minor: v.minor, patch: v.patch, prerelease: v.prerelease, build: v.build };
  };

  it('reads a version out of a tag only when prefix and suffix match exactly', () => {
    expect(parts('model-v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [], build: [] });
    expect(parts('model-v1.2.3-rc.1')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', 1], build: [] });
    expect(parts('model-v1.2.3-rc.1+sha.5e1ea5e')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', 1], build: ['sha', '5e1ea5e'] });
    expect(versionOfTag('model-v{version}', 'model-v')).toBeUndefined();
    expect(versionOfTag('v{version}-api', 'v1.2.3-apx')).toBeUndefined();
    expect(versionOfTag('model', 'model')).toBeUndefined();
  });

  it('takes a `v` only from the pattern: the version part is exactly major.minor.patch[-pre][+build]', () => {
    expect(parts('v1.2.3', 'v{version}')).toMatchObject({ major: 1, minor: 2, patch: 3 });
    expect(versionOfTag('{version}', 'v1.2.3')).toBeUndefined();
    expect(versionOfTag('model-v{version}', 'model-vv1.2.3')).toBeUndefined();
    expect(versionOfTag('model-v{version}', 'model-V1.2.3')).toBeUndefined();
    expect(versionOfTag('{version}', '=1.2.3')).toBeUndefined();
  });

  it.each(['1.2', '1', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3.4', ' 1.2.3', '1.2.3 ', '1.2.3-rc..1', `${Number.MAX_SAFE_INTEGER}0.0.0`, 'latest'])(
    'rejects %j',
    (text) => {
      expect(parseVersion(text)).toBeUndefined();
    },
  );

  it.each(['0.0.0', '1.2.3', '1.2.3-0', '1.2.3-alpha.1', '1.2.3-x-y-z.--', '1.2.3+build.7', '1.2.3-rc.1+exp.sha.5114f85', '1.0.0-0A.is.legal'])('accepts %j', (text) => {
    expect(parseVersion(text)).toBeDefined();
  });

  it('orders by semver precedence: a release above its pre-releases, numeric identifiers as numbers, build metadata ignored', () => {
    const versions = ['1.0.0', '1.0.0-rc.1', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-alpha', '0.9.9', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta'];
    const sorted = versions.map((v) => parseVersion(v)!).sort((a, b) => a.compare(b)).map((v) => v.version);
    expect(sorted).toEqual(['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
    expect(parseVersion('1.2.0+build.7')!.compare(parseVersion('1.2.0')!)).toBe(0);
  });
});

describe('planReleaseVersion with pre-releases, build metadata and v prefixes', () => {
  it('bumps the highest stable release, never a pre-release, even one above it', () => {
    expect(plan(['model-v2.0.0-rc.1', 'model-v1.9.9', 'model-v2.0.0-rc.2+build.1'], 'major')).toMatchObject({ version: '2.0.0', previous: { tag: 'model-v1.9.9' } });
    expect(plan(['model-v1.4.2-beta', 'model-v1.4.1'], 'patch').version).toBe('1.4.2');
  });

  it('drops build metadata from the bumped version and reports the previous version without it', () => {
    expect(plan(['model-v1.2.0+build.7'], 'minor')).toMatchObject({ version: '1.3.0', tag: 'model-v1.3.0', previous: { tag: 'model-v1.2.0+build.7', version: '1.2.0' } });
  });

  it('two tags of the same version keep the first one listed', () => {
    expect(plan(['model-v1.2.0+a', 'model-v1.2.0', 'model-v1.2.0+b'], 'patch').previous).toEqual({ tag: 'model-v1.2.0+a', version: '1.2.0' });
  });

  it('a `v` pattern reads only its own tags', () => {
    expect(plan(['v1.0.0', 'v1.1.0', 'vv9.0.0', '2.0.0', 'model-v3.0.0'], 'patch', 'v{version}')).toMatchObject({ version: '1.1.1', tag: 'v1.1.1', previous: { tag: 'v1.1.0' } });
  });

  it('does not count tags that merely contain a version', () => {
    expect(plan(['model-v1.2.3-hotfix-old', 'model-v1.2.3x', 'pre-model-v5.0.0', 'model-v5.0.0/extra'], 'patch')).toMatchObject({ version: '0.1.0' });
  });
});
