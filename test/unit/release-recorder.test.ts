import { DEFAULT_RELEASE } from '../../src/config/defaults.js';
import type { ReleaseConfig } from '../../src/config/types.js';
import { ReleaseRecorder } from '../../src/release/recorder.js';
import type { ReleaseRecordsApi } from '../../src/release/recorder.js';
import { ReleaseRecordsError } from '../../src/release/records.js';
import type { Outcome } from '../../src/report/result.js';
import { decideRelease } from '../../src/trigger/decide.js';
import type { CommitInput } from '../../src/trigger/types.js';

const SHA = '5e1ea5e0000000000000000000000000000000aa';
const COMMITS: CommitInput[] = [
  { sha: 'a'.repeat(40), message: 'feat(api)!: score with the v2 feature set\n\nBREAKING CHANGE: `tenure_days` is now `tenure_months`' },
  { sha: 'b'.repeat(40), message: 'fix(api): clamp scores' },
];
const DECISION = decideRelease(COMMITS, { types: ['feat', 'fix'], scopes: ['api'] });

type Call = [method: string, ...args: unknown[]];

/** The forge port in memory: records every call; `failures` make the next createRelease calls throw, in order. */
function fakeApi(tags: string[] = ['model-v1.4.2']) {
  const calls: Call[] = [];
  const failures: unknown[] = [];
  const api: ReleaseRecordsApi = {
    listTags: () => Promise.resolve(tags),
    createTag: (name, sha) => {
      calls.push(['createTag', name, sha]);
      return Promise.resolve();
    },
    createRelease: (request) => {
      calls.push(['createRelease', request]);
      return failures.length > 0 ? Promise.reject(failures.shift()) : Promise.resolve();
    },
    createDeployment: () => Promise.reject(new Error('no deployments in these tests')),
    setDeploymentStatus: () => Promise.reject(new Error('no deployments in these tests')),
    listActiveDeployments: () => Promise.reject(new Error('no deployments in these tests')),
  };
  return { api, calls, failures };
}

function recorder(api: ReleaseRecordsApi, release: Partial<ReleaseConfig> = {}, sha: string | null = SHA) {
  return new ReleaseRecorder(api, {
    release: { ...DEFAULT_RELEASE, tag: true, ...release },
    ...(sha !== null ? { sha } : {}),
    links: { commit: 'https://forge.example/acme/churn/commit/', compare: 'https://forge.example/acme/churn/compare/' },
  });
}

async function run(rec: ReleaseRecorder, outcome: Outcome, options: { dryRun?: boolean } = {}) {
  const plan = await rec.plan({ bump: DECISION.bump, matched: DECISION.matched, commits: COMMITS, dryRun: options.dryRun ?? false });
  const results = await rec.finished({ outcome, reason: `the rollout was ${outcome}` });
  return { plan, results };
}

/** An error as the GitHub adapter throws them: a message, and the HTTP status when there was an answer. */
function httpError(status: number | undefined, message: string): Error {
  return Object.assign(new Error(message), status !== undefined ? { status } : {});
}

