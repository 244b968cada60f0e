/**
 * Release notes from the commits a release was triggered by, laid out as semantic-release's
 * `conventionalcommits` preset lays them out: breaking changes first, then Features, Bug Fixes,
 * Performance Improvements, Reverts and the other types, each line `**scope:** subject (sha)`
 * with the short SHA linked to the commit when the forge's URLs are known. Rendered by
 * `conventional-changelog-writer` (the writer semantic-release uses) with our templates passed
 * as strings, so nothing is read from disk at run time and the ncc bundle works as the source.
 *
 * Commit text is untrusted: scope, subject and breaking-change text are escaped for Markdown and
 * HTML (`escapeMarkdown`) before they reach the template, which itself never escapes. Only our
 * headings and links are Markdown. The notes are data for a forge API and the job summary,
 * never for a shell.
 */
import { CommitParser } from 'conventional-commits-parser';
import { writeChangelogString } from 'conventional-changelog-writer';
import type { CommitGroup, CommitNote } from 'conventional-changelog-writer';
import { escapeMarkdown } from '../report/summary.js';
import { parseCommit } from '../trigger/header.js';
import type { CommitInput, MatchedCommit } from '../trigger/types.js';

/** Where the forge shows a commit and a comparison; with them, SHAs and the changelog are links. */
export interface ReleaseNotesLinks {
  /** Prefix of a commit page, the SHA follows: `https://github.com/o/r/commit/`, `https://gitlab.com/g/p/-/commit/`. */
  commit?: string;
  /** Prefix of a comparison, `<from>...<to>` follows: `https://github.com/o/r/compare/`. */
  compare?: string;
}

/** One released change, as the notes show it. */
export interface ReleaseChange {
  /** Full SHA; empty for a message given without one (CLI `--message`, CI_COMMIT_MESSAGE). */
  sha: string;
  /** Lower case, as the trigger matched it: `feat`, `fix`, `revert`, ... */
  type: string;
  scope: string | null;
  /** The header after `type(scope):`; the whole header for a git `Revert "..."`. */
  subject: string;
  /** The texts of its `BREAKING CHANGE:` footers; the subject for a `!` without a footer; empty when not breaking. */
  breaking: string[];
}

export interface ReleaseNotesRequest {
  /** The release's tag; with `previousTag` and a compare link, the notes end with the changelog link. */
  tag: string;
  previousTag?: string;
  changes: readonly ReleaseChange[];
  links?: ReleaseNotesLinks;
}

export interface ReleaseNotes {
  /** The notes (GitHub-flavoured Markdown, `###` section headings). */
  markdown: string;
  /** For the report: `3 commits: 1 breaking change; Features 1, Bug Fixes 2`. */
  summary: string;
}

/** Section titles and their order, as the conventionalcommits preset names them. */
const SECTIONS: ReadonlyArray<readonly [type: string, title: string]> = [
  ['feat', 'Features'],
  ['feature', 'Features'],
  ['fix', 'Bug Fixes'],
  ['perf', 'Performance Improvements'],
  ['revert', 'Reverts'],
  ['docs', 'Documentation'],
  ['style', 'Styles'],
  ['chore', 'Miscellaneous Chores'],
  ['refactor', 'Code Refactoring'],
  ['test', 'Tests'],
  ['build', 'Build System'],
  ['ci', 'Continuous Integration'],
];
const OTHER_SECTION = 'Other Changes';
const BREAKING_TITLE = 'BREAKING CHANGES';
const SECTION_TITLES = new Map<string, string>(SECTIONS);
const SECTION_ORDER = [...new Set([...SECTIONS.map(([, title]) => title), OTHER_SECTION])];

/** The preset's short SHA. */
const SHORT_SHA = 7;
/** A subject or breaking-change text longer than this is cut: a release note is not the commit body. */
const MAX_TEXT = 1_000;
/**
 * GitHub refuses a release body over 125,000 characters; GitLab's limit is higher. Notes longer
 * than this end at a line boundary with a note saying how many lines were left out.
 */
