import { MemoryStateStore } from '../../src/core/state.js';
import { closeAbandonedDeployment, DEPLOYMENT_STATE_KEY, stateJournal } from '../../src/release/abandoned.js';
import type { DeploymentState, ReleaseRecordsApi } from '../../src/release/recorder.js';
import type { AliasState } from '../../src/targets/target.js';

type StatusCall = { id: number; state: DeploymentState; description: string; logUrl?: string };

/** The forge API as the post step uses it: only deployment statuses, recorded; optionally failing. */
function fakeApi(fail?: Error): { api: ReleaseRecordsApi; statuses: StatusCall[] } {
  const statuses: StatusCall[] = [];
  const unused = () => Promise.reject(new Error('not used by the post step'));
  const api: ReleaseRecordsApi = {
    listTags: unused,
    createTag: unused,
    createRelease: unused,
    createDeployment: unused,
    listActiveDeployments: unused,
    setDeploymentStatus: (id, status) => {
      if (fail) return Promise.reject(fail);
      statuses.push({ id, ...status });
      return Promise.resolve();
    },
  };
  return { api, statuses };
}

function logger() {
  const lines: Array<[string, string]> = [];
  return { lines, log: { info: (m: string) => lines.push(['info', m]), warn: (m: string) => lines.push(['warn', m]), error: (m: string) => lines.push(['error', m]), debug: () => undefined } };
}

const OPEN = JSON.stringify({ id: 41, environment: 'production', version: '7' });
const alias = (version: string, additionalWeights: Record<string, number> = {}): AliasState => ({ version, additionalWeights, revisionId: 'r' });

function readAliasFor(given: AliasState | Error | 'unknown' | undefined) {
  if (given === 'unknown') return undefined;
  return async () => {
    if (given instanceof Error) throw given;
    return { alias: given ?? alias('7'), name: 'lambda:churn-model:prod' };
  };
}

async function close(options: { state?: string; alias?: AliasState | Error | 'unknown'; apiFails?: Error }) {
  const state = new MemoryStateStore();
  if (options.state !== undefined) state.save(DEPLOYMENT_STATE_KEY, options.state);
  const forge = fakeApi(options.apiFails);
  let apiCreated = 0;
  const { lines, log } = logger();
  await closeAbandonedDeployment({
    state,
    log,
    createApi: () => {
      apiCreated++;
      return forge.api;
    },
    readAlias: readAliasFor(options.alias),
    logUrl: 'https://github.com/acme/api/actions/runs/9',
  });
  return { statuses: forge.statuses, lines, apiCreated, left: state.load(DEPLOYMENT_STATE_KEY) };
}

describe('closing a deployment the killed main step left in progress', () => {
  it('does nothing, not even create an API client, when no deployment is open', async () => {
    expect(await close({})).toMatchObject({ statuses: [], apiCreated: 0, lines: [] });
    expect(await close({ state: '' })).toMatchObject({ statuses: [], apiCreated: 0 });
  });

  it('marks it success when the alias serves the deployed version alone (the promotion had landed)', async () => {
    const result = await close({ state: OPEN, alias: alias('7') });
    expect(result.statuses).toEqual([
      { id: 41, state: 'success', description: 'The job stopped before recording the outcome; lambda:churn-model:prod serves version 7 alone.', logUrl: 'https://github.com/acme/api/actions/runs/9' },
    ]);
    expect(result.left).toBe('');
    expect(result.lines).toEqual([['info', expect.stringContaining('Deployment 41 of version 7 in production marked success')]]);
  });

  it('marks it failure when the alias serves the old version, or still routes to the new one', async () => {
    expect((await close({ state: OPEN, alias: alias('6') })).statuses[0]).toMatchObject({
      state: 'failure',
      description: 'The job stopped before the rollout finished; lambda:churn-model:prod serves version 6.',
    });
    expect((await close({ state: OPEN, alias: alias('6', { '7': 0.1 }) })).statuses[0]).toMatchObject({
      state: 'failure',
      description: 'The job stopped before the rollout finished; lambda:churn-model:prod serves version 6 and 10% on version 7.',
    });
  });

  it('marks it failure, saying why, when the alias cannot be read or the job state does not name it', async () => {
    expect((await close({ state: OPEN, alias: new Error('AccessDenied') })).statuses[0]).toMatchObject({
      state: 'failure',
      description: 'The job stopped before the rollout finished; the alias could not be read: AccessDenied.',
    });
    expect((await close({ state: OPEN, alias: 'unknown' })).statuses[0]!.description).toContain('the job state does not say which alias');
  });

  it('warns and keeps the record when GitHub refuses, and never throws', async () => {
    const result = await close({ state: OPEN, apiFails: new Error('403 Resource not accessible by integration') });
    expect(result.left).toBe(OPEN);
    expect(result.lines).toEqual([['warn', expect.stringContaining('is still in progress and could not be marked success: 403 Resource not accessible by integration. Traffic was not affected.')]]);
    const unreadable = await close({ state: '{"id":"41"}' });
    expect(unreadable.apiCreated).toBe(0);
    expect(unreadable.lines[0]![1]).toContain('expected {"id": number, "environment": string, "version": string}');
  });

  it('the journal writes the open deployment to the job state and clears it', () => {
    const saved: Array<[string, string]> = [];
    const journal = stateJournal((key, value) => saved.push([key, value]));
    journal.opened({ id: 41, environment: 'production', version: '7' });
    journal.closed();
    expect(saved).toEqual([
      [DEPLOYMENT_STATE_KEY, OPEN],
      [DEPLOYMENT_STATE_KEY, ''],
    ]);
  });
});
