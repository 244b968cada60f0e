import { parseJsonBody, type ApiRequest, type ApiResponse, type Route } from './api.js';
import type { EndpointRuntime } from './endpoint-runtime.js';
import { SimApiError } from './errors.js';
import { ACCOUNT_ID, REGION } from './lambda-model.js';
import type { SeededRandom } from './random.js';
import { renderError } from './server.js';

/** Everything SageMaker Runtime needs from the simulator. */
export interface SageMakerRuntimeApiContext {
  runtime: EndpointRuntime;
  random: SeededRandom;
  now(): number;
  /** Hold each answer for the drawn model and overhead latency in real time. */
  realInvokeLatency?: boolean;
}

const INVOCATIONS_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

function header(req: ApiRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * SageMaker Runtime's InvokeEndpoint over REST-JSON: `POST /endpoints/{EndpointName}/invocations`
 * with the payload as the raw body, `X-Amzn-SageMaker-Target-Variant` to pick a variant, and
 * the variant that answered in `x-Amzn-Invoked-Production-Variant`.
 */
export class SageMakerRuntimeApi {
  constructor(private readonly ctx: SageMakerRuntimeApiContext) {}

  route(req: ApiRequest): Route | undefined {
    const match = INVOCATIONS_PATH.exec(req.path);
    if (req.method !== 'POST' || !match) return undefined;
    const endpointName = decodeURIComponent(match[1]!);
    const payload = parseJsonBody(req.body);
    return {
      operation: 'InvokeEndpoint',
      // A JSON payload is logged as parsed; anything else by its size.
      loggedBody: payload ?? `<${req.body.length} bytes>`,
      run: () => this.invoke(endpointName, req),
    };
  }

  private invoke(endpointName: string, req: ApiRequest): ApiResponse {
    const execution = this.ctx.runtime.invoke(endpointName, header(req, 'x-amzn-sagemaker-target-variant'), this.ctx.now(), this.ctx.random);
    const { outcome, variantName, modelName } = execution;
    if (outcome.kind === 'throttled') throw new SimApiError(400, 'ThrottlingException', 'Rate exceeded');
    const invoked = { 'x-Amzn-Invoked-Production-Variant': variantName };
    const delay = this.ctx.realInvokeLatency ? { delayMs: outcome.durationMs + execution.overheadMs } : {};
    if (outcome.kind !== 'ok') {
      // Rendered here rather than thrown: a model error takes its time too, and names its variant.
      const rendered = renderError('sagemaker-runtime', modelError(endpointName, modelName, outcome.kind === 'error' ? 500 : 400));
      return { ...rendered, headers: { ...rendered.headers, ...invoked }, ...delay };
    }
    const accept = header(req, 'accept');
    return {
      status: 200,
      headers: { ...invoked, 'content-type': accept !== undefined && accept !== '*/*' ? accept : 'application/json' },
      body: JSON.stringify({ variant: variantName, model: modelName, ok: true, latencyMs: Math.round(outcome.durationMs) }),
      ...delay,
    };
  }
}

/** SageMaker's 424 for a container that answered with an error: its status and message ride along. */
function modelError(endpointName: string, modelName: string, originalStatusCode: 400 | 500): SimApiError {
  const originalMessage = `Simulated ${originalStatusCode === 500 ? 'model failure' : 'rejected input'} in model ${modelName}`;
  const logGroup = `/aws/sagemaker/Endpoints/${endpointName}`;
  return new SimApiError(
    424,
    'ModelError',
    `Received ${originalStatusCode === 500 ? 'server' : 'client'} error (${originalStatusCode}) from primary with message "${originalMessage}". See https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logEventViewer:group=${logGroup} in account ${ACCOUNT_ID} for more information.`,
    { OriginalStatusCode: originalStatusCode, OriginalMessage: originalMessage, LogStreamArn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${logGroup}` },
  );
}
