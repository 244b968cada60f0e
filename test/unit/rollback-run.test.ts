import { runManualRollback, type ManualRollbackRequest } from '../../src/rollback/rollback.js';
import type { PublishedVersion } from '../../src/targets/target.js';
import { FakeTarget } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';

const SHA_3 = '3333333333333333333333333333333333333333';
const SHA_4 = '4444444444444444444444444444444444444444';
const VERSIONS: PublishedVersion[] = [
  { version: '3', description: `model-release-gate sha=${SHA_3} tag=model-v1.0.0` },
  { version: '4', description: `model-release-gate sha=${SHA_4} tag=model-v1.1.0` },
  { version: '5', description: 'model-release-gate sha=5555555555555555555555555555555555555555 tag=model-v1.2.0' },
];

function setup(alias: { version: string; additionalWeights?: Record<string, number>; description?: string }) {
  const clock = new VirtualClock(Date.UTC(2026, 2, 1));
  const target = new FakeTarget({ clock, version: alias.version, additionalWeights: alias.additionalWeights, description: alias.description, versions: VERSIONS });
  const log: string[] = [];
  const run = (request: Partial<ManualRollbackRequest>) =>
    runManualRollback({ to: 'model-v1.0.0', reason: 'wrong churn scores', actor: 'maria', force: false, dryRun: false, ...request }, { target, clock, log: (l) => log.push(l) });
  return { target, run, log };
}

