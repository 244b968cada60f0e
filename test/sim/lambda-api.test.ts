import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  paginateListVersionsByFunction,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { VirtualClock } from './clock.js';
import { codeShaOf } from './lambda-model.js';
import { startSimulator, type Simulator } from './simulator.js';
import { rejectionOf, sdkClients, useTestCredentials } from './test-clients.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:churn-model';

describe('simulated Lambda API through the real SDK', () => {
  let sim: Simulator;
  let lambda: LambdaClient;

  beforeEach(async () => {
    useTestCredentials();
    sim = await startSimulator({ clock: new VirtualClock() });
    sim.createFunction({ name: 'churn-model', versions: 2, aliases: [{ name: 'prod', version: '1' }] });
    lambda = sdkClients(sim.endpoint).lambda;
  });

  afterEach(async () => {
    lambda.destroy();
    await sim.close();
  });

  it('serves clients that find it through AWS_ENDPOINT_URL, as the product does', async () => {
    process.env['AWS_ENDPOINT_URL'] = sim.endpoint;
    try {
      const client = new LambdaClient({ maxAttempts: 1 });
      const out = await client.send(new GetAliasCommand({ FunctionName: 'churn-model', Name: 'prod' }));
      expect(out.FunctionVersion).toBe('1');
      client.destroy();
    } finally {
      delete process.env['AWS_ENDPOINT_URL'];
    }
  });

  describe('GetFunction', () => {
    it('accepts a name, a partial ARN and a full ARN, and resolves an alias qualifier', async () => {
      for (const FunctionName of ['churn-model', '123456789012:function:churn-model', ARN]) {
        const out = await lambda.send(new GetFunctionCommand({ FunctionName }));
        expect(out.Configuration?.FunctionArn).toBe(ARN);
        expect(out.Configuration?.Version).toBe('$LATEST');
      }
      const viaAlias = await lambda.send(new GetFunctionCommand({ FunctionName: 'churn-model', Qualifier: 'prod' }));
      expect(viaAlias.Configuration).toMatchObject({ Version: '1', FunctionArn: `${ARN}:prod`, CodeSha256: codeShaOf('churn-model:v1') });
      const viaArnQualifier = await lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}:2` }));
      expect(viaArnQualifier.Configuration?.Version).toBe('2');
    });

    it('answers 404 ResourceNotFoundException with the ARN for an unknown function or version', async () => {
      const error = await rejectionOf(lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-model' })));
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.$metadata?.httpStatusCode).toBe(404);
      expect(error.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-model');
      const version = await rejectionOf(lambda.send(new GetFunctionCommand({ FunctionName: 'churn-model', Qualifier: '9' })));
      expect(version.message).toBe(`Function not found: ${ARN}:9`);
    });
  });

  describe('PublishVersion', () => {
    it('publishes new code once, then returns the same version for the same code', async () => {
      sim.setLatestCode('churn-model', codeShaOf('churn-model:v3'));
      const first = await lambda.send(new PublishVersionCommand({ FunctionName: 'churn-model', Description: 'release 1.4.0' }));
      expect(first).toMatchObject({ Version: '3', Description: 'release 1.4.0', FunctionArn: `${ARN}:3` });
      expect(first.$metadata.httpStatusCode).toBe(201);
      const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'churn-model', Description: 'release 1.4.0 retry' }));
      expect(again.Version).toBe('3');
      expect(again.Description).toBe('release 1.4.0');
      expect(sim.listVersions('churn-model')).toEqual(['1', '2', '3']);
    });

    it('returns the newest version when $LATEST holds its code', async () => {
      const out = await lambda.send(new PublishVersionCommand({ FunctionName: 'churn-model' }));
      expect(out.Version).toBe('2');
      expect(sim.listVersions('churn-model')).toEqual(['1', '2']);
    });

    it('fails with 412 PreconditionFailedException when CodeSha256 does not match $LATEST', async () => {
      sim.setLatestCode('churn-model', codeShaOf('churn-model:v3'));
      const error = await rejectionOf(
        lambda.send(new PublishVersionCommand({ FunctionName: 'churn-model', CodeSha256: codeShaOf('something else') })),
      );
      expect(error.name).toBe('PreconditionFailedException');
      expect(error.$metadata?.httpStatusCode).toBe(412);
      expect(sim.listVersions('churn-model')).toEqual(['1', '2']);
    });
  });

  it('paginates ListVersionsByFunction with NextMarker, $LATEST first', async () => {
    sim.createFunction({ name: 'fraud-model', versions: 5 });
    const pages = [];
    for await (const page of paginateListVersionsByFunction({ client: lambda, pageSize: 2 }, { FunctionName: 'fraud-model' })) {
      pages.push(page.Versions?.map((v) => v.Version));
    }
    expect(pages).toEqual([['$LATEST', '1'], ['2', '3'], ['4', '5']]);
    const requests = sim.requestLog.filter((e) => e.operation === 'ListVersionsByFunction');
    expect(requests).toHaveLength(3);
  });

  describe('aliases', () => {
    it('reads, creates and updates weighted aliases, issuing a new RevisionId on every write', async () => {
      const prod = await lambda.send(new GetAliasCommand({ FunctionName: 'churn-model', Name: 'prod' }));
      expect(prod).toMatchObject({ Name: 'prod', FunctionVersion: '1', AliasArn: `${ARN}:prod` });
      expect(prod.RoutingConfig).toBeUndefined();

      const shifted = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'churn-model',
          Name: 'prod',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
          RevisionId: prod.RevisionId,
        }),
      );
      expect(shifted.FunctionVersion).toBe('1');
      expect(shifted.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });
      expect(shifted.RevisionId).not.toBe(prod.RevisionId);
      expect(sim.getAliasState('churn-model', 'prod')).toEqual({ version: '1', weights: { '2': 0.1 }, revisionId: shifted.RevisionId });

      const promoted = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'churn-model',
          Name: 'prod',
          FunctionVersion: '2',
          RoutingConfig: { AdditionalVersionWeights: {} },
          RevisionId: shifted.RevisionId,
        }),
      );
      expect(promoted.FunctionVersion).toBe('2');
      expect(sim.getAliasState('churn-model', 'prod').weights).toEqual({});

      const created = await lambda.send(new CreateAliasCommand({ FunctionName: ARN, Name: 'staging', FunctionVersion: '2' }));
      expect(created.$metadata.httpStatusCode).toBe(201);
      expect(sim.getAliasState('churn-model', 'staging').version).toBe('2');
      const duplicate = await rejectionOf(lambda.send(new CreateAliasCommand({ FunctionName: ARN, Name: 'staging', FunctionVersion: '1' })));
      expect(duplicate.name).toBe('ResourceConflictException');
      expect(duplicate.$metadata?.httpStatusCode).toBe(409);
    });

    it('answers 404 for an unknown alias', async () => {
      const error = await rejectionOf(lambda.send(new GetAliasCommand({ FunctionName: 'churn-model', Name: 'canary' })));
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.$metadata?.httpStatusCode).toBe(404);
      expect(error.message).toBe(`Alias not found: ${ARN}:canary`);
    });

    it('rejects an UpdateAlias carrying a stale RevisionId with 412 and leaves the alias alone', async () => {
      const before = sim.getAliasState('churn-model', 'prod');
      const error = await rejectionOf(
        lambda.send(new UpdateAliasCommand({ FunctionName: 'churn-model', Name: 'prod', FunctionVersion: '2', RevisionId: 'stale-revision' })),
      );
      expect(error.name).toBe('PreconditionFailedException');
      expect(error.$metadata?.httpStatusCode).toBe(412);
      expect(sim.getAliasState('churn-model', 'prod')).toEqual(before);
    });

    it.each([
      ['two additional versions', { '2': 0.1, '3': 0.1 }, '1'],
      ['a weight above 1', { '2': 1.5 }, '1'],
      ['a negative weight', { '2': -0.1 }, '1'],
      ['the primary version as additional', { '1': 0.1 }, '1'],
      ['a version that does not exist', { '7': 0.1 }, '1'],
      ['$LATEST as additional', { $LATEST: 0.1 }, '1'],
      ['weights on a $LATEST primary', { '2': 0.1 }, '$LATEST'],
    ])('rejects %s with 400 InvalidParameterValueException', async (_case, weights, version) => {
      sim.createFunction({ name: 'fraud-model', versions: 3, aliases: [{ name: 'prod', version: '1' }] });
      const before = sim.getAliasState('fraud-model', 'prod');
      const error = await rejectionOf(
        lambda.send(
          new UpdateAliasCommand({ FunctionName: 'fraud-model', Name: 'prod', FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: weights } }),
        ),
      );
      expect(error.name).toBe('InvalidParameterValueException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(sim.getAliasState('fraud-model', 'prod')).toEqual(before);
    });
  });

  describe('Invoke', () => {
    it('runs the version the alias points to and reports it', async () => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'churn-model', Qualifier: 'prod', Payload: Buffer.from('{"x":1}') }));
      expect(out.StatusCode).toBe(200);
      expect(out.ExecutedVersion).toBe('1');
      expect(out.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(out.Payload!).toString('utf8'))).toMatchObject({ version: '1', ok: true });
    });

    it('reports an unhandled function error with 200, X-Amz-Function-Error and an error payload', async () => {
      sim.setVersionBehaviour('churn-model', '2', { errorRate: 1, latencyMs: { p50: 50, p99: 100 } });
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'churn-model', Qualifier: '2' }));
      expect(out.StatusCode).toBe(200);
      expect(out.FunctionError).toBe('Unhandled');
      expect(out.ExecutedVersion).toBe('2');
      expect(JSON.parse(Buffer.from(out.Payload!).toString('utf8'))).toMatchObject({ errorType: 'SimulatedModelError' });
    });

    it('throttles with 429 TooManyRequestsException when the version is saturated', async () => {
      sim.setVersionBehaviour('churn-model', '1', { errorRate: 0, latencyMs: { p50: 50, p99: 100 }, throttleRate: 1 });
      const error = await rejectionOf(lambda.send(new InvokeCommand({ FunctionName: 'churn-model', Qualifier: 'prod' })));
      expect(error.name).toBe('TooManyRequestsException');
      expect(error.$metadata?.httpStatusCode).toBe(429);
      expect((error as unknown as { Reason?: string }).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    });
  });
});
