/**
 * `createLogsService(options)`: the local CloudWatch Logs, without HTTP. `call(action, input)`
 * answers the JSON of the API or throws a LogsError the gateway writes as the JSON 1.1 envelope;
 * `ingest` is how the kit's own services log (a training job's lines).
 */

import { LOCAL_ACCOUNT, type Operation, operationTable } from '../shared/index.ts';
import {
  LogsError,
  SerializationException,
  ServiceUnavailableException,
  UnknownOperationException,
} from './errors.ts';
import { eventOperations } from './events.ts';
import { groupOperations, type LogsContext } from './groups.ts';
import { LogsState } from './state.ts';
import type { LogsService, LogsServiceOptions } from './types.ts';

export async function createLogsService(options: LogsServiceOptions): Promise<LogsService> {
  const context: LogsContext = {
    state: await LogsState.open(options.dataDir),
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? LOCAL_ACCOUNT,
    now: options.now ?? Date.now,
  };
  const operations: Record<string, Operation> = {
    ...groupOperations(context),
    ...eventOperations(context),
  };
  return {
    ...operationTable(operations, {
      unknownOperation: (name) => new UnknownOperationException(name),
      notAnObject: (name) => new SerializationException(`The request body of ${name} must be a JSON object.`),
      isServiceError: (error) => error instanceof LogsError,
      internal: (name, error) =>
        new ServiceUnavailableException(
          `${name} failed in the local CloudWatch Logs: ${(error as Error).message}`,
        ),
    }),
    ingest(group, stream, events) {
      const { state } = context;
      const time = context.now();
      if (!state.groups.has(group)) state.record({ kind: 'group', group, time });
      if (!state.groups.get(group)?.streams.has(stream))
        state.record({ kind: 'stream', group, stream, time });
      if (events.length > 0) state.record({ kind: 'events', group, stream, time, events: [...events] });
    },
    flush: () => context.state.flush(),
    close: () => context.state.flush(),
  };
}