describe('runManualRollback', () => {
  it('points the alias at the tagged version with weights {} and the RevisionId it read, and says who and why', async () => {
    const { target, run } = setup({ version: '5' });
    const report = await run({});
    expect(report).toMatchObject({ command: 'rollback', outcome: 'rolled-back-manually', exitCode: 0 });
    expect(target.appliedWrites()).toEqual([expect.objectContaining({ op: 'pointTo', candidate: '3', expectedRevisionId: 'rev-1' })]);
    expect(target.peek()).toEqual({ version: '3', additionalWeights: {}, revisionId: 'rev-2' });
    expect(report.headline).toBe(
      'Rolled back fake:model-fn:prod from version 5 to version 3 (tag model-v1.0.0, commit 333333333333); requested by maria: wrong churn scores',
    );
    expect(report.outputs).toMatchObject({ outcome: 'rolled-back-manually', version: '3', 'previous-version': '5', tag: 'model-v1.0.0', sha: SHA_3, actor: 'maria' });
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['rollback.to', 'pass'],
      ['rollback.outcome', 'pass'],
    ]);
  });

  it('resolves previous and a SHA prefix', async () => {
    const previous = setup({ version: '5' });
    expect((await previous.run({ to: 'previous' })).outputs.version).toBe('4');
    const bySha = setup({ version: '5' });
    expect((await bySha.run({ to: SHA_4.slice(0, 8) })).outputs.version).toBe('4');
  });

  it('is a no-op with a clear message when the alias already points at the version', async () => {
    const { target, run } = setup({ version: '3' });
    const report = await run({});
    expect(report).toMatchObject({ outcome: 'skipped', exitCode: 0 });
    expect(report.headline).toBe('fake:model-fn:prod already points at version 3 (tag model-v1.0.0, commit 333333333333) with no other version receiving traffic; nothing to do.');
    expect(target.writes).toEqual([]);
  });

  it('refuses while a rollout is in progress, and writes nothing', async () => {
    const { target, run } = setup({ version: '4', additionalWeights: { '5': 0.3 } });
    const report = await run({});
    expect(report).toMatchObject({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toContain('A rollout is in progress on fake:model-fn:prod (version 4, 30% on version 5 (revision rev-1))');
    expect(report.headline).toContain('force: true');
    expect(target.writes).toEqual([]);
  });

  it('with force, drops the canary and points the alias at the version, even the current primary', async () => {
    const { target, run } = setup({ version: '3', additionalWeights: { '5': 0.3 } });
    const report = await run({ force: true });
    expect(report).toMatchObject({ outcome: 'rolled-back-manually', exitCode: 0 });
    expect(target.peek()).toMatchObject({ version: '3', additionalWeights: {} });
    expect(report.headline).toContain('from version 3, 30% on version 5 (revision rev-1) to version 3');
  });

  it('exits 2 and reads nothing for a malformed value; exits 2 and writes nothing for an unknown tag', async () => {
    const bad = setup({ version: '5' });
    const malformed = await bad.run({ to: 'v1 && curl evil' });
    expect(malformed).toMatchObject({ outcome: 'aborted', exitCode: 2 });
    expect(malformed.results[0]).toMatchObject({ id: 'rollback.to', gate: 'rollback', status: 'error' });
    expect(bad.target.callCount('readAlias')).toBe(0);

    const unknown = setup({ version: '5' });
    const report = await unknown.run({ to: 'model-v7.0.0' });
    expect(report).toMatchObject({ outcome: 'aborted', exitCode: 2 });
    expect(report.headline).toContain("No published version was released from tag 'model-v7.0.0'");
    expect(report.headline).toContain('fake:model-fn:prod was not changed.');
    expect(unknown.target.writes).toEqual([]);
  });

  it('dry run resolves and writes nothing', async () => {
    const { target, run } = setup({ version: '5' });
    const report = await run({ dryRun: true });
    expect(report).toMatchObject({ outcome: 'planned', exitCode: 0 });
    expect(report.headline).toContain('Dry run: would point fake:model-fn:prod from version 5');
    expect(target.writes).toEqual([]);
  });

  it('reports a concurrent change as a conflict, never overwriting it', async () => {
    const { target, run } = setup({ version: '5' });
    target.beforeCall('pointTo', 1, (t) => t.externalChange({ version: '4' }));
    const report = await run({});
    expect(report).toMatchObject({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toContain('Someone changed the alias since it was read');
    expect(target.peek().version).toBe('4');
  });

  it('reports an AWS error while reading as exit 1 with nothing changed', async () => {
    const { target, run } = setup({ version: '5' });
    target.failOn('listVersions', 1, { error: new Error('AccessDeniedException: not authorized to perform lambda:ListVersionsByFunction') });
    const report = await run({});
    expect(report).toMatchObject({ outcome: 'aborted', exitCode: 1 });
    expect(report.headline).toContain('lambda:ListVersionsByFunction');
    expect(target.writes).toEqual([]);
  });

  it('updates the serving history in the same write, so `previous` walks back instead of returning to the version left', async () => {
    // 5 promoted over 4 over 3; rollback --to model-v1.0.0 (version 3) from 5.
    const { target, run } = setup({ version: '5', description: 'Owned by the churn team model-release-gate promoted=5,4,3' });
    const report = await run({});
    expect(report).toMatchObject({ outcome: 'rolled-back-manually', exitCode: 0 });
    expect(target.appliedWrites()).toHaveLength(1);
    expect(target.peek()).toMatchObject({ version: '3', description: 'Owned by the churn team model-release-gate promoted=3' });
    expect(report.results.at(-1)?.details).toMatchObject({ history: ['3'] });

    // Rolling back twice in a row: 5 -> previous (4) -> previous (3), never back to 5.
    const twice = setup({ version: '5', description: 'model-release-gate promoted=5,4,3' });
    expect((await twice.run({ to: 'previous' })).outputs.version).toBe('4');
    expect(twice.target.peek().description).toBe('model-release-gate promoted=4,3');
    expect((await twice.run({ to: 'previous' })).outputs.version).toBe('3');
    expect(twice.target.peek().description).toBe('model-release-gate promoted=3');
  });

  it('leaves the description alone when the alias has no history, and on a dry run', async () => {
    const none = setup({ version: '5', description: 'Owned by the churn team' });
    await none.run({});
    expect(none.target.peek()).toMatchObject({ version: '3', description: 'Owned by the churn team' });
    const dry = setup({ version: '5', description: 'model-release-gate promoted=5,4,3' });
    await dry.run({ dryRun: true });
    expect(dry.target.peek().description).toBe('model-release-gate promoted=5,4,3');
  });
});