export const MAX_NOTES_LENGTH = 100_000;

/**
 * The main template: the preset's layout (breaking-change notes first, under `⚠`, then the
 * commit groups) without its version header: the release's name is its title on both forges.
 */
const MAIN_TEMPLATE = `{{#each noteGroups}}
### ⚠ {{title}}

{{#each notes}}
* {{#if commit.scope}}**{{commit.scope}}:** {{/if}}{{text}}
{{/each}}

{{/each}}
{{#each commitGroups}}
### {{title}}

{{#each commits}}
{{> commit root=@root}}
{{/each}}

{{/each}}
`;

const COMMIT_PARTIAL = `* {{#if scope}}**{{scope}}:** {{/if}}{{subject}}{{#if shortHash}} ({{#if url}}[{{shortHash}}]({{url}}){{else}}{{shortHash}}{{/if}}){{/if}}
`;

/** A commit as the writer sees it: every text field already escaped. */
interface WriterCommit {
  type: string;
  scope: string | null;
  subject: string;
  shortHash: string;
  url: string;
  notes: CommitNote[];
  /** The writer's own fields; unused by our templates. */
  header: string;
  hash: string;
}

/**
 * The released changes, in commit order: each matched commit with its subject and the text of
 * its breaking-change footers, read from its full message. `matched` is the trigger's ordered
 * selection from `commits`, so one walk pairs them (SHAs alone cannot: messages given on the
 * command line have none).
 */
export function releaseChanges(matched: readonly MatchedCommit[], commits: readonly CommitInput[]): ReleaseChange[] {
  const changes: ReleaseChange[] = [];
  let next = 0;
  for (const commit of matched) {
    let message = commit.header;
    for (let i = next; i < commits.length; i++) {
      const candidate = commits[i];
      if (candidate !== undefined && candidate.sha === commit.sha && firstLine(candidate.message) === commit.header) {
        message = candidate.message;
        next = i + 1;
        break;
      }
    }
    const parsed = parseCommit({ sha: commit.sha, message });
    const subject = clip(commit.type === 'revert' && parsed.revert !== null ? commit.header : (parsed.subject ?? commit.header).trim());
    const footers = commit.breaking ? breakingFooters(message) : [];
    changes.push({
      sha: commit.sha,
      type: commit.type,
      scope: commit.scope,
      subject,
      breaking: !commit.breaking ? [] : footers.length > 0 ? footers : [subject],
    });
  }
  return changes;
}

/** Renders the release notes of `request.changes`; with no change (a forced release), says so. */
export async function writeReleaseNotes(request: ReleaseNotesRequest): Promise<ReleaseNotes> {
  const commits = request.changes.map((change) => writerCommit(change, request.links));
  let body =
    commits.length === 0
      ? 'No commit in scope: this release was forced.\n'
      : await writeChangelogString<WriterCommit>(
          commits,
          {},
          {
            mainTemplate: MAIN_TEMPLATE,
            commitPartial: COMMIT_PARTIAL,
            groupBy: 'type',
            commitGroupsSort: (a: CommitGroup<WriterCommit>, b: CommitGroup<WriterCommit>) => SECTION_ORDER.indexOf(a.title) - SECTION_ORDER.indexOf(b.title),
            // The preset's order within a section; the sort is stable, so ties keep commit order.
            commitsSort: (a: WriterCommit, b: WriterCommit) => compareText(a.scope ?? '', b.scope ?? '') || compareText(a.subject, b.subject),
            // Our commits are already transformed, carry no version (so one block), and the
            // trigger already decided about reverts.
            transform: (commit: WriterCommit) => commit,
            generateOn: () => false,
            ignoreReverted: false,
          },
        );
  body = clipNotes(body.replace(/\n{3,}/g, '\n\n').trim());
  const changelog = compareLink(request);
  const markdown = `${body}\n${changelog !== undefined ? `\n${changelog}\n` : ''}`;
  return { markdown, summary: summarize(request.changes) };
}

