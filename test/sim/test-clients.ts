import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/** Fake credentials and region, as the real product would read them from the environment. */
export function useTestCredentials(): void {
  process.env['AWS_ACCESS_KEY_ID'] = 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
  process.env['AWS_REGION'] = 'us-east-1';
}

/** Real SDK clients pointed at the simulator. */
export function sdkClients(endpoint: string, maxAttempts = 1): { lambda: LambdaClient; cloudWatch: CloudWatchClient } {
  return {
    lambda: new LambdaClient({ endpoint, maxAttempts }),
    cloudWatch: new CloudWatchClient({ endpoint, maxAttempts }),
  };
}

/** Real SageMaker, SageMaker Runtime and CloudWatch SDK clients pointed at the simulator. */
export function sageMakerClients(endpoint: string, maxAttempts = 1): { sagemaker: SageMakerClient; runtime: SageMakerRuntimeClient; cloudWatch: CloudWatchClient } {
  return {
    sagemaker: new SageMakerClient({ endpoint, maxAttempts }),
    runtime: new SageMakerRuntimeClient({ endpoint, maxAttempts }),
    cloudWatch: new CloudWatchClient({ endpoint, maxAttempts }),
  };
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
