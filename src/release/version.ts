/**
 * The next release version and its tag name, from the existing tags and the trigger's bump.
 * Pure: tag names come in as data. A tag counts when it matches the pattern (e.g.
 * `model-v{version}`) with a stable semantic version in place of `{version}`; pre-releases
 * (`model-v1.4.0-rc.1`) and tags of other shapes are ignored. Parsing, precedence and bumps
 * are the `semver` package's (the one npm and semantic-release use), in its strict mode.
 */
import semver from 'semver';
import type { SemVer } from 'semver';
import type { Bump } from '../trigger/types.js';

/** The previous release and the next one, as computed before anything is published. */
export interface ReleaseVersionPlan {
  /** e.g. `1.4.0`. */
  version: string;
  /** The pattern with the version filled in, e.g. `model-v1.4.0`. */
  tag: string;
  /** The highest existing stable tag matching the pattern, when there is one. */
  previous?: { tag: string; version: string };
  /** How the version was found, for the report: "minor bump of model-v1.3.2". */
  rule: string;
}

/**
 * Parses exactly a Semantic Versioning 2.0.0 version (build metadata is kept and ignored in
 * precedence); undefined otherwise. Stricter than `semver.parse`, which also takes `v1.2.3`,
 * `=1.2.3` and surrounding blanks: under the pattern `{version}` the tag `v4.0.0` is not a
 * release, and `model-vv1.2.3` is not one under `model-v{version}`.
 */
export function parseVersion(text: string): SemVer | undefined {
  const version = semver.parse(text);
  if (version === null) return undefined;
  const written = version.build.length > 0 ? `${version.version}+${version.build.join('.')}` : version.version;
  return written === text ? version : undefined;
}

/** The tag of `version` under `pattern` (`model-v{version}` → `model-v1.4.0`). */
export function formatTag(pattern: string, version: string): string {
  return pattern.replace('{version}', version);
}

/** The version a tag carries under `pattern`, or undefined when the tag does not match it. */
export function versionOfTag(pattern: string, tag: string): SemVer | undefined {
  const at = pattern.indexOf('{version}');
  if (at < 0) return undefined;
  const prefix = pattern.slice(0, at);
  const suffix = pattern.slice(at + '{version}'.length);
  if (tag.length <= prefix.length + suffix.length || !tag.startsWith(prefix) || !tag.endsWith(suffix)) return undefined;
  return parseVersion(tag.slice(prefix.length, tag.length - suffix.length));
}

/**
 * The next version after `previous` for `bump`: major → (M+1).0.0, minor → M.(m+1).0, patch →
 * M.m.(p+1); build metadata is dropped. `none` (a forced release with no matched commit) counts
 * as a patch. The same rule holds below 1.0.0: a breaking change to a 0.x model API is still a
 * major bump.
 */
export function bumpVersion(previous: SemVer, bump: Bump): string {
  const next = semver.inc(previous.version, bump === 'none' ? 'patch' : bump);
  // inc only fails on an invalid version, and `previous` was parsed by semver itself.
  if (next === null) throw new Error(`cannot bump ${previous.version} (${bump})`);
  return next;
}

/**
 * Plans the release version: the highest stable tag matching `pattern` (semver precedence),
 * bumped; or `initialVersion` when no tag matches yet (the first release is that version
 * whatever the bump). Two tags of the same version (`1.2.0` and `1.2.0+build.7`) keep the one
 * listed first.
 */
export function planReleaseVersion(request: { tags: readonly string[]; pattern: string; bump: Bump; initialVersion: string }): ReleaseVersionPlan {
  let previous: { tag: string; version: SemVer } | undefined;
  for (const tag of request.tags) {
    const version = versionOfTag(request.pattern, tag);
    if (!version || version.prerelease.length > 0) continue;
    if (!previous || semver.gt(version, previous.version)) previous = { tag, version };
  }
  if (!previous) {
    const version = request.initialVersion;
    return { version, tag: formatTag(request.pattern, version), rule: `first release: no tag matches ${request.pattern}, so the initial version ${version}` };
  }
  const bump = request.bump === 'none' ? 'patch' : request.bump;
  const version = bumpVersion(previous.version, bump);
  return {
    version,
    tag: formatTag(request.pattern, version),
    previous: { tag: previous.tag, version: previous.version.version },
    rule: `${bump} bump of ${previous.tag}`,
  };
}
