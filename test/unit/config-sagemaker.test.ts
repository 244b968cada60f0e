import { formatConfigError, parseConfigText } from '../../src/config/load.js';

const MODEL = `  model:
    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-inference:1.4.0
    model-data: s3://my-models/churn/1.4.0/model.tar.gz
    execution-role: arn:aws:iam::123456789012:role/churn-sagemaker-execution
`;

function errors(text: string): string[] {
  const loaded = parseConfigText(text, 'model-release.yml');
  return loaded.ok ? [] : loaded.errors.map(formatConfigError);
}

function target(text: string) {
  const loaded = parseConfigText(text, 'model-release.yml');
  if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  return loaded.config.target;
}

describe('target.type: sagemaker', () => {
  it('builds the endpoint target with the candidate model and instances match', () => {
    expect(target(`target:\n  type: sagemaker\n  endpoint-name: churn-endpoint\n${MODEL}`)).toEqual({
      type: 'sagemaker',
      endpointName: 'churn-endpoint',
      instances: 'match',
      model: {
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-inference:1.4.0',
        modelData: 's3://my-models/churn/1.4.0/model.tar.gz',
        executionRole: 'arn:aws:iam::123456789012:role/churn-sagemaker-execution',
      },
    });
    expect(target('target:\n  type: sagemaker\n  endpoint-name: e\n  version: churn-model-v3\n  instances: 2\n  model-name-prefix: churn')).toMatchObject({ version: 'churn-model-v3', instances: 2, modelNamePrefix: 'churn' });
  });

  it('needs the candidate: a model to create or an existing one, not both', () => {
    expect(errors('target:\n  type: sagemaker\n  endpoint-name: e\n')).toEqual([expect.stringMatching(/type: sagemaker needs the candidate: target.model .* or target.version/)]);
    expect(errors(`target:\n  type: sagemaker\n  endpoint-name: e\n  version: v1\n${MODEL}`)).toEqual([expect.stringMatching(/target.version: cannot be combined with target.model/)]);
  });

  it('names the Lambda keys that do not apply, and what to use instead', () => {
    const found = errors(`target:\n  type: sagemaker\n  endpoint-name: e\n  alias: prod\n  code: { zip: a.zip }\n${MODEL}`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/target.alias: does not apply to type: sagemaker; traffic is shifted between the endpoint's production variants/),
        expect.stringMatching(/target.code: does not apply to type: sagemaker; give the new model's image and model data with target.model/),
      ]),
    );
  });

  it('refuses SageMaker keys on a Lambda target and Lambda versions that are not numbers', () => {
    expect(errors('target:\n  function-name: f\n  alias: prod\n  endpoint-name: e\n')).toEqual([expect.stringMatching(/target.endpoint-name: applies to type: sagemaker only/)]);
    expect(errors('target:\n  function-name: f\n  alias: prod\n  version: churn-model-v3\n')).toEqual([expect.stringMatching(/target.version: must be a published version number/)]);
  });

  it('checks names, image, role, model data and instances with the file line', () => {
    const found = errors(`target:
  type: sagemaker
  endpoint-name: churn_endpoint
  instances: 0
  model:
    image: churn-inference
    model-data: /tmp/model.tar.gz
    execution-role: churn-role
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/:3:\d+ target.endpoint-name: must be a SageMaker endpoint name/),
        expect.stringMatching(/:4:\d+ target.instances: must be match, auto or a whole number of instances from 1 to 100/),
        expect.stringMatching(/target.model.image: must be a container image URI with a tag or digest/),
        expect.stringMatching(/target.model.model-data: must be an S3 URI/),
        expect.stringMatching(/target.model.execution-role: must be an IAM role ARN/),
      ]),
    );
  });
});

describe('rollout.shadow', () => {
  it('defaults to all requests for 10 minutes', () => {
    const loaded = parseConfigText(`target:\n  type: sagemaker\n  endpoint-name: e\n${MODEL}rollout:\n  shadow: {}\n`, 'model-release.yml');
    expect(loaded.ok && loaded.config.rollout?.shadow).toEqual({ percent: 100, durationMs: 600_000 });
  });

  it('needs a SageMaker target, whole minutes and a percent from 1 to 100', () => {
    expect(errors('target:\n  function-name: f\n  alias: prod\nrollout:\n  shadow: { percent: 10 }\n')).toEqual([expect.stringMatching(/rollout.shadow: needs target.type: sagemaker/)]);
    expect(errors(`target:\n  type: sagemaker\n  endpoint-name: e\n${MODEL}rollout:\n  shadow: { duration: 90s }\n`)).toEqual([expect.stringMatching(/rollout.shadow.duration: must be whole minutes/)]);
    expect(errors(`target:\n  type: sagemaker\n  endpoint-name: e\n${MODEL}rollout:\n  shadow: { percent: 0 }\n`)).toEqual([expect.stringMatching(/rollout.shadow.percent/)]);
  });
});
