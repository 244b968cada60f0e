/**
 * MlflowRegistry.recordOutcome after a rollback, on a fake client: the production alias goes back
 * to the version that held it when the release started only when it names the candidate now, and
 * an alias that cannot be read is reported, never passed over in silence.
 */
import { MlflowError, type MlflowClient, type MlflowModelVersion } from '../../src/registry/mlflow-api.js';
import { MlflowRegistry } from '../../src/registry/mlflow.js';
import type { RegistryCandidate, RegistryOutcome } from '../../src/registry/registry.js';

const CONFIG = { type: 'mlflow' as const, name: 'churn', version: '8', productionAlias: 'champion' };
const ROLLED_BACK: RegistryOutcome = { outcome: 'rolled-back', reason: 'Step 1 failed', target: 'lambda:churn:prod', targetVersion: '12', candidateAtFault: true };

function version(v: string): MlflowModelVersion {
  return { name: 'churn', version: v, tags: {} } as unknown as MlflowModelVersion;
}

function fakeClient(aliasNow: () => Promise<MlflowModelVersion>) {
  const aliasWrites: string[] = [];
  const client = {
    describe: () => 'http://127.0.0.1:5000',
    setVersionTag: async () => undefined,
    setAlias: async (_name: string, alias: string, v: string) => {
      aliasWrites.push(`${alias}=${v}`);
    },
    modelVersionByAlias: aliasNow,
  } as unknown as MlflowClient;
  return { client, aliasWrites };
}

const candidate = { label: 'MLflow model churn version 8', id: '8', version: version('8'), championBefore: '7' } as unknown as RegistryCandidate;

describe('MlflowRegistry after a rollback: the production alias', () => {
  it('goes back to the version that held it when it names the candidate now', async () => {
    const { client, aliasWrites } = fakeClient(async () => version('8'));
    const results = await new MlflowRegistry(CONFIG, {}, undefined, client).recordOutcome(candidate, ROLLED_BACK);
    expect(aliasWrites).toEqual(['champion=7']);
    expect(results[0]).toMatchObject({ status: 'pass' });
  });

  it('is left alone when someone moved it elsewhere, or deleted it', async () => {
    for (const now of [async () => version('9'), async () => Promise.reject(new MlflowError('not-found', 'alias champion does not exist', 404))]) {
      const { client, aliasWrites } = fakeClient(now);
      const results = await new MlflowRegistry(CONFIG, {}, undefined, client).recordOutcome(candidate, ROLLED_BACK);
      expect(aliasWrites).toEqual([]);
      expect(results[0]).toMatchObject({ status: 'pass' });
    }
  });

  it('is reported as a problem to check by hand when it cannot be read', async () => {
    const { client, aliasWrites } = fakeClient(async () => Promise.reject(new MlflowError('unavailable', 'HTTP 503 from the server', 503)));
    const results = await new MlflowRegistry(CONFIG, {}, undefined, client).recordOutcome(candidate, ROLLED_BACK);
    expect(aliasWrites).toEqual([]);
    expect(results[0]).toMatchObject({ id: 'release.registry', status: 'warn' });
    expect(results[0]?.message).toMatch(/could not read alias champion to check that it does not name the rolled-back version 8 \(it named version 7 when the release started\): HTTP 503 from the server; check it by hand/);
  });
});