describe('ReleaseRecorder: the release with notes', () => {
  it('creates the release, named after its tag at the released commit, with the notes of the matched commits, only on promotion', async () => {
    const { api, calls } = fakeApi();
    const { plan, results } = await run(recorder(api), 'promoted');

    expect(plan.tag).toBe('model-v2.0.0');
    expect(calls).toEqual([
      [
        'createRelease',
        {
          tag: 'model-v2.0.0',
          sha: SHA,
          name: 'model-v2.0.0',
          notes: [
            '### ⚠ BREAKING CHANGES',
            '',
            '* **api:** \\`tenure\\_days\\` is now \\`tenure\\_months\\`',
            '',
            '### Features',
            '',
            `* **api:** score with the v2 feature set ([aaaaaaa](https://forge.example/acme/churn/commit/${'a'.repeat(40)}))`,
            '',
            '### Bug Fixes',
            '',
            `* **api:** clamp scores ([bbbbbbb](https://forge.example/acme/churn/commit/${'b'.repeat(40)}))`,
            '',
            '**Full changelog**: [model-v1.4.2...model-v2.0.0](https://forge.example/acme/churn/compare/model-v1.4.2...model-v2.0.0)',
            '',
          ].join('\n'),
        },
      ],
    ]);
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['release.tag', 'pass', 'Created release model-v2.0.0 at 5e1ea5e00000, with release notes.'],
      ['release.notes', 'pass', 'Release notes of model-v2.0.0: 2 commits: 1 breaking change; Features 1, Bug Fixes 1.'],
    ]);
    expect(results[1]?.details?.['markdown']).toBe((calls[0]?.[1] as { notes: string }).notes);
  });

  it.each<Outcome>(['rolled-back', 'aborted', 'skipped'])('creates nothing when the outcome is %s', async (outcome) => {
    const { api, calls } = fakeApi();
    const { results } = await run(recorder(api), outcome);
    expect(calls).toEqual([]);
    expect(results).toEqual([{ id: 'release.tag', gate: 'release', status: 'skip', observed: 'model-v2.0.0', message: `Release model-v2.0.0 not created: the release was not promoted (${outcome}).` }]);
  });

  it('creates nothing in a dry run', async () => {
    const { api, calls } = fakeApi();
    const { results } = await run(recorder(api), 'planned', { dryRun: true });
    expect(calls).toEqual([]);
    expect(results.map((r) => r.message)).toEqual(['Release model-v2.0.0 not created: dry run.']);
  });

  it('without release.tag there is no release, whatever the outcome', async () => {
    const { api, calls } = fakeApi();
    const { results } = await run(recorder(api, { tag: false }), 'promoted');
    expect(calls).toEqual([]);
    expect(results).toEqual([]);
  });

  it('release.notes: false creates the plain tag and writes no notes', async () => {
    const { api, calls } = fakeApi();
    const { results } = await run(recorder(api, { notes: false }), 'promoted');
    expect(calls).toEqual([['createTag', 'model-v2.0.0', SHA]]);
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual([['release.tag', 'pass', 'Created tag model-v2.0.0 at 5e1ea5e00000.']]);
  });

  it('refuses an existing tag before anything is published, as before', async () => {
    const { api, calls } = fakeApi(['model-v1.4.2']);
    await expect(recorder(api).plan({ bump: 'major', explicitTag: 'model-v1.4.2', matched: DECISION.matched, commits: COMMITS, dryRun: false })).rejects.toThrow(ReleaseRecordsError);
    expect(calls).toEqual([]);
  });

  it('no released commit: a warning, nothing created', async () => {
    const { api, calls } = fakeApi();
    const { results } = await run(recorder(api, {}, null), 'promoted');
    expect(calls).toEqual([]);
    expect(results).toEqual([{ id: 'release.tag', gate: 'release', status: 'warn', observed: 'model-v2.0.0', message: 'Release model-v2.0.0 not created: the released commit is unknown (GITHUB_SHA is not set).' }]);
  });
});

describe('ReleaseRecorder: a failed or unanswered release request', () => {
  it.each([
    ['no answer (a lost reply)', httpError(undefined, 'GitHub API is unreachable')],
    ['a server error', httpError(502, 'GitHub API failed (HTTP 502)')],
  ])('%s is tried once more; a success then counts', async (_, error) => {
    const { api, calls, failures } = fakeApi();
    failures.push(error);
    const { results } = await run(recorder(api), 'promoted');
    expect(calls.map(([method]) => method)).toEqual(['createRelease', 'createRelease']);
    expect(calls[0]).toEqual(calls[1]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['release.tag', 'pass'],
      ['release.notes', 'pass'],
    ]);
  });

  it('a client error (permission, validation) is not repeated: one warning naming the way out, the notes still reported', async () => {
    const { api, calls, failures } = fakeApi();
    failures.push(httpError(403, "GitHub API refused access (HTTP 403) while creating release model-v2.0.0 in acme/churn: the token lacks 'contents: write'"));
    const { results } = await run(recorder(api), 'promoted');
    expect(calls).toHaveLength(1);
    expect(results.map((r) => [r.id, r.status, r.message])).toEqual([
      [
        'release.tag',
        'warn',
        `The release was promoted, but release model-v2.0.0 could not be created at 5e1ea5e00000: GitHub API refused access (HTTP 403) while creating release model-v2.0.0 in acme/churn: the token lacks 'contents: write'. Create the tag by hand (git tag model-v2.0.0 ${SHA} && git push origin model-v2.0.0), then a release of it with the release notes of this report.`,
      ],
      ['release.notes', 'pass', 'Release notes of model-v2.0.0: 2 commits: 1 breaking change; Features 1, Bug Fixes 1.'],
    ]);
  });

  it('two failures in a row: a warning, never a thrown error (records never change the outcome)', async () => {
    const { api, calls, failures } = fakeApi();
    failures.push(httpError(503, 'first'), httpError(503, 'second'));
    const { results } = await run(recorder(api), 'promoted');
    expect(calls).toHaveLength(2);
    expect(results[0]).toMatchObject({ id: 'release.tag', status: 'warn', message: expect.stringContaining('could not be created at 5e1ea5e00000: second.') });
  });
});
