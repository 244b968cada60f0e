import { parseCommit } from '../../src/trigger/header.js';
import type { RevertedHeader } from '../../src/trigger/header.js';

interface Reading {
  type: string | null;
  scopes: string[];
  breaking: boolean;
  merge?: boolean;
  revert?: RevertedHeader | null;
}

/** [what the case is about, message, how it must read]. `merge` defaults to false, `revert` to null. */
const corpus: Array<[string, string, Reading]> = [
  // The loose spellings people use for the same header.
  ['canonical', 'feat(api): x', { type: 'feat', scopes: ['api'], breaking: false }],
  ['capitalised, blank before scope', 'Feat (Api): My feature message', { type: 'Feat', scopes: ['Api'], breaking: false }],
  ['capitalised fix', 'Fix (Api): My fix message', { type: 'Fix', scopes: ['Api'], breaking: false }],
  ['upper case', 'FEAT(API): x', { type: 'FEAT', scopes: ['API'], breaking: false }],
  ['no blank after colon', 'fix(api):x', { type: 'fix', scopes: ['api'], breaking: false }],
  ['blank before colon', 'fix(api) : x', { type: 'fix', scopes: ['api'], breaking: false }],
  ['blanks inside parentheses', 'fix( api ): x', { type: 'fix', scopes: ['api'], breaking: false }],
  ['leading blanks on the header', '   perf(api): faster', { type: 'perf', scopes: ['api'], breaking: false }],
  ['no scope', 'fix: x', { type: 'fix', scopes: [], breaking: false }],
  ['empty scope', 'fix(): x', { type: 'fix', scopes: [], breaking: false }],
  ['hyphenated type', 'ci-build(api): x', { type: 'ci-build', scopes: ['api'], breaking: false }],
  // Several scopes.
  ['two scopes, comma', 'feat(api,ui): x', { type: 'feat', scopes: ['api', 'ui'], breaking: false }],
  ['two scopes, comma and blank', 'feat(api, ui): x', { type: 'feat', scopes: ['api', 'ui'], breaking: false }],
  ['two scopes, slash', 'feat(ui/api): x', { type: 'feat', scopes: ['ui', 'api'], breaking: false }],
  ['trailing comma in scopes', 'feat(api,): x', { type: 'feat', scopes: ['api'], breaking: false }],
  // Breaking changes.
  ['bang', 'feat(api)!: x', { type: 'feat', scopes: ['api'], breaking: true }],
  ['bang with blanks', 'feat (api) !: x', { type: 'feat', scopes: ['api'], breaking: true }],
  ['bang before scope', 'feat!(api): x', { type: 'feat', scopes: ['api'], breaking: true }],
  ['bang without scope', 'chore!: drop node 18', { type: 'chore', scopes: [], breaking: true }],
  ['BREAKING CHANGE footer', 'feat(api): x\n\nBREAKING CHANGE: the response is paged', { type: 'feat', scopes: ['api'], breaking: true }],
  ['BREAKING-CHANGE footer on a fix', 'fix(api): x\n\nBREAKING-CHANGE: nulls are errors now', { type: 'fix', scopes: ['api'], breaking: true }],
  ['breaking footer after other footers', 'fix(api): x\n\nbody\n\nReviewed-by: Ana\nRefs: #12\nBREAKING CHANGE: y', { type: 'fix', scopes: ['api'], breaking: true }],
  ['"breaking change" in prose is not a footer', 'feat(api): x\n\nNo breaking change: old clients keep working.', { type: 'feat', scopes: ['api'], breaking: false }],
  ['lower-case footer keyword is not a footer', 'feat(api): x\n\nbreaking change: maybe', { type: 'feat', scopes: ['api'], breaking: false }],
  ['keyword without colon is not a footer', 'feat(api): x\n\nBREAKING CHANGE is not expected here', { type: 'feat', scopes: ['api'], breaking: false }],
  // Bodies, footers and whitespace.
  ['body and footers', 'fix(api): null handling\n\nThe handler crashed on null.\n\nCloses #42\nSigned-off-by: A <a@b.c>', { type: 'fix', scopes: ['api'], breaking: false }],
  ['CRLF line endings', 'feat(api): x\r\n\r\nbody\r\n', { type: 'feat', scopes: ['api'], breaking: false }],
  ['CRLF breaking footer', 'fix(api): x\r\n\r\nBREAKING CHANGE: y\r\n', { type: 'fix', scopes: ['api'], breaking: true }],
  ['leading blank lines', '\n\n  \nfeat(api): x', { type: 'feat', scopes: ['api'], breaking: false }],
  ['trailing whitespace', 'feat(api): x   \t\n\n', { type: 'feat', scopes: ['api'], breaking: false }],
  ['empty message', '', { type: null, scopes: [], breaking: false }],
  ['whitespace-only message', ' \r\n\t\n ', { type: null, scopes: [], breaking: false }],
  ['conventional header only in the body', 'update the docs\n\nfeat(api): add batch endpoint', { type: null, scopes: [], breaking: false }],
  // Free text.
  ['free text', 'update the api docs', { type: null, scopes: [], breaking: false }],
  ['word and colon', 'API: tweak', { type: 'API', scopes: [], breaking: false }],
  ['sentence with a colon', 'Note to self: ship the api', { type: null, scopes: [], breaking: false }],
  ['parentheses without colon', 'feat(api) add batch endpoint', { type: null, scopes: [], breaking: false }],
  // Merges: never read as a change, even when the PR title follows.
  ['GitHub merge', 'Merge pull request #1 from a/b\n\nfeat(api): add batch endpoint', { type: null, scopes: [], breaking: false, merge: true }],
  ['git merge', "Merge branch 'x'", { type: null, scopes: [], breaking: false, merge: true }],
  ['GitLab merge', "Merge branch 'feature' into 'main'\n\nfeat(api)!: x\n\nSee merge request g/p!12", { type: null, scopes: [], breaking: false, merge: true }],
  ['remote-tracking merge', "Merge remote-tracking branch 'origin/main'", { type: null, scopes: [], breaking: false, merge: true }],
  // Reverts.
  ['conventional revert', 'revert(api): x', { type: 'revert', scopes: ['api'], breaking: false }],
  [
    'git revert',
    'Revert "feat(api): x"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.',
    { type: null, scopes: [], breaking: false, revert: { header: 'feat(api): x', type: 'feat', scopes: ['api'], breaking: false } },
  ],
  [
    'git revert of a loose header',
    'Revert "Feat (Api, UI) !: x"\n\nThis reverts commit abc1234.',
    { type: null, scopes: [], breaking: false, revert: { header: 'Feat (Api, UI) !: x', type: 'Feat', scopes: ['Api', 'UI'], breaking: true } },
  ],
  [
    'git revert with CRLF',
    'Revert "fix(api): y"\r\n\r\nThis reverts commit abc1234.\r\n',
    { type: null, scopes: [], breaking: false, revert: { header: 'fix(api): y', type: 'fix', scopes: ['api'], breaking: false } },
  ],
  [
    'git revert of docs',
    'Revert "docs: x"\n\nThis reverts commit abc1234.',
    { type: null, scopes: [], breaking: false, revert: { header: 'docs: x', type: 'docs', scopes: [], breaking: false } },
  ],
  [
    'quotes inside the reverted header',
    'Revert "feat(api): accept "quoted" names"\n\nThis reverts commit abc1234.',
    { type: null, scopes: [], breaking: false, revert: { header: 'feat(api): accept "quoted" names', type: 'feat', scopes: ['api'], breaking: false } },
  ],
  [
    'revert of a revert is read by the innermost header',
    'Revert "Revert "feat(api)!: x""\n\nThis reverts commit abc1234.',
    { type: null, scopes: [], breaking: false, revert: { header: 'Revert "feat(api)!: x"', type: 'feat', scopes: ['api'], breaking: true } },
  ],
  [
    'GitHub revert PR, squashed',
    'Revert "feat(api): x" (#13)\n\nReverts o/r#11',
    { type: null, scopes: [], breaking: false, revert: { header: 'feat(api): x', type: 'feat', scopes: ['api'], breaking: false } },
  ],
  [
    'Angular-style revert',
    'revert: fix(api): y\n\nThis reverts commit abc1234.',
    { type: 'revert', scopes: [], breaking: false, revert: { header: 'fix(api): y', type: 'fix', scopes: ['api'], breaking: false } },
  ],
  ['revert of free text', 'Revert "update the docs"', { type: null, scopes: [], breaking: false, revert: { header: 'update the docs', type: null, scopes: [], breaking: false } }],
  ['Angular-style revert of free text is just a revert', 'revert: undo the docs change', { type: 'revert', scopes: [], breaking: false }],
  ['git revert quoting nothing', 'Revert "  "', { type: null, scopes: [], breaking: false }],
  ['"Revert" in the body only', 'docs: x\n\nRevert "feat(api): y"', { type: 'docs', scopes: [], breaking: false }],
];

