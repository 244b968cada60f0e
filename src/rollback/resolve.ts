/**
 * Resolving a manual rollback's `to` (a release tag, a commit SHA, or `previous`) to a Lambda
 * version, from what each release wrote into the version it published: the description
 * `model-release-gate sha=<sha> tag=<tag>` (see `versionDescription` in src/pipeline.ts).
 * Pure: the versions come in as data, the answer goes out as a value (never thrown).
 */

import type { PublishedVersion, ReleaseTagRecord } from '../targets/target.js';
import { parsePromotionHistory, promotedBefore } from './history.js';

/** What a release recorded in a version it published. */
export interface ReleaseRecord {
  version: string;
  sha?: string;
  tag?: string;
}

/** A parsed, validated `to`. */
export type RollbackRequestTarget = { kind: 'previous' } | { kind: 'ref'; value: string; mayBeSha: boolean };

/** A commit SHA as users paste it: 7 to 40 hex digits (an abbreviation matches by prefix). */
export const SHA_PATTERN = /^[0-9a-f]{7,40}$/i;

/**
 * A release tag: a git tag name restricted to the characters release tags use, e.g. `v1.4.0`,
 * `model-v12`, `release/2026-03-01`. It rejects what git rejects (`..`, a trailing `.lock` or
 * `/`, a leading `-` or `.`) and every shell metacharacter, so the value is safe in any log.
 */
export const TAG_PATTERN = /^(?![-./])(?!.*(?:\.\.|\/\/|\/\.|\.lock$|[./]$))[A-Za-z0-9._/+-]{1,128}$/;

/** Parses `to`; returns an error message when the value is neither `previous`, a SHA nor a tag. */
export function parseRollbackTo(raw: string): { ok: true; target: RollbackRequestTarget } | { ok: false; message: string } {
  const value = raw.trim();
  if (value === '') {
    return { ok: false, message: "rollback needs 'to': a release tag (e.g. model-v1.4.0), a commit SHA (7 to 40 hex digits), or 'previous'." };
  }
  if (value === 'previous') return { ok: true, target: { kind: 'previous' } };
  const mayBeSha = SHA_PATTERN.test(value);
  if (!mayBeSha && !TAG_PATTERN.test(value)) {
    return {
      ok: false,
      message: `'to' must be a release tag (letters, digits, '.', '_', '-', '+', '/'; e.g. model-v1.4.0), a commit SHA (7 to 40 hex digits), or 'previous'; got '${printable(value)}'.`,
    };
  }
  return { ok: true, target: { kind: 'ref', value, mayBeSha } };
}

/**
 * The release record in a version description, or undefined for a version that
 * model-release-gate did not publish (console, another tool, the simulator's initial versions).
 */
export function parseReleaseDescription(version: string, description: string): ReleaseRecord | undefined {
  const words = description.trim().split(/\s+/);
  if (words[0] !== 'model-release-gate') return undefined;
  const record: ReleaseRecord = { version };
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    if (eq <= 0) continue;
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key === 'sha' && value !== '') record.sha = value.toLowerCase();
    else if (key === 'tag' && value !== '') record.tag = value;
  }
  return record;
}

/**
 * The age order of versions: Lambda's version numbers, or, for a target whose versions are
 * names (SageMaker models), their place in `listVersions`, which lists them oldest first.
 * `$LATEST` and names the target did not list sort out.
 */
function versionOrder(versions: readonly PublishedVersion[]): (version: string) => number {
  const position = new Map(versions.map((v, i) => [v.version, i]));
  const numbered = versions.length > 0 && versions.every((v) => /^\d+$/.test(v.version));
  return (version) => (numbered ? (/^\d+$/.test(version) ? Number(version) : Number.NaN) : (position.get(version) ?? Number.NaN));
}

export type Resolution =
  | { ok: true; version: string; record: ReleaseRecord; rule: string }
  /** `reason`: `invalid` (bad input), `not-found` (no such release), `ambiguous` (SHA prefix). */
  | { ok: false; reason: 'not-found' | 'ambiguous'; message: string };

