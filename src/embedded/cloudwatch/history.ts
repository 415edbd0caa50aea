/**
 * Alarm history: what is recorded (a state change, an alarm created, updated or deleted, worded as
 * CloudWatch words its `HistorySummary`) and DescribeAlarmHistory (one alarm or all, by type and
 * time, newest first unless `ScanBy: TimestampAscending`, pages of `MaxRecords` up to 100).
 * Alarm actions are not run, so no `Action` items are written.
 */
import { InvalidNextToken } from './errors.ts';
import type { CloudWatchState } from './state.ts';
import type { AlarmDefinition, AlarmHistoryItem, AlarmStatus } from './types.ts';
import { asInput, decodeToken, encodeToken, int, list, oneOf, str, timestamp } from './validation.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export function recordStateUpdate(
  state: CloudWatchState,
  name: string,
  previous: AlarmStatus,
  next: AlarmStatus,
): void {
  state.record({
    kind: 'history',
    item: {
      AlarmName: name,
      AlarmType: 'MetricAlarm',
      Timestamp: next.StateUpdatedTimestamp,
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${previous.StateValue} to ${next.StateValue}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: previous.StateValue, stateReason: previous.StateReason },
        newState: {
          stateValue: next.StateValue,
          stateReason: next.StateReason,
          ...(next.StateReasonData !== undefined
            ? { stateReasonData: JSON.parse(next.StateReasonData) }
            : {}),
        },
      }),
    },
  });
}

export function recordConfigurationUpdate(
  state: CloudWatchState,
  change: 'Create' | 'Update' | 'Delete',
  definition: AlarmDefinition,
  time: number,
): void {
  const done = { Create: 'created', Update: 'updated', Delete: 'deleted' }[change];
  state.record({
    kind: 'history',
    item: {
      AlarmName: definition.AlarmName,
      AlarmType: 'MetricAlarm',
      Timestamp: time,
      HistoryItemType: 'ConfigurationUpdate',
      HistorySummary: `Alarm "${definition.AlarmName}" ${done}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        type: change,
        [change === 'Delete' ? 'deletedAlarm' : 'updatedAlarm']: { ...definition, timestamp: iso(time) },
      }),
    },
  });
}

export function describeAlarmHistory(state: CloudWatchState, raw: unknown) {
  const input = asInput(raw);
  const name = str(input, 'AlarmName', 1, 255);
  const types = list(input, 'AlarmTypes')?.map(String);
  const type = oneOf(input, 'HistoryItemType', [
    'ConfigurationUpdate',
    'StateUpdate',
    'Action',
    'AlarmContributorStateUpdate',
    'AlarmContributorAction',
  ]);
  const start = timestamp(input, 'StartDate') ?? Number.NEGATIVE_INFINITY;
  const end = timestamp(input, 'EndDate') ?? Number.POSITIVE_INFINITY;
  const max = int(input, 'MaxRecords', 1, 100) ?? 50;
  const ascending =
    oneOf(input, 'ScanBy', ['TimestampDescending', 'TimestampAscending']) === 'TimestampAscending';
  const token = str(input, 'NextToken', 0, 4096);
  const skip = token === undefined ? 0 : Number(decodeToken(token));
  if (!Number.isSafeInteger(skip) || skip < 0) throw new InvalidNextToken();
  const matching = state.history.filter(
    (item: AlarmHistoryItem) =>
      (name === undefined || item.AlarmName === name) &&
      (types === undefined || types.includes(item.AlarmType)) &&
      (type === undefined || item.HistoryItemType === type) &&
      item.Timestamp >= start &&
      item.Timestamp <= end,
  );
  if (!ascending) matching.reverse();
  const page = matching.slice(skip, skip + max);
  return {
    AlarmHistoryItems: page.map((item) => ({ ...item, Timestamp: item.Timestamp / 1000 })),
    ...(skip + max < matching.length ? { NextToken: encodeToken(String(skip + max)) } : {}),
  };
}
