import { describe, expect, it } from 'vitest';
import { TaskError } from '../../src/embedded/shared/index.ts';
import {
  bindLambdaInvoke,
  payloadSize,
  STATE_PAYLOAD_LIMIT_BYTES,
} from '../../src/embedded/stepfunctions/index.ts';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:scones-dev-echo';

/** A string member that makes `build(filler)` exactly `bytes` long as JSON (filler of 'é': 2 bytes each). */
function sized(bytes: number, build: (filler: string) => unknown): unknown {
  const base = payloadSize(build(''));
  const missing = bytes - base;
  return build('é'.repeat(Math.floor(missing / 2)) + 'a'.repeat(missing % 2));
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return await promise;
  } catch (error) {
    return error;
  }
}

describe('lambda:invoke binding', () => {
  it('hands the handler a copy of the payload and returns a copy of its result in the envelope', async () => {
    const payload = { key: 'a.png', nested: { n: 1 } };
    let received: { nested: { n: number } } | undefined;
    const result = { decision: 'short-range', list: [1, 2] };
    const invoke = bindLambdaInvoke(ARN, async (event: never) => {
      received = event;
      return result;
    });
    const envelope = await invoke({ FunctionName: ARN, Payload: payload });
    expect(received).toEqual(payload);
    expect(received).not.toBe(payload);
    if (received) received.nested.n = 2;
    expect(payload.nested.n).toBe(1);
    expect(envelope).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: result });
    expect(envelope.Payload).not.toBe(result);
    expect(envelope.SdkResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a state input over 256 KiB (UTF-8 bytes of its JSON), to the byte', async () => {
    const invoke = bindLambdaInvoke(ARN, async () => ({}));
    const input = (filler: string) => ({ FunctionName: ARN, Payload: { image_data: filler } });
    const atLimit = sized(STATE_PAYLOAD_LIMIT_BYTES, input);
    const overLimit = sized(STATE_PAYLOAD_LIMIT_BYTES + 1, input);
    expect(payloadSize(atLimit)).toBe(STATE_PAYLOAD_LIMIT_BYTES);
    await expect(invoke(atLimit)).resolves.toMatchObject({ StatusCode: 200 });
    const refused = await outcome(invoke(overLimit));
    expect(refused).toBeInstanceOf(TaskError);
    expect(refused).toMatchObject({
      name: 'States.DataLimitExceeded',
      message: expect.stringContaining(`size of ${STATE_PAYLOAD_LIMIT_BYTES + 1} bytes`),
      isRetryable: false,
      isCatchable: false,
    });
  });

  it('refuses a result whose envelope is over 256 KiB, to the byte', async () => {
    let filler = '';
    const invoke = bindLambdaInvoke(ARN, async () => ({ image_data: filler }));
    // The envelope's other members have a fixed size (a request id is always 36 characters).
    const envelope = await invoke({ FunctionName: ARN, Payload: {} });
    const overhead = payloadSize({ ...envelope, Payload: { image_data: '' } });
    filler = 'a'.repeat(STATE_PAYLOAD_LIMIT_BYTES - overhead);
    await expect(invoke({ FunctionName: ARN, Payload: {} })).resolves.toMatchObject({ StatusCode: 200 });
    filler += 'a';
    await expect(invoke({ FunctionName: ARN, Payload: {} })).rejects.toMatchObject({
      name: 'States.DataLimitExceeded',
      message: expect.stringContaining(`size of ${STATE_PAYLOAD_LIMIT_BYTES + 1} bytes`),
    });
  });

  it('turns a function error into its errorType, with the Cause Step Functions records', async () => {
    const failure = Object.assign(new Error('no such key'), { name: 'ImageNotFound' });
    const invoke = bindLambdaInvoke(ARN, async () => {
      throw failure;
    });
    const error = (await outcome(invoke({ FunctionName: ARN, Payload: {} }))) as TaskError;
    expect(error).toBeInstanceOf(TaskError);
    expect(error.name).toBe('ImageNotFound');
    expect(error.isRetryable).toBe(true);
    expect(JSON.parse(error.message)).toMatchObject({
      errorType: 'ImageNotFound',
      errorMessage: 'no such key',
    });
  });

  it('gives an event of {} when Parameters have no Payload, and null for an undefined result', async () => {
    let received: unknown;
    const invoke = bindLambdaInvoke(ARN, async (event: never) => {
      received = event;
      return undefined;
    });
    const envelope = await invoke({ FunctionName: ARN });
    expect(received).toEqual({});
    expect(envelope.Payload).toBeNull();
  });
});