/**
 * Resolves `to` against the function's versions.
 * - tag: the version whose record has exactly that tag;
 * - SHA: the version whose record's SHA is, or starts with, the value (lower-cased); an
 *   abbreviation that matches two different commits is refused as ambiguous;
 * - a value that is both a valid tag and hex is tried as a tag first, then as a SHA;
 * - when several versions carry the same release (the same commit released twice), the newest wins;
 * - release tags recorded apart from the descriptions (`tagged`: a reused version's, whose
 *   description names an earlier release) count like description records, for versions that exist;
 * - `previous`: the version that served right before the current one, by the history the alias
 *   description carries (src/rollback/history.ts: promotions and manual rollbacks keep it), so
 *   releases that were rolled back, automatically or by hand, are skipped;
 *   on an alias without that history (or whose current version is not in it: changed by hand),
 *   the newest release-recorded version numbered below the current one, and the rule says so.
 */
export function resolveRollbackTarget(
  target: RollbackRequestTarget,
  versions: PublishedVersion[],
  currentVersion: string,
  aliasDescription?: string,
  tagged: readonly ReleaseTagRecord[] = [],
): Resolution {
  const exists = new Set(versions.map((v) => v.version));
  const versionNumber = versionOrder(versions);
  const records = [
    ...versions.map((v) => parseReleaseDescription(v.version, v.description)),
    ...tagged.filter((t) => exists.has(t.version)).map((t): ReleaseRecord => ({ version: t.version, tag: t.tag, ...(t.sha !== undefined ? { sha: t.sha } : {}) })),
  ]
    .filter((r): r is ReleaseRecord => r !== undefined && Number.isFinite(versionNumber(r.version)))
    .sort((a, b) => versionNumber(b.version) - versionNumber(a.version)); // newest first

  if (target.kind === 'previous') {
    const history = parsePromotionHistory(aliasDescription);
    const before = history ? promotedBefore(history, currentVersion) : undefined;
    if (before !== undefined) {
      if (!versions.some((v) => v.version === before)) {
        return {
          ok: false,
          reason: 'not-found',
          message: `The alias's promotion history says version ${before} was promoted before version ${currentVersion}, but version ${before} no longer exists. Name a tag or SHA instead.`,
        };
      }
      const record = records.find((r) => r.version === before) ?? { version: before };
      return { ok: true, version: before, record, rule: `the alias's promotion history (version ${before} was promoted before ${currentVersion})` };
    }
    const current = versionNumber(currentVersion);
    const previous = records.find((r) => versionNumber(r.version) < current);
    if (!previous) {
      return {
        ok: false,
        reason: 'not-found',
        message: `There is no release before version ${currentVersion}: no older version has a model-release-gate release record (sha=/tag= in its description). Name a tag or SHA instead.`,
      };
    }
    const why = !history
      ? 'the alias has no promotion history yet'
      : history.includes(currentVersion)
        ? `the alias's promotion history goes back no further than version ${currentVersion}`
        : `version ${currentVersion} is not in the alias's promotion history`;
    return { ok: true, version: previous.version, record: previous, rule: `the newest release below the current version ${currentVersion} (${why}; a release rolled back automatically would count too)` };
  }

  const byTag = records.filter((r) => r.tag === target.value);
  if (byTag[0]) return { ok: true, version: byTag[0].version, record: byTag[0], rule: `tag ${target.value}` + newestNote(byTag) };

  if (target.mayBeSha) {
    const prefix = target.value.toLowerCase();
    const bySha = records.filter((r) => r.sha !== undefined && r.sha.startsWith(prefix));
    const commits = [...new Set(bySha.map((r) => r.sha))];
    if (commits.length > 1) {
      return {
        ok: false,
        reason: 'ambiguous',
        message: `'${target.value}' matches ${commits.length} released commits (${commits.map((c) => c?.slice(0, 12)).join(', ')}); give more digits of the SHA.`,
      };
    }
    if (bySha[0]) return { ok: true, version: bySha[0].version, record: bySha[0], rule: `commit ${bySha[0].sha}` + newestNote(bySha) };
  }

  const known = records
    .slice(0, 5)
    .map((r) => `${r.version} (${[r.tag, r.sha?.slice(0, 12)].filter(Boolean).join(', ') || 'no tag'})`)
    .join('; ');
  const what = target.mayBeSha ? `tag or commit '${target.value}'` : `tag '${target.value}'`;
  return {
    ok: false,
    reason: 'not-found',
    message: `No published version was released from ${what}.${known ? ` Newest releases: ${known}.` : ' No version has a model-release-gate release record.'}`,
  };
}

function newestNote(matches: ReleaseRecord[]): string {
  return matches.length > 1 ? ` (${matches.length} versions carry it; the newest, ${matches[0]?.version}, was chosen)` : '';
}

/** The value with control characters made visible, cut to a readable length. */
function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}
