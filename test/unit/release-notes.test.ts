import { MAX_NOTES_LENGTH, releaseChanges, writeReleaseNotes } from '../../src/release/notes.js';
import type { ReleaseChange, ReleaseNotesLinks } from '../../src/release/notes.js';
import { decideRelease } from '../../src/trigger/decide.js';
import type { CommitInput } from '../../src/trigger/types.js';

const TRIGGER = { types: ['feat', 'fix', 'perf', 'revert'], scopes: ['api'] };
const LINKS: ReleaseNotesLinks = { commit: 'https://forge.example/acme/churn/commit/', compare: 'https://forge.example/acme/churn/compare/' };

/** A SHA whose short form is `n` padded: `sha(1)` → `1000000…`. */
const sha = (n: number) => `${n}`.padEnd(40, '0');

/** The notes of `messages` as the recorder writes them: the trigger matches, the notes group. */
async function notesOf(messages: string[], options: { links?: ReleaseNotesLinks; previousTag?: string } = {}) {
  const commits: CommitInput[] = messages.map((message, i) => ({ sha: sha(i + 1), message }));
  const decision = decideRelease(commits, TRIGGER);
  return writeReleaseNotes({
    tag: 'model-v2.0.0',
    changes: releaseChanges(decision.matched, commits),
    ...(options.links ? { links: options.links } : {}),
    ...(options.previousTag !== undefined ? { previousTag: options.previousTag } : {}),
  });
}

describe('writeReleaseNotes', () => {
  it('groups as the conventionalcommits preset: breaking changes first, then features, fixes, performance, reverts, other types', async () => {
    const notes = await notesOf([
      'perf(api): cache the feature lookup',
      'fix(api): clamp scores',
      'Revert "feat(api): experimental batch endpoint"\n\nThis reverts commit abc.',
      'feat(api): add the explain endpoint',
      'refactor(api)!: rename the request fields',
      'docs: not in scope',
    ]);
    expect(notes.markdown).toBe(
      [
        '### ⚠ BREAKING CHANGES',
        '',
        '* **api:** rename the request fields',
        '',
        '### Features',
        '',
        '* **api:** add the explain endpoint (4000000)',
        '',
        '### Bug Fixes',
        '',
        '* **api:** clamp scores (2000000)',
        '',
        '### Performance Improvements',
        '',
        '* **api:** cache the feature lookup (1000000)',
        '',
        '### Reverts',
        '',
        '* **api:** Revert "feat(api): experimental batch endpoint" (3000000)',
        '',
        '### Code Refactoring',
        '',
        '* **api:** rename the request fields (5000000)',
        '',
      ].join('\n'),
    );
    expect(notes.summary).toBe('5 commits: 1 breaking change; Features 1, Bug Fixes 1, Performance Improvements 1, Reverts 1, Code Refactoring 1');
  });

  it('a BREAKING CHANGE footer gives the breaking note its text; `!` alone uses the subject; both: the footer', async () => {
    const notes = await notesOf([
      'feat(api): score with the v2 feature set\n\nThe v1 features are gone.\n\nBREAKING CHANGE: requests must send `tenure_months`\ninstead of `tenure_days`.',
      'fix(api)!: reject empty payloads',
      'feat(api)!: drop the v1 route\n\nBREAKING-CHANGE: /v1/score answers 410',
      'feat(api): breaking change mentioned in prose only\n\nthis is not a BREAKING CHANGE footer',
    ]);
    const breaking = notes.markdown.slice(0, notes.markdown.indexOf('### Features'));
    // Sorted by text, as the preset sorts notes; a multi-line footer stays one list item.
    expect(breaking).toBe(
      [
        '### ⚠ BREAKING CHANGES',
        '',
        '* **api:** /v1/score answers 410',
        '* **api:** reject empty payloads',
        '* **api:** requests must send \\`tenure\\_months\\`<br>instead of \\`tenure\\_days\\`.',
        '',
        '',
      ].join('\n'),
    );
    expect(notes.markdown).toContain('### Features\n\n* **api:** breaking change mentioned in prose only (4000000)\n* **api:** drop the v1 route (3000000)\n* **api:** score with the v2 feature set (1000000)\n');
    expect(notes.summary).toBe('4 commits: 3 breaking changes; Features 3, Bug Fixes 1');
  });

  it('links each short SHA to its commit and ends with the comparison to the previous tag', async () => {
    const notes = await notesOf(['feat(api): add the explain endpoint'], { links: LINKS, previousTag: 'model-v1.4.2' });
    expect(notes.markdown).toBe(
      [
        '### Features',
        '',
        `* **api:** add the explain endpoint ([1000000](${LINKS.commit}${sha(1)}))`,
        '',
        `**Full changelog**: [model-v1.4.2...model-v2.0.0](${LINKS.compare}model-v1.4.2...model-v2.0.0)`,
        '',
      ].join('\n'),
    );
  });

  it('no comparison without a previous tag or a compare link; no link and no SHA for a message without one', async () => {
    expect(await notesOf(['feat(api): x'], { links: { commit: LINKS.commit! }, previousTag: 'model-v1.0.0' })).toMatchObject({ markdown: expect.not.stringContaining('Full changelog') });
    expect((await notesOf(['feat(api): x'], { links: LINKS })).markdown).not.toContain('Full changelog');
    const changes: ReleaseChange[] = [{ sha: '', type: 'fix', scope: 'api', subject: 'from the command line', breaking: [] }];
    expect((await writeReleaseNotes({ tag: 'v1.0.1', changes, links: LINKS })).markdown).toBe('### Bug Fixes\n\n* **api:** from the command line\n');
  });

  it('escapes commit text so it can inject neither HTML, links, images nor emphasis, and keeps our own Markdown', async () => {
    const notes = await notesOf(
      ['fix(api): <script>alert(1)</script> [click](javascript:alert(1)) ![x](https://evil.example/p.png) **bold** | cell `code` #12 _u_ ~s~', 'feat(a<b>pi): scope not in the vocabulary'],
      { links: LINKS },
    );
    expect(notes.markdown).toBe(
      [
        '### Bug Fixes',
        '',
        `* **api:** &lt;script&gt;alert(1)&lt;/script&gt; \\[click\\](javascript:alert(1)) \\!\\[x\\](https://evil.example/p.png) \\*\\*bold\\*\\* \\| cell \\\`code\\\` \\#12 \\_u\\_ \\~s\\~ ([1000000](${LINKS.commit}${sha(1)}))`,
        '',
      ].join('\n'),
    );
    // Handlebars never re-reads data as a template.
    const changes: ReleaseChange[] = [{ sha: sha(9), type: 'feat', scope: '{{scope}}', subject: '{{> commit}} {{#each notes}}x{{/each}}', breaking: ['{{@root.version}}'] }];
    const templated = await writeReleaseNotes({ tag: 'v1.0.0', changes });
    expect(templated.markdown).toContain('* **{{scope}}:** {{&gt; commit}} {{\\#each notes}}x{{/each}} (9000000)');
    expect(templated.markdown).toContain('* **{{scope}}:** {{@root.version}}');
  });

  it('a scope is shown as written; a change of an unknown type goes under Other Changes, after the known ones', async () => {
    const changes: ReleaseChange[] = [
      { sha: sha(1), type: 'model', scope: 'Api', subject: 'retrain on March data', breaking: [] },
      { sha: sha(2), type: 'fix', scope: null, subject: 'no scope', breaking: [] },
    ];
    const notes = await writeReleaseNotes({ tag: 'v1.0.0', changes });
    expect(notes.markdown).toBe('### Bug Fixes\n\n* no scope (2000000)\n\n### Other Changes\n\n* **Api:** retrain on March data (1000000)\n');
    expect(notes.summary).toBe('2 commits: Bug Fixes 1, Other Changes 1');
  });

  it('within a section, sorts by scope then subject (the preset order), whatever the commit order', async () => {
    const notes = await notesOf(['fix(api): zeta', 'fix(api): alpha', 'fix(api): Mid']);
    expect(notes.markdown).toBe('### Bug Fixes\n\n* **api:** Mid (3000000)\n* **api:** alpha (2000000)\n* **api:** zeta (1000000)\n');
  });

  it('a forced release with no matched commit says so instead of showing empty sections', async () => {
    const notes = await writeReleaseNotes({ tag: 'model-v1.0.1', previousTag: 'model-v1.0.0', changes: [], links: LINKS });
    expect(notes.markdown).toBe(`No commit in scope: this release was forced.\n\n**Full changelog**: [model-v1.0.0...model-v1.0.1](${LINKS.compare}model-v1.0.0...model-v1.0.1)\n`);
    expect(notes.markdown).not.toContain('###');
    expect(notes.summary).toBe('no commit in scope (forced release)');
  });

  it('stays under the size a forge accepts, saying how much was left out', async () => {
    const changes: ReleaseChange[] = Array.from({ length: 400 }, (_, i) => ({ sha: sha(i), type: 'fix', scope: 'api', subject: `${String(i).padStart(3, '0')} ${'x'.repeat(900)}`, breaking: [] }));
    const notes = await writeReleaseNotes({ tag: 'v1.0.0', changes });
    expect(notes.markdown.length).toBeLessThanOrEqual(MAX_NOTES_LENGTH + 200);
    expect(notes.markdown).toMatch(/\n\n… \d+ more lines left out: the notes exceed 100,000 characters\.\n$/);
    expect(notes.markdown).toContain('* **api:** 000 ');
  });

  it('cuts a huge subject or footer to 1,000 characters', async () => {
    const notes = await notesOf([`feat(api)!: ${'s'.repeat(5_000)}\n\nBREAKING CHANGE: ${'b'.repeat(5_000)}`]);
    const lines = notes.markdown.split('\n').filter((line) => line.startsWith('* '));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(1_100);
  });
});

