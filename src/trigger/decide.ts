/**
 * The release decision: which commits target the API with a releasing type, and how big a
 * version bump they add up to. Pure: commits and config in, a decision with its reason out.
 */
import type { TriggerConfig } from '../config/types.js';
import { parseCommit } from './header.js';
import type { ParsedCommit } from './header.js';
import type { Bump, CommitInput, MatchedCommit, ReleaseDecision } from './types.js';
import { plural } from '../core/plural.js';

/** A manual run (workflow_dispatch with `force`) releases whatever the commits say. */
export interface DecideOptions {
  forced?: boolean;
  /**
   * The run was started by hand (workflow_dispatch): it has no commits of its own, so without
   * `forced` it never releases, and the reason says how to force it.
   */
  manual?: boolean;
  /** Why the run was forced, as the person who forced it would say it. */
  forcedReason?: string;
}

/** How many headers the reason lists before it says "and N more". */
const HEADERS_IN_REASON = 3;

const BUMP_RANK: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 };

/** Config words compared case-insensitively: `Feat (Api)` must release like `feat(api)`. */
interface Vocabulary {
  types: Set<string>;
  scopes: Set<string>;
}

/**
 * Decides whether these commits release the API and with which bump.
 *
 * A commit releases when its type is in `config.types` and one of its scopes is in
 * `config.scopes` (both case-insensitive); a breaking change in scope releases whatever its
 * type. A revert releases a patch when `revert` is a releasing type and what it reverts was a
 * releasing commit in scope. Bump: major (breaking) > minor (feat) > patch (anything else).
 */
export function decideRelease(
  commits: CommitInput[],
  config: TriggerConfig,
  options: DecideOptions = {},
): ReleaseDecision {
  const vocabulary: Vocabulary = {
    types: new Set(config.types.map((type) => type.toLowerCase())),
    scopes: new Set(config.scopes.map((scope) => scope.toLowerCase())),
  };
  const matched: MatchedCommit[] = [];
  for (const commit of commits) {
    const match = matchCommit(parseCommit(commit), vocabulary);
    if (match) matched.push(match);
  }
  const bump = matched.map(bumpOf).reduce(higherBump, 'none');
  const considered = commits.length;

  if (options.forced) {
    const forcedBump = bump === 'none' ? 'patch' : bump;
    return {
      release: true,
      bump: forcedBump,
      reason: forcedReason(forcedBump, matched, considered, config, options.forcedReason),
      matched,
      considered,
    };
  }
  if (matched.length === 0) {
    const reason = options.manual ? manualNoReleaseReason(considered, config) : noReleaseReason(considered, config);
    return { release: false, bump: 'none', reason, matched, considered };
  }
  return {
    release: true,
    bump,
    reason: `Release (${bump}): ${matchedSummary(matched, considered, config)}`,
    matched,
    considered,
  };
}

/** The commit as it appears in the `commits` output, or null when it does not release. */
function matchCommit(commit: ParsedCommit, vocabulary: Vocabulary): MatchedCommit | null {
  const scope = firstInScope(commit.scopes, vocabulary);
  const type = commit.type?.toLowerCase() ?? null;
  if (type !== null && scope !== null && (vocabulary.types.has(type) || commit.breaking)) {
    return { sha: commit.sha, header: commit.header, type, scope, breaking: commit.breaking };
  }
  // A revert's scope is the reverted commit's: `Revert "feat(api): x"` takes back an API change.
  const reverted = commit.revert;
  if (reverted === null || !vocabulary.types.has('revert')) return null;
  const revertedScope = firstInScope(reverted.scopes, vocabulary);
  const revertedType = reverted.type?.toLowerCase() ?? null;
  const revertedReleased =
    revertedType !== null && revertedScope !== null && (vocabulary.types.has(revertedType) || reverted.breaking);
  if (!revertedReleased) return null;
  return { sha: commit.sha, header: commit.header, type: 'revert', scope: revertedScope, breaking: commit.breaking };
}

function firstInScope(scopes: string[], vocabulary: Vocabulary): string | null {
  return scopes.find((scope) => vocabulary.scopes.has(scope.toLowerCase())) ?? null;
}

function bumpOf(commit: MatchedCommit): Bump {
  if (commit.breaking) return 'major';
  return commit.type === 'feat' ? 'minor' : 'patch';
}

function higherBump(a: Bump, b: Bump): Bump {
  return BUMP_RANK[b] > BUMP_RANK[a] ? b : a;
}

/** `2 of 5 commits target scope api — feat(api): a; fix(api): b.` */
function matchedSummary(matched: MatchedCommit[], considered: number, config: TriggerConfig): string {
  const verb = matched.length === 1 ? 'targets' : 'target';
  const scopes = config.scopes.length === 1 ? 'scope' : 'scopes';
  const listed = matched.slice(0, HEADERS_IN_REASON).map((commit) => commit.header || '(empty message)');
  const more = matched.length - listed.length;
  const headers = listed.join('; ') + (more > 0 ? ` and ${more} more` : '');
  return sentence(
    `${matched.length} of ${plural(considered, 'commit')} ${verb} ${scopes} ${orList(config.scopes)} — ${headers}`,
  );
}

function noReleaseReason(considered: number, config: TriggerConfig): string {
  if (considered === 0) return 'No release: no commits to look at.';
  const who = considered === 1 ? 'the only commit has' : `none of the ${considered} commits has`;
  const has = considered === 1 ? 'no type' : 'a type';
  const scopes = config.scopes.length === 1 ? 'scope' : 'one of the scopes';
  return `No release: ${who} ${has} in ${config.types.join(', ')} with ${scopes} ${orList(config.scopes)}.`;
}

/** A manual run releases only when forced: say so, in the words of the action's input. */
function manualNoReleaseReason(considered: number, config: TriggerConfig): string {
  const why =
    considered === 0
      ? 'a manual run (workflow_dispatch) has no commits to decide on'
      : noReleaseReason(considered, config).replace(/^No release: /, '').replace(/\.$/, '');
  return `No release: ${why}; run again with force: true to release anyway.`;
}

function forcedReason(
  bump: Bump,
  matched: MatchedCommit[],
  considered: number,
  config: TriggerConfig,
  why: string | undefined,
): string {
  const because = why?.trim() ? why.trim().replace(/[.!]+$/, '') : 'a manual run asked for it';
  const commits =
    matched.length > 0
      ? matchedSummary(matched, considered, config)
      : sentence(`no commit targets ${config.scopes.length === 1 ? 'scope' : 'scopes'} ${orList(config.scopes)}`);
  return `Release (${bump}) forced: ${because}; ${commits}`;
}


function orList(words: string[]): string {
  return words.join(' or ');
}

/** Ends with one full stop, even when the last header already ends with one. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