function writerCommit(change: ReleaseChange, links: ReleaseNotesLinks | undefined): WriterCommit {
  const scope = change.scope !== null ? escapeMarkdown(change.scope) : null;
  const linkable = /^[0-9a-f]{7,64}$/i.test(change.sha);
  return {
    type: SECTION_TITLES.get(change.type) ?? OTHER_SECTION,
    scope,
    subject: escapeMarkdown(change.subject),
    shortHash: linkable ? change.sha.slice(0, SHORT_SHA) : '',
    url: linkable && links?.commit ? `${links.commit}${change.sha}` : '',
    notes: change.breaking.map((text) => ({ title: BREAKING_TITLE, text: escapeMarkdown(text) })),
    header: '',
    hash: change.sha,
  };
}

/** `**Full changelog**: [model-v1.2.0...model-v1.3.0](…/compare/model-v1.2.0...model-v1.3.0)`. */
function compareLink(request: ReleaseNotesRequest): string | undefined {
  const { previousTag, tag, links } = request;
  if (previousTag === undefined || !links?.compare) return undefined;
  const range = `${previousTag}...${tag}`;
  return `**Full changelog**: [${escapeMarkdown(range)}](${links.compare}${range.split('/').map(encodeURIComponent).join('/')})`;
}

function summarize(changes: readonly ReleaseChange[]): string {
  if (changes.length === 0) return 'no commit in scope (forced release)';
  const counts = new Map<string, number>();
  for (const change of changes) {
    const title = SECTION_TITLES.get(change.type) ?? OTHER_SECTION;
    counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  const breaking = changes.filter((change) => change.breaking.length > 0).length;
  const sections = SECTION_ORDER.filter((title) => counts.has(title)).map((title) => `${title} ${counts.get(title)}`);
  const commits = `${changes.length} commit${changes.length === 1 ? '' : 's'}`;
  return `${commits}: ${breaking > 0 ? `${breaking} breaking change${breaking === 1 ? '' : 's'}; ` : ''}${sections.join(', ')}`;
}

/** Cuts over-long notes at a line boundary, saying how much was left out. */
function clipNotes(markdown: string): string {
  if (markdown.length <= MAX_NOTES_LENGTH) return markdown;
  const cut = markdown.lastIndexOf('\n', MAX_NOTES_LENGTH);
  const kept = markdown.slice(0, cut > 0 ? cut : MAX_NOTES_LENGTH);
  const dropped = markdown.slice(kept.length).split('\n').filter((line) => line.trim() !== '').length;
  return `${kept}\n\n… ${dropped} more line${dropped === 1 ? '' : 's'} left out: the notes exceed ${MAX_NOTES_LENGTH.toLocaleString('en-US')} characters.`;
}

/** Code-point order, the same on every machine whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstLine(message: string): string {
  return (message.replace(/^(?:[ \t]*\r?\n)+/, '').split(/\r?\n/)[0] ?? '').trim();
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}

/**
 * The parser for breaking-change footers, configured like the trigger's (src/trigger/header.ts):
 * the same keywords, upper case only with a colon, no issue references (their regexes take
 * cubic time on long blank runs). Only `notes` is read from its result.
 */
const footerParser = new CommitParser({
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
  notesPattern: (keywords) => new RegExp(`^\\s*(${keywords})\\s*:\\s*(.*)`),
  issuePrefixes: undefined,
  referenceActions: undefined,
});

/** Lines are cut like the trigger cuts them: the parser scans each line in quadratic time. */
const MAX_PARSED_LINE = 1_000;

function breakingFooters(message: string): string[] {
  const text = message
    .split('\n')
    .map((line) => line.trimEnd().slice(0, MAX_PARSED_LINE))
    .join('\n')
    .replace(/^\n+/, '');
  if (text.trim() === '') return [];
  return footerParser
    .parse(text)
    .notes.map((note) => clip(note.text.trim()))
    .filter((note) => note !== '');
}
