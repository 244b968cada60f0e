/**
 * The next release version and its tag name, from the existing tags and the trigger's bump.
 * Pure: tag names come in as data. A tag counts when it matches the pattern (e.g.
 * `model-v{version}`) with a stable semantic version in place of `{version}`; pre-releases
 * (`model-v1.4.0-rc.1`) and tags of other shapes are ignored. Order is semver precedence.
 */
import type { Bump } from '../trigger/types.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated pre-release identifiers; empty for a stable version. */
  prerelease: string[];
}

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

const NUMBER = '0|[1-9]\\d*';
const IDENTIFIER = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
/** Semantic Versioning 2.0.0, https://semver.org: major.minor.patch[-pre.release][+build.metadata]. */
const SEMVER = new RegExp(`^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);

/** Parses a semantic version (build metadata is accepted and ignored); undefined otherwise. */
export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [, major, minor, patch, prerelease] = match;
  const numbers = [major, minor, patch].map(Number);
  if (!numbers.every(Number.isSafeInteger)) return undefined;
  return { major: numbers[0] ?? 0, minor: numbers[1] ?? 0, patch: numbers[2] ?? 0, prerelease: prerelease ? prerelease.split('.') : [] };
}

/** Semver precedence: negative when a < b. Build metadata never counts. */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  // A pre-release sorts below its release; identifiers compare numerically when numeric.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (xNum !== yNum) return xNum ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function formatSemver(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease.length > 0 ? `${core}-${version.prerelease.join('.')}` : core;
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
  return parseSemver(tag.slice(prefix.length, tag.length - suffix.length));
}

/**
 * The next version after `previous` for `bump`: major → (M+1).0.0, minor → M.(m+1).0, patch →
 * M.m.(p+1). `none` (a forced release with no matched commit) counts as a patch. The same rule
 * holds below 1.0.0: a breaking change to a 0.x model API is still a major bump.
 */
export function bumpVersion(previous: SemVer, bump: Bump): SemVer {
  switch (bump) {
    case 'major':
      return { major: previous.major + 1, minor: 0, patch: 0, prerelease: [] };
    case 'minor':
      return { major: previous.major, minor: previous.minor + 1, patch: 0, prerelease: [] };
    case 'patch':
    case 'none':
      return { major: previous.major, minor: previous.minor, patch: previous.patch + 1, prerelease: [] };
  }
}

/**
 * Plans the release version: the highest stable tag matching `pattern`, bumped; or
 * `initialVersion` when no tag matches yet (the first release is that version whatever the bump).
 */
export function planReleaseVersion(request: { tags: readonly string[]; pattern: string; bump: Bump; initialVersion: string }): ReleaseVersionPlan {
  let previous: { tag: string; version: SemVer } | undefined;
  for (const tag of request.tags) {
    const version = versionOfTag(request.pattern, tag);
    if (!version || version.prerelease.length > 0) continue;
    if (!previous || compareSemver(version, previous.version) > 0) previous = { tag, version };
  }
  if (!previous) {
    const version = request.initialVersion;
    return { version, tag: formatTag(request.pattern, version), rule: `first release: no tag matches ${request.pattern}, so the initial version ${version}` };
  }
  const bump = request.bump === 'none' ? 'patch' : request.bump;
  const version = formatSemver(bumpVersion(previous.version, bump));
  return {
    version,
    tag: formatTag(request.pattern, version),
    previous: { tag: previous.tag, version: formatSemver(previous.version) },
    rule: `${bump} bump of ${previous.tag}`,
  };
}
