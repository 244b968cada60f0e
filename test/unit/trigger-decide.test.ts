import type { TriggerConfig } from '../../src/config/types.js';
import { decideRelease } from '../../src/trigger/decide.js';
import { triggerOutputs, triggerResults } from '../../src/trigger/results.js';
import type { Bump, CommitInput } from '../../src/trigger/types.js';

const defaults: TriggerConfig = { types: ['feat', 'fix', 'perf', 'revert'], scopes: ['api'] };
const modelTeam: TriggerConfig = { types: ['feat', 'fix', 'refactor'], scopes: ['api', 'model'] };
const upperCaseConfig: TriggerConfig = { types: ['FEAT', 'Fix'], scopes: ['API'] };

function commit(message: string, sha = 'c0ffee'): CommitInput {
  return { sha, message };
}

/** [message, config, bump it releases, or 'none']. One commit per decision. */
const corpus: Array<[string, TriggerConfig, Bump]> = [
  // Releasing types in scope, however they are spelled.
  ['feat(api): x', defaults, 'minor'],
  ['Feat (Api): My feature message', defaults, 'minor'],
  ['Fix (Api): My fix message', defaults, 'patch'],
  ['FEAT(API): x', defaults, 'minor'],
  ['perf(api): faster cold start', defaults, 'patch'],
  ['feat(api,ui): x', defaults, 'minor'],
  ['feat(api, ui): x', defaults, 'minor'],
  ['feat(ui/api): x', defaults, 'minor'],
  ['fix( api ): x', defaults, 'patch'],
  ['feat(api): x\r\n\r\nbody\r\n', defaults, 'minor'],
  ['\n\nfix(api): x  \n', defaults, 'patch'],
  ['fix(api): null handling\n\nThe handler crashed.\n\nCloses #42\nSigned-off-by: A <a@b.c>', defaults, 'patch'],
  // Breaking changes in scope: major, whatever the type.
  ['feat(api)!: x', defaults, 'major'],
  ['feat (api) !: x', defaults, 'major'],
  ['fix(api): x\n\nBREAKING-CHANGE: nulls are errors now', defaults, 'major'],
  ['fix(api): x\r\n\r\nBREAKING CHANGE: y\r\n', defaults, 'major'],
  ['chore(api)!: drop v1 routes', defaults, 'major'],
  ['docs(api): x\n\nBREAKING CHANGE: the v1 docs are gone', defaults, 'major'],
  // Breaking out of scope, or without scope: not the API.
  ['feat(ui)!: x', defaults, 'none'],
  ['feat!: x', defaults, 'none'],
  ['fix: x\n\nBREAKING CHANGE: y', defaults, 'none'],
  // Not a releasing type, or not in scope.
  ['chore(api): x', defaults, 'none'],
  ['docs: x', defaults, 'none'],
  ['docs(api): x', defaults, 'none'],
  ['feat(ui): x', defaults, 'none'],
  ['feat: x', defaults, 'none'],
  ['refactor(api): x', defaults, 'none'],
  ['feat(apis): x', defaults, 'none'],
  ['update the api docs', defaults, 'none'],
  ['API: tweak', defaults, 'none'],
  ['update docs\n\nfeat(api): mentioned in the body only', defaults, 'none'],
  ['feat(api) add batch endpoint', defaults, 'none'],
  ['', defaults, 'none'],
  ['  \r\n  ', defaults, 'none'],
  // Merges never release by themselves.
  ['Merge pull request #1 from a/b\n\nfeat(api): x', defaults, 'none'],
  ["Merge branch 'x'", defaults, 'none'],
  // Reverts.
  ['revert(api): x', defaults, 'patch'],
  ['revert(ui): x', defaults, 'none'],
  ['Revert "feat(api): x"\n\nThis reverts commit abc1234.', defaults, 'patch'],
  ['Revert "feat(api)!: x"\n\nThis reverts commit abc1234.', defaults, 'patch'],
  ['Revert "chore(api)!: x"\n\nThis reverts commit abc1234.', defaults, 'patch'],
  ['Revert "docs: x"\n\nThis reverts commit abc1234.', defaults, 'none'],
  ['Revert "chore(api): x"\n\nThis reverts commit abc1234.', defaults, 'none'],
  ['Revert "feat(ui): x"\n\nThis reverts commit abc1234.', defaults, 'none'],
  ['Revert "feat(api): accept "quoted" names"\n\nThis reverts commit abc1234.', defaults, 'patch'],
  ['Revert "Revert "fix(api): y""\n\nThis reverts commit abc1234.', defaults, 'patch'],
  ['revert: feat(api): x\n\nThis reverts commit abc1234.', defaults, 'patch'],
  ['Revert "feat(api): x" (#13)\n\nReverts o/r#11', defaults, 'patch'],
  // Custom vocabulary: scopes api and model, types feat, fix, refactor (no revert, no perf).
  ['refactor(model): new tokenizer', modelTeam, 'patch'],
  ['feat(Model): bigger context', modelTeam, 'minor'],
  ['fix(data, model): x', modelTeam, 'patch'],
  ['perf(api): x', modelTeam, 'none'],
  ['refactor(ui): x', modelTeam, 'none'],
  ['revert(api): x', modelTeam, 'none'],
  ['Revert "feat(api): x"\n\nThis reverts commit abc1234.', modelTeam, 'none'],
  ['chore(model)!: x', modelTeam, 'major'],
  // Config spelled in capitals matches lower-case commits.
  ['feat(api): x', upperCaseConfig, 'minor'],
  ['fix(Api): x', upperCaseConfig, 'patch'],
  ['perf(api): x', upperCaseConfig, 'none'],
];

