/**
 * Step Functions' optimized SNS integration, `arn:aws:states:::sns:publish` (request-response), as
 * the developer guide documents it ("Call Amazon SNS with Step Functions"): Parameters are
 * Publish's request; a `Message` that is not a string is sent as its JSON text; the result is
 * Publish's response (`MessageId`) beside the SDK metadata optimized integrations add. On the
 * embedded tier the topic is the local notification sink (src/embedded/events/notification-sink.ts).
 * Errors are named `SNS.<Exception>`, the names SNS's API reference gives them.
 */
import { randomUUID } from 'node:crypto';
import { TaskError } from '../../shared/index.ts';
import type { SdkIntegrationHandler, TopicPublisher } from '../types.ts';

export const SNS_PUBLISH = 'arn:aws:states:::sns:publish';

/** Publish's limit on a message: 256 KiB of UTF-8. */
const MAX_MESSAGE_BYTES = 262_144;
/** Publish's limit on a subject: 100 characters, ASCII printable, no line breaks. */
const SUBJECT = /^[\x20-\x7e]{1,100}$/;

function invalidParameter(message: string): TaskError {
  return new TaskError('SNS.InvalidParameterException', `Invalid parameter: ${message}`);
}

export function bindSnsPublish(
  stateName: string,
  publisher: TopicPublisher | undefined,
): SdkIntegrationHandler {
  if (!publisher)
    throw new Error(
      `State ${stateName}: ${SNS_PUBLISH} needs a topic to publish to, and this engine has none`,
    );
  return async (input) => {
    const { TopicArn, Message, Subject } = (input ?? {}) as Record<string, unknown>;
    if (typeof TopicArn !== 'string' || !TopicArn.startsWith('arn:'))
      throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    if (Message === undefined || Message === null)
      throw invalidParameter('Message Reason: Message is required');
    const text = typeof Message === 'string' ? Message : JSON.stringify(Message);
    if (text.length === 0) throw invalidParameter('Message Reason: Empty message');
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
    if (Subject !== undefined && !(typeof Subject === 'string' && SUBJECT.test(Subject)))
      throw invalidParameter('Subject');
    try {
      await publisher.publish(TopicArn, text, typeof Subject === 'string' ? Subject : undefined);
    } catch (error) {
      if (error instanceof TaskError) throw error;
      throw new TaskError('SNS.InternalErrorException', (error as Error).message);
    }
    const requestId = randomUUID();
    return {
      MessageId: randomUUID(),
      SdkHttpMetadata: { HttpHeaders: { 'x-amzn-RequestId': requestId }, HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: requestId },
    };
  };
}
