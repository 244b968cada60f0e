/**
 * Reads a commit message as a conventional commit, tolerantly: people write `Feat (Api): x`,
 * `feat(api, ui): x` and `feat (api) !: x`, and all of them mean the same release to us.
 * Deciding whether that releases is `decide.ts`'s job; this module only says what was written.
 */
import { CommitParser } from 'conventional-commits-parser';
import type { Commit } from 'conventional-commits-parser';
import type { CommitInput } from './types.js';

/** What a reverted commit's header says, read the same way as any header. */
export interface RevertedHeader {
  /** The reverted commit's header as quoted in the revert (e.g. `feat(api): x`). */
  header: string;
  type: string | null;
  scopes: string[];
  breaking: boolean;
}

/** A commit message read as a conventional commit. Type and scopes keep the author's spelling. */
export interface ParsedCommit {
  sha: string;
  /** The first line of the message, trimmed; empty for an empty message. */
  header: string;
  /** As written (`Feat`, `FEAT`), or null when the header is not `type(scope): subject`. */
  type: string | null;
  /** As written, trimmed; `feat(api, ui)` and `feat(ui/api)` both give two scopes. */
  scopes: string[];
  /** `!` before the colon, or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer. */
  breaking: boolean;
  subject: string | null;
  /** Set for git's `Revert "..."` commits and for `revert: <header>`; null otherwise. */
  revert: RevertedHeader | null;
  merge: boolean;
}

/**
 * type, `!`, (scopes), `!`, colon, subject, with optional blanks between each part. The library's
 * default pattern rejects blanks and `!`, so `Feat (Api): x` would silently not release.
 * `!` is accepted on either side of the scope because both spellings occur in the wild.
 * Each blank run belongs to exactly one `\s*`, so a long line of spaces cannot make it backtrack.
 */
const HEADER_PATTERN = /^\s*([A-Za-z][\w-]*)\s*(?:(!)\s*)?(?:\(([^()]*)\)\s*)?(?:(!)\s*)?:\s*(.*)$/;
const HEADER_FIELDS = ['type', 'bangBeforeScope', 'scope', 'bang', 'subject'];

/** Merges made by git, GitHub and GitLab. The parser then reads the *next* line as the header. */
const MERGE_PATTERN =
  /^Merge (?:pull request #\d+|branch(?:es)?\b|remote-tracking branch\b|tag\b|commit\b|[0-9a-f]{7,40}\b)/i;

/**
 * git's `Revert "<header>"` with or without its `This reverts commit <sha>.` body, so that
 * GitHub's revert PRs (`Revert "x" (#12)`, body `Reverts o/r#11`) count too. Matched against
 * the normalised message, so `^` is the first line; the greedy group keeps nested quotes.
 */
const REVERT_PATTERN = /^\s*Revert\s+"([^\n]*)"[ \t]*(?:\(#\d+\)[ \t]*)?(?:\n|$)/;

/** Footer keywords for breaking changes. Upper case only, as the spec says, so prose does not trigger it. */
const BREAKING_KEYWORDS = ['BREAKING CHANGE', 'BREAKING-CHANGE'];

const parser = new CommitParser({
  headerPattern: HEADER_PATTERN,
  headerCorrespondence: HEADER_FIELDS,
  mergePattern: MERGE_PATTERN,
  mergeCorrespondence: [],
  revertPattern: REVERT_PATTERN,
  revertCorrespondence: ['header'],
  noteKeywords: BREAKING_KEYWORDS,
  // Case-sensitive and colon required: "breaking changes are unlikely" in a body is not a footer.
  notesPattern: (keywords) => new RegExp(`^\\s*(${keywords})\\s*:\\s*(.*)`),
  // We never use issue references, and the library's reference regexes take cubic time on long
  // runs of blanks (2,000 spaces: 12 s). Unset (not empty: an empty list matches everything).
  issuePrefixes: undefined,
  referenceActions: undefined,
});

/**
 * Lines handed to the parser are cut to this length: even without references it scans each line
 * in quadratic time (50,000 characters: 0.8 s), and no header or footer keyword is that long.
 */
const MAX_PARSED_LINE = 1_000;

/**
 * Reads one commit message. Never throws: an empty or free-text message gives a commit with
 * no type and no scopes, which simply does not release.
 */
export function parseCommit(input: CommitInput): ParsedCommit {
  const message = normaliseMessage(input.message);
  const header = (message.split('\n')[0] ?? '').trim();
  const empty: ParsedCommit = {
    sha: input.sha,
    header,
    type: null,
    scopes: [],
    breaking: false,
    subject: null,
    revert: null,
    merge: false,
  };
  // The parser rejects blank input with a TypeError; a blank message is just "nothing to see".
  if (message === '') return empty;

  const commit = parser.parse(
    message
      .split('\n')
      .map((line) => line.slice(0, MAX_PARSED_LINE))
      .join('\n'),
  );
  // A merge's conventional fields come from its second line (GitHub puts the PR title there);
  // the merged commits arrive on their own, so the merge itself is never read as a change.
  if (commit.merge) return { ...empty, merge: true };

  const fields = readHeaderFields(commit);
  return {
    ...empty,
    ...fields,
    breaking: fields.breaking || commit.notes.length > 0,
    revert: readRevert(commit, fields),
  };
}

/** Trailing blanks (and so the CR of a CRLF) off every line, leading blank lines dropped. */
function normaliseMessage(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/^\n+/, '')
    .trimEnd();
}

/** Splits `api, ui` and `ui/api` into scopes; blanks around each scope do not count. */
function splitScopes(scope: string | null | undefined): string[] {
  if (!scope) return [];
  return scope
    .split(/[,/|]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

type HeaderFields = Pick<ParsedCommit, 'type' | 'scopes' | 'breaking' | 'subject'>;

function readHeaderFields(commit: Commit): HeaderFields {
  return {
    type: commit.type ?? null,
    scopes: splitScopes(commit.scope),
    breaking: Boolean(commit.bang ?? commit.bangBeforeScope),
    subject: commit.subject ?? null,
  };
}

/**
 * What a revert takes back. git's form quotes the header; the Angular form is
 * `revert: <header>`. A revert of a revert quotes `Revert "<header>"`: it re-applies <header>,
 * so it is classified by the innermost header, while `header` keeps the quoted text.
 */
function readRevert(commit: Commit, fields: HeaderFields): RevertedHeader | null {
  const angular =
    fields.type?.toLowerCase() === 'revert' && fields.scopes.length === 0 && HEADER_PATTERN.test(fields.subject ?? '');
  const header = (commit.revert?.header ?? (angular ? fields.subject : null))?.trim();
  if (!header) return null;
  let reverted = parser.parse(header);
  for (let inner = reverted.revert?.header?.trim(); inner; inner = reverted.revert?.header?.trim()) {
    reverted = parser.parse(inner);
  }
  const { type, scopes, breaking } = readHeaderFields(reverted);
  return { header, type, scopes, breaking };
}
