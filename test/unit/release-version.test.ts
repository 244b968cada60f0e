import { compareSemver, parseSemver, planReleaseVersion, versionOfTag } from '../../src/release/version.js';
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

describe('versionOfTag and compareSemver', () => {
  it('reads a version out of a tag only when prefix and suffix match exactly', () => {
    expect(versionOfTag('model-v{version}', 'model-v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(versionOfTag('model-v{version}', 'model-v1.2.3-rc.1')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', '1'] });
    expect(versionOfTag('model-v{version}', 'model-v')).toBeUndefined();
    expect(versionOfTag('v{version}-api', 'v1.2.3-apx')).toBeUndefined();
  });

  it('orders by semver precedence', () => {
    const sorted = ['1.0.0', '1.0.0-rc.1', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-alpha', '0.9.9', '1.0.0-alpha.1']
      .map((v) => ({ v, s: parseSemver(v)! }))
      .sort((a, b) => compareSemver(a.s, b.s))
      .map((x) => x.v);
    expect(sorted).toEqual(['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
  });
});