describe('releaseChanges', () => {
  it('pairs each matched commit with its full message in order, also without SHAs and with repeated headers', () => {
    const commits: CommitInput[] = [
      { sha: '', message: 'fix(api): same header\n\nfirst body' },
      { sha: '', message: 'chore: unrelated' },
      { sha: '', message: 'fix(api)!: same header\n\nBREAKING CHANGE: second one breaks' },
    ];
    const decision = decideRelease(commits, TRIGGER);
    expect(releaseChanges(decision.matched, commits)).toEqual([
      { sha: '', type: 'fix', scope: 'api', subject: 'same header', breaking: [] },
      { sha: '', type: 'fix', scope: 'api', subject: 'same header', breaking: ['second one breaks'] },
    ]);
  });

  it('reads the subject of a loosely written header and keeps the scope as written', () => {
    const commits: CommitInput[] = [{ sha: sha(1), message: 'Feat (Api) !: score churn\r\n\r\nBREAKING CHANGE: new schema\r\n' }];
    const decision = decideRelease(commits, TRIGGER);
    expect(releaseChanges(decision.matched, commits)).toEqual([{ sha: sha(1), type: 'feat', scope: 'Api', subject: 'score churn', breaking: ['new schema'] }]);
  });

  it('falls back to the header when the full message is not among the commits', () => {
    const matched = [{ sha: sha(1), header: 'fix(api)!: lost body', type: 'fix', scope: 'api', breaking: true }];
    expect(releaseChanges(matched, [])).toEqual([{ sha: sha(1), type: 'fix', scope: 'api', subject: 'lost body', breaking: ['lost body'] }]);
  });
});