describe('decideRelease on one commit', () => {
  it.each(corpus)('%j with types %j', (message, config, bump) => {
    const decision = decideRelease([commit(message)], config);
    expect({ release: decision.release, bump: decision.bump, matched: decision.matched.length }).toEqual({
      release: bump !== 'none',
      bump,
      matched: bump === 'none' ? 0 : 1,
    });
  });
});

describe('decideRelease on several commits', () => {
  it('takes the highest bump: major > minor > patch', () => {
    const patchAndMinor = [commit('fix(api): a'), commit('feat(api): b'), commit('docs: c')];
    expect(decideRelease(patchAndMinor, defaults).bump).toBe('minor');
    expect(decideRelease([...patchAndMinor, commit('fix(api)!: d')], defaults).bump).toBe('major');
    expect(decideRelease([commit('fix(api): a'), commit('revert(api): b')], defaults).bump).toBe('patch');
  });

  it('lists matched commits with the in-scope scope as written and the type lower-cased', () => {
    const decision = decideRelease(
      [
        commit('Feat (UI, Api): add batch endpoint', 'a1'),
        commit('chore: tidy', 'b2'),
        commit('fix(api)!: reject nulls', 'c3'),
        commit('Revert "Fix (Api): null handling"\n\nThis reverts commit c3.', 'd4'),
      ],
      defaults,
    );
    expect(decision.matched).toEqual([
      { sha: 'a1', header: 'Feat (UI, Api): add batch endpoint', type: 'feat', scope: 'Api', breaking: false },
      { sha: 'c3', header: 'fix(api)!: reject nulls', type: 'fix', scope: 'api', breaking: true },
      { sha: 'd4', header: 'Revert "Fix (Api): null handling"', type: 'revert', scope: 'Api', breaking: false },
    ]);
    expect(decision.considered).toBe(4);
  });

  it('explains a release with the matched headers', () => {
    const commits = [
      commit('feat(api): add batch endpoint'),
      commit('docs: readme'),
      commit('fix(api): null handling'),
      commit('chore: deps'),
      commit('test: more'),
    ];
    expect(decideRelease(commits, defaults).reason).toBe(
      'Release (minor): 2 of 5 commits target scope api — feat(api): add batch endpoint; fix(api): null handling.',
    );
  });

  it('lists at most three headers, then says how many more', () => {
    const commits = ['a', 'b', 'c', 'd', 'e'].map((s) => commit(`fix(api): ${s}`));
    expect(decideRelease(commits, defaults).reason).toBe(
      'Release (patch): 5 of 5 commits target scope api — fix(api): a; fix(api): b; fix(api): c and 2 more.',
    );
  });

  it('does not end the reason with two full stops', () => {
    expect(decideRelease([commit('fix(api): handle nulls.')], defaults).reason).toBe(
      'Release (patch): 1 of 1 commit targets scope api — fix(api): handle nulls.',
    );
  });

  it('explains a skip with the types and scopes it looked for', () => {
    const commits = [commit('docs: a'), commit('feat(ui): b'), commit('chore(api): c')];
    expect(decideRelease(commits, defaults)).toEqual({
      release: false,
      bump: 'none',
      reason: 'No release: none of the 3 commits has a type in feat, fix, perf, revert with scope api.',
      matched: [],
      considered: 3,
    });
    expect(decideRelease([commit('docs: a')], modelTeam).reason).toBe(
      'No release: the only commit has no type in feat, fix, refactor with one of the scopes api or model.',
    );
  });

  it('says there was nothing to look at when there are no commits', () => {
    expect(decideRelease([], defaults)).toEqual({
      release: false,
      bump: 'none',
      reason: 'No release: no commits to look at.',
      matched: [],
      considered: 0,
    });
  });

  it('tells a manual run (workflow_dispatch, no commits) how to release: force: true', () => {
    expect(decideRelease([], defaults, { manual: true })).toEqual({
      release: false,
      bump: 'none',
      reason: 'No release: a manual run (workflow_dispatch) has no commits to decide on; run again with force: true to release anyway.',
      matched: [],
      considered: 0,
    });
    expect(decideRelease([commit('docs: a')], defaults, { manual: true }).reason).toBe(
      'No release: the only commit has no type in feat, fix, perf, revert with scope api; run again with force: true to release anyway.',
    );
    // Forced, the manual flag changes nothing: the run releases.
    expect(decideRelease([], defaults, { manual: true, forced: true }).release).toBe(true);
  });
});

