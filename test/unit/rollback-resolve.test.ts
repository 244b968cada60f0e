import { parseReleaseDescription, parseRollbackTo, resolveRollbackTarget } from '../../src/rollback/resolve.js';
import type { PublishedVersion } from '../../src/targets/target.js';

const SHA_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const SHA_B = 'a1b2c3d4ffff0718293a4b5c6d7e8f9012345678';
const SHA_C = 'c0ffee0000000000000000000000000000000003';

/** Versions as Lambda lists them: two not ours, then releases 3..6 (5 re-released 3's commit). */
const VERSIONS: PublishedVersion[] = [
  { version: '1', description: 'initial upload' },
  { version: '2', description: '' },
  { version: '3', description: `model-release-gate sha=${SHA_A} tag=model-v1.0.0` },
  { version: '4', description: `model-release-gate sha=${SHA_B} tag=model-v1.1.0` },
  { version: '5', description: `model-release-gate sha=${SHA_A.toUpperCase()}` },
  { version: '6', description: `model-release-gate sha=${SHA_C} tag=model-v1.2.0` },
];

function resolve(to: string, current = '6', aliasDescription?: string) {
  const parsed = parseRollbackTo(to);
  if (!parsed.ok) throw new Error(parsed.message);
  return resolveRollbackTarget(parsed.target, VERSIONS, current, aliasDescription);
}

describe('parseRollbackTo', () => {
  it.each(['previous', 'model-v1.0.0', 'v2', 'release/2026-03-01', '1.4.0+build.7', SHA_A, SHA_A.slice(0, 7)])('accepts %s', (value) => {
    expect(parseRollbackTo(value).ok).toBe(true);
  });

  it.each([
    ['', /needs 'to'/],
    ['   ', /needs 'to'/],
    ['v1; rm -rf /', /must be a release tag/],
    ['$(id)', /must be a release tag/],
    ['v1..v2', /must be a release tag/],
    ['-v1', /must be a release tag/],
    ['refs.lock', /must be a release tag/],
    ['tag/', /must be a release tag/],
    ['a'.repeat(129), /must be a release tag/],
    ['v1\nv2', /got 'v1\\x0av2'/],
  ])('rejects %j with a clear message', (value, message) => {
    const parsed = parseRollbackTo(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('treats 7 to 40 hex digits as a possible SHA, shorter hex as a tag only', () => {
    expect(parseRollbackTo('abcdef1')).toEqual({ ok: true, target: { kind: 'ref', value: 'abcdef1', mayBeSha: true } });
    expect(parseRollbackTo('abcdef')).toEqual({ ok: true, target: { kind: 'ref', value: 'abcdef', mayBeSha: false } });
  });
});

describe('parseReleaseDescription', () => {
  it('reads sha and tag from what versionDescription writes, and ignores other descriptions', () => {
    expect(parseReleaseDescription('7', `model-release-gate sha=${SHA_C} tag=model-v2`)).toEqual({ version: '7', sha: SHA_C, tag: 'model-v2' });
    expect(parseReleaseDescription('7', 'model-release-gate')).toEqual({ version: '7' });
    expect(parseReleaseDescription('7', 'built by model-release-gate sha=abc')).toBeUndefined();
    expect(parseReleaseDescription('7', '')).toBeUndefined();
  });
});

describe('resolveRollbackTarget', () => {
  it('resolves a tag to the version that carries it', () => {
    expect(resolve('model-v1.1.0')).toMatchObject({ ok: true, version: '4', record: { tag: 'model-v1.1.0', sha: SHA_B } });
  });

  it('resolves a full SHA case-insensitively, choosing the newest version when a commit was released twice', () => {
    const result = resolve(SHA_A.toUpperCase());
    expect(result).toMatchObject({ ok: true, version: '5' });
    if (result.ok) expect(result.rule).toContain('2 versions carry it');
  });

  it('resolves an unambiguous SHA prefix and refuses an ambiguous one', () => {
    expect(resolve('c0ffee0')).toMatchObject({ ok: true, version: '6' });
    expect(resolve('a1b2c3d4')).toMatchObject({ ok: false, reason: 'ambiguous', message: expect.stringContaining('matches 2 released commits') });
  });

  it('says what exists when nothing matches', () => {
    const result = resolve('model-v9.9.9');
    expect(result).toMatchObject({ ok: false, reason: 'not-found' });
    if (!result.ok) {
      expect(result.message).toContain("No published version was released from tag 'model-v9.9.9'");
      expect(result.message).toContain('6 (model-v1.2.0, c0ffee000000)');
    }
    expect(resolve('deadbeef')).toMatchObject({ ok: false, message: expect.stringContaining("tag or commit 'deadbeef'") });
  });

  it('never resolves to a version without a release record, even by its number', () => {
    expect(resolve('1')).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it("'previous' follows the alias's promotion history, skipping releases that were rolled back", () => {
    // 4 promoted over 2, 5 published and rolled back automatically, 6 promoted over 4.
    const history = 'model-release-gate promoted=6,4,2';
    expect(resolve('previous', '6', history)).toMatchObject({ ok: true, version: '4', rule: "the alias's promotion history (version 4 was promoted before 6)" });
    // After a manual rollback to 4, 'previous' walks further back: 2, which no release published
    // (its record is just the version) — the history is what makes it a safe target.
    expect(resolve('previous', '4', history)).toMatchObject({ ok: true, version: '2', record: { version: '2' } });
    // A history entry whose version was deleted is refused, not skipped.
    expect(resolve('previous', '6', 'model-release-gate promoted=6,9')).toMatchObject({ ok: false, reason: 'not-found', message: expect.stringContaining('version 9 no longer exists') });
    // Current version not in the history (the alias was changed by hand) or at its end: the
    // numeric rule, and the rule says why.
    expect(resolve('previous', '6', 'model-release-gate promoted=4,2')).toMatchObject({
      ok: true,
      version: '5',
      rule: expect.stringContaining("version 6 is not in the alias's promotion history"),
    });
    expect(resolve('previous', '4', 'model-release-gate promoted=6,4')).toMatchObject({ ok: true, version: '3', rule: expect.stringContaining('goes back no further than version 4') });
  });

  it("'previous' without a history is the newest release numbered below the current version", () => {
    expect(resolve('previous', '6')).toMatchObject({ ok: true, version: '5', rule: expect.stringContaining('the alias has no promotion history yet') });
    expect(resolve('previous', '4')).toMatchObject({ ok: true, version: '3' });
    // After a manual rollback to 4, 'previous' goes further back, not forward to 6.
    expect(resolve('previous', '3')).toMatchObject({ ok: false, reason: 'not-found', message: expect.stringContaining('no release before version 3') });
  });
});
