/** SageMaker Runtime's ModelError: how the service words an error the container answered. */
import { type Answer, jsonAnswer } from '../gateway/index.ts';

export interface ModelErrorContext {
  endpointName: string;
  region: string;
  accountId: string;
}

/** As SageMaker Runtime words a container error: ModelError 424 carrying the original answer. */
export function modelErrorAnswer(
  { endpointName, region, accountId }: ModelErrorContext,
  originalStatus: number,
  originalMessage: string,
): Answer {
  const kind = originalStatus >= 500 ? 'server' : 'client';
  const logGroup = `/aws/sagemaker/Endpoints/${endpointName}`;
  const message =
    `Received ${kind} error (${originalStatus}) from primary with message "${originalMessage}". ` +
    `See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=${logGroup} ` +
    `in account ${accountId} for more information.`;
  const body = {
    ErrorCode: kind === 'server' ? 'SERVER_ERROR_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL',
    LogStreamArn: `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}`,
    Message: message,
    OriginalMessage: originalMessage,
    OriginalStatusCode: originalStatus,
  };
  return jsonAnswer(424, body, 'ModelError');
}