describe('parseCommit', () => {
  it.each(corpus)('%s: %j', (_case, message, expected) => {
    const parsed = parseCommit({ sha: 'abc', message });
    expect({
      type: parsed.type,
      scopes: parsed.scopes,
      breaking: parsed.breaking,
      merge: parsed.merge,
      revert: parsed.revert,
    }).toEqual({ merge: false, revert: null, ...expected });
  });

  it('keeps the sha, the trimmed first line and the subject', () => {
    const parsed = parseCommit({ sha: 'f00d', message: '\r\n  Feat (Api): add batch endpoint  \r\n\r\nbody' });
    expect(parsed).toMatchObject({ sha: 'f00d', header: 'Feat (Api): add batch endpoint', subject: 'add batch endpoint' });
  });

  it('gives an empty header and no subject for an empty message', () => {
    expect(parseCommit({ sha: '', message: '   ' })).toEqual({
      sha: '',
      header: '',
      type: null,
      scopes: [],
      breaking: false,
      subject: null,
      revert: null,
      merge: false,
    });
  });

  it('keeps the merge line as the header of a merge commit', () => {
    expect(parseCommit({ sha: '', message: 'Merge pull request #7 from a/b\n\nfeat(api): x' }).header).toBe(
      'Merge pull request #7 from a/b',
    );
  });

  it('reads pathological lines quickly', () => {
    const started = Date.now();
    for (const message of ['a' + ' '.repeat(50_000) + 'x', 'x:' + '#1 '.repeat(50_000), 'Revert "' + '"'.repeat(50_000)]) {
      parseCommit({ sha: '', message });
    }
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
