/**
 * The endpoint's invocations, apart from HTTP: given a request's headers and its body (already
 * read within the payload limit), what SageMaker Runtime answers (`InvokeEndpoint`) and what the
 * container answers (`POST /invocations`), as values. Faults and latency apply here, invocations
 * are counted here, successful ones captured here (after their answer is sent). The endpoint's own
 * server (endpoint-server.ts) and the gateway's route (route.ts) both serve it (http.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonAnswer, textAnswer } from '../gateway/index.ts';
import { runContainer } from './container.ts';
import { DataCapture, inferenceIdProblem } from './data-capture.ts';
import { FAULT_ERRORS } from './faults.ts';
import { modelErrorAnswer } from './model-error.ts';
import type {
  ContainerAnswer,
  Endpoint,
  EndpointSettings,
  HostedEndpoint,
  InvocationAnswer,
} from './types.ts';

/** InvokeEndpoint's EndpointName constraint, as the API reference states it. */
export const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export function createEndpoint(settings: EndpointSettings): Endpoint {
  const { predictor, endpointName, variantName, accountId, faults, modelFaults } = settings;
  const faultTarget = {
    endpointName,
    variantName,
    ...(settings.modelName ? { modelName: settings.modelName } : {}),
  };
  const capture = settings.capture ? new DataCapture(settings.capture, endpointName, variantName) : undefined;
  const modelErrorContext = { endpointName, region: settings.region, accountId };
  let invocations = 0;

  /** Runs the model behind the container contract; faults and latency apply here. */
  async function answer(headers: IncomingHttpHeaders, body: Buffer): Promise<ContainerAnswer | 'reset'> {
    invocations++;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.connections === 'reset') return 'reset';
    return runContainer(predictor, headers, body);
  }

  function recordCapture(headers: IncomingHttpHeaders, body: Buffer, result: ContainerAnswer): void {
    if (!capture) return;
    const inferenceId = headers['x-amzn-sagemaker-inference-id'];
    capture.record({
      input: body,
      inputContentType: headers['content-type'] ?? 'application/octet-stream',
      output: result.body,
      outputContentType: result.contentType,
      ...(typeof inferenceId === 'string' ? { inferenceId } : {}),
      time: new Date(),
    });
  }

  /** SageMaker Runtime's answer to a container error, counted under the variant by the model's status. */
  function modelError(modelStatus: number, message: string): InvocationAnswer {
    return {
      ...modelErrorAnswer(modelErrorContext, modelStatus, message),
      served: { variantName, modelStatus },
    };
  }

  /** The fault queued for this invocation, answered after the injected latency. */
  async function injectedFailure() {
    const failure = faults.takeFailure();
    if (!failure) return undefined;
    invocations++;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    return failure;
  }

  return {
    endpointName,
    variantName,
    predictor,
    faults,
    capture,
    get invocations() {
      return invocations;
    },
    async invoke(encodedName, headers, body) {
      const name = decodePathSegment(encodedName);
      if (name !== endpointName) return refuseName(encodedName, accountId);
      if (body.length === 0) {
        const message =
          "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must not be null";
        return jsonAnswer(400, { message }, 'ValidationError');
      }
      const badInferenceId = inferenceIdProblem(headers['x-amzn-sagemaker-inference-id']);
      if (badInferenceId) return jsonAnswer(400, { message: badInferenceId }, 'ValidationError');
      const failure = await injectedFailure();
      if (failure) {
        if (failure.status === 424) return modelError(500, failure.message);
        // The service's own errors (throttling, unavailable): no model answered, none counts.
        return jsonAnswer(failure.status, { message: failure.message }, FAULT_ERRORS[failure.status]);
      }
      // A model fault rule: the container answers an error instead of running the model.
      const modelFailure = modelFaults?.take(faultTarget);
      if (modelFailure) {
        invocations++;
        if (faults.latencyMs > 0) await sleep(faults.latencyMs);
        return modelError(modelFailure.status, modelFailure.message);
      }
      const result = await answer(headers, body);
      if (result === 'reset') return result;
      if (result.status !== 200) return modelError(result.status, result.body.toString('utf8'));
      const inferenceId = headers['x-amzn-sagemaker-inference-id'];
      return {
        status: 200,
        headers: {
          'Content-Type': result.contentType,
          'Content-Length': result.body.length,
          'x-Amzn-Invoked-Production-Variant': variantName,
          'x-amzn-RequestId': randomUUID(),
          ...(typeof inferenceId === 'string' ? { 'X-Amzn-SageMaker-Inference-Id': inferenceId } : {}),
        },
        body: result.body,
        served: { variantName, modelStatus: 200 },
        afterSend: () => recordCapture(headers, body, result),
      };
    },
    async invokeContainer(headers, body) {
      const failure = await injectedFailure();
      if (failure) return textAnswer(failure.status === 424 ? 500 : failure.status, failure.message);
      const result = await answer(headers, body);
      if (result === 'reset') return result;
      return {
        status: result.status,
        headers: { 'Content-Type': result.contentType, 'Content-Length': result.body.length },
        body: result.body,
        ...(result.status === 200 ? { afterSend: () => recordCapture(headers, body, result) } : {}),
      };
    },
    ping() {
      const healthy = predictor.ready();
      return { status: healthy ? 200 : 503, headers: { 'Content-Type': 'text/plain', 'Content-Length': 0 } };
    },
  };
}

/**
 * What InvokeEndpoint answers for a name no endpoint serves: the pattern's ValidationError for a
 * name SageMaker would never accept, else SageMaker's "not found" (a ValidationError too, 400).
 */
function refuseName(encodedName: string, accountId: string): InvocationAnswer {
  const name = decodePathSegment(encodedName);
  if (name === undefined || !ENDPOINT_NAME_PATTERN.test(name)) {
    const shown = name ?? encodedName;
    const message =
      `1 validation error detected: Value '${shown}' at 'endpointName' failed to satisfy constraint: ` +
      `Member must satisfy regular expression pattern: ${ENDPOINT_NAME_PATTERN.source.slice(1, -1)}`;
    return jsonAnswer(400, { message }, 'ValidationError');
  }
  const message = `Endpoint ${name} of account ${accountId} not found.`;
  return jsonAnswer(400, { message }, 'ValidationError');
}

/** Where a name finds no endpoint (the directory has none under it): SageMaker's refusal. */
export function unknownEndpoint(accountId: string): HostedEndpoint {
  return { invoke: async (encodedName) => refuseName(encodedName, accountId) };
}

/** A percent-encoded path segment, or `undefined` when its encoding is malformed (`%zz`). */
function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
