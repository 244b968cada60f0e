/**
 * Release tags kept as Lambda function tags, for versions whose description cannot name the
 * release: a version description is written when the version is published and is immutable,
 * and Lambda answers a PublishVersion of unchanged code and configuration with the existing
 * version (an explicit `--target-version` deploy publishes nothing at all). One function tag per such
 * release: key `model-release-gate:tag:<release tag>`, value `<version>` or `<version> sha=<sha>`.
 *
 * Why function tags and not the alias description: the alias description is 256 characters
 * and already carries the promotion history (src/rollback/history.ts); a tag per release is
 * independent of it, survives alias changes, and is read with one ListTags call.
 *
 * Limits (Lambda): 50 tags per function, user tags included; keys of at most 128 characters
 * (so release tags of at most 105), values of at most 256, letters, digits, spaces and
 * `_ . : / = + - @` only (every character a release tag may hold, src/rollback/resolve.ts).
 * Only releases that need it get a tag (most publish a new version whose description names
 * them), so the budget lasts; when it is spent, TagResource fails and the release stops before
 * any traffic moves, naming the limit. Pure.
 */
import type { ReleaseTagRecord } from './target.js';

export const RELEASE_TAG_KEY_PREFIX = 'model-release-gate:tag:';
export const TAG_KEY_LIMIT = 128;
export const TAG_VALUE_LIMIT = 256;
/** Characters Lambda accepts in tag keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The function tag that records `record`, or an error message when it cannot be expressed as one. */
export function releaseTagEntry(record: ReleaseTagRecord): { key: string; value: string } | { error: string } {
  const key = `${RELEASE_TAG_KEY_PREFIX}${record.tag}`;
  const value = record.sha !== undefined ? `${record.version} sha=${record.sha}` : record.version;
  if (key.length > TAG_KEY_LIMIT) {
    return { error: `release tag '${record.tag}' is longer than ${TAG_KEY_LIMIT - RELEASE_TAG_KEY_PREFIX.length} characters, too long for a Lambda tag key` };
  }
  if (!TAG_CHARACTERS.test(key) || !TAG_CHARACTERS.test(value) || value.length > TAG_VALUE_LIMIT) {
    return { error: `release tag '${record.tag}' holds characters a Lambda tag cannot` };
  }
  return { key, value };
}

/** The release records among a function's tags (other tags are ignored). */
export function parseReleaseTags(tags: Record<string, string>): ReleaseTagRecord[] {
  const records: ReleaseTagRecord[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (!key.startsWith(RELEASE_TAG_KEY_PREFIX)) continue;
    const tag = key.slice(RELEASE_TAG_KEY_PREFIX.length);
    // A Lambda version number, or a SageMaker model name (src/targets/sagemaker.ts keeps its records the same way).
    const match = /^([a-zA-Z0-9](?:-*[a-zA-Z0-9])*)(?:\s+sha=([0-9a-fA-F]+))?\s*$/.exec(value);
    if (tag === '' || !match?.[1]) continue;
    records.push({ tag, version: match[1], ...(match[2] !== undefined ? { sha: match[2].toLowerCase() } : {}) });
  }
  return records;
}