describe('decideRelease when forced', () => {
  it('releases a patch when no commit matches, and says why', () => {
    const decision = decideRelease([commit('docs: a')], defaults, { forced: true, forcedReason: 'hotfix of the model weights.' });
    expect(decision).toMatchObject({ release: true, bump: 'patch', matched: [] });
    expect(decision.reason).toBe('Release (patch) forced: hotfix of the model weights; no commit targets scope api.');
  });

  it('keeps the bump the commits would give', () => {
    const decision = decideRelease([commit('feat(api): x')], defaults, { forced: true });
    expect(decision).toMatchObject({ release: true, bump: 'minor' });
    expect(decision.reason).toBe(
      'Release (minor) forced: a manual run asked for it; 1 of 1 commit targets scope api — feat(api): x.',
    );
  });

  it('releases with no commits at all', () => {
    expect(decideRelease([], defaults, { forced: true })).toMatchObject({ release: true, bump: 'patch', considered: 0 });
  });

  it('does not release when forced is false', () => {
    expect(decideRelease([commit('docs: a')], defaults, { forced: false }).release).toBe(false);
  });
});

describe('triggerResults', () => {
  const source = { source: 'push payload (2 commits)', warnings: [] as string[] };

  it('passes when releasing, with the number of matched commits observed', () => {
    const decision = decideRelease([commit('feat(api): x'), commit('docs: y')], defaults);
    const [result, ...rest] = triggerResults(decision, source, defaults);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({
      id: 'trigger.release',
      gate: 'trigger',
      status: 'pass',
      observed: 1,
      expected: 'at least 1 commit with type in [feat, fix, perf, revert] and scope in [api]',
      message: decision.reason,
    });
    expect(result?.details).toMatchObject({ bump: 'minor', considered: 2, source: 'push payload (2 commits)' });
  });

  it('skips when not releasing, and states the rule without a config', () => {
    const [result] = triggerResults(decideRelease([commit('docs: y')], defaults), source);
    expect(result).toMatchObject({ status: 'skip', observed: 0, expected: 'at least 1 commit with a releasing type in scope' });
  });

  it('adds one warning result per source warning', () => {
    const warnings = ['history too shallow', 'used CI_COMMIT_MESSAGE only'];
    const results = triggerResults(decideRelease([], defaults), { source: 'git log', warnings });
    expect(results.slice(1)).toEqual([
      { id: 'trigger.warning-1', gate: 'trigger', status: 'warn', message: 'history too shallow', details: { source: 'git log' } },
      { id: 'trigger.warning-2', gate: 'trigger', status: 'warn', message: 'used CI_COMMIT_MESSAGE only', details: { source: 'git log' } },
    ]);
  });
});

describe('triggerOutputs', () => {
  it('gives release, bump, reason and the matched commits as JSON', () => {
    const decision = decideRelease([commit('fix(Api)!: x', 'abc'), commit('docs: y', 'def')], defaults);
    const outputs = triggerOutputs(decision);
    expect(outputs).toEqual({
      release: 'true',
      bump: 'major',
      reason: decision.reason,
      commits: expect.any(String),
    });
    expect(JSON.parse(outputs.commits ?? '')).toEqual([
      { sha: 'abc', header: 'fix(Api)!: x', type: 'fix', scope: 'Api', breaking: true },
    ]);
  });

  it('says false and none when not releasing', () => {
    expect(triggerOutputs(decideRelease([commit('docs: y')], defaults))).toMatchObject({
      release: 'false',
      bump: 'none',
      commits: '[]',
    });
  });
});
