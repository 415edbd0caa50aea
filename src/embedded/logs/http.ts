/** CloudWatch Logs on the gateway: JSON 1.1, `X-Amz-Target: Logs_20140328.<Action>`, signed for `logs`. */
import { jsonServiceRoute, type Route } from '../gateway/index.ts';
import type { LogsService } from './types.ts';

/** A full PutLogEvents batch (1,048,576 bytes of messages) as JSON, escapes included, with room. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export function logsRoute(service: LogsService): Route {
  return jsonServiceRoute({
    name: 'logs',
    signingName: 'logs',
    targetPrefix: 'Logs_20140328.',
    maxBodyBytes: MAX_REQUEST_BYTES,
    call: (action, input) => service.call(action, input),
  });
}
