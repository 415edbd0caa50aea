/**
 * Metric alarms: PutMetricAlarm (create or overwrite; a new alarm starts INSUFFICIENT_DATA,
 * "Unchecked: Initial alarm creation"; an overwritten one keeps its state), DescribeAlarms
 * (`AlarmNames` or `AlarmNamePrefix`, `StateValue`, `ActionPrefix`, pages of `MaxRecords` up to
 * 100, by name), DeleteAlarms (every name must exist, else ResourceNotFound and none is deleted),
 * SetAlarmState (until the next evaluation). Each change is in the alarm history (history.ts);
 * the definition's rules are in alarm-definition.ts.
 */

import { definitionOf } from './alarm-definition.ts';
import {
  InvalidFormatFault,
  InvalidParameterCombinationException,
  LimitExceededFault,
  MissingRequiredParameterException,
  ResourceNotFound,
} from './errors.ts';
import { recordConfigurationUpdate } from './history.ts';
import type { CloudWatchState } from './state.ts';
import type { AlarmStateValue, StoredAlarm } from './types.ts';
import { asInput, decodeToken, encodeToken, int, list, oneOf, str } from './validation.ts';

/** The local bound on alarms (AWS's default quota is per region, far above what a kit needs). */
const MAX_ALARMS = 5000;
const STATES: readonly AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

export interface AlarmsContext {
  state: CloudWatchState;
  region: string;
  accountId: string;
  now(): number;
  /** Evaluates one alarm now (after it is put). */
  evaluate(name: string): void;
  /** Sets an alarm's state, telling the listeners when it changes. */
  setState(name: string, value: AlarmStateValue, reason: string, reasonData?: string): void;
}

export function alarmArn(context: Pick<AlarmsContext, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:cloudwatch:${context.region}:${context.accountId}:alarm:${name}`;
}

/** An alarm as DescribeAlarms answers it (timestamps in epoch seconds, as JSON 1.0 writes them). */
export function describeAlarm(context: AlarmsContext, alarm: StoredAlarm) {
  const { Tags: _tags, ...definition } = alarm.definition;
  return {
    ...definition,
    AlarmArn: alarmArn(context, alarm.definition.AlarmName),
    AlarmConfigurationUpdatedTimestamp: alarm.configurationUpdated / 1000,
    StateValue: alarm.status.StateValue,
    StateReason: alarm.status.StateReason,
    ...(alarm.status.StateReasonData !== undefined ? { StateReasonData: alarm.status.StateReasonData } : {}),
    StateUpdatedTimestamp: alarm.status.StateUpdatedTimestamp / 1000,
    StateTransitionedTimestamp: alarm.status.StateTransitionedTimestamp / 1000,
  };
}

export function alarmOperations(context: AlarmsContext) {
  const { state } = context;
  return {
    PutMetricAlarm(raw: unknown) {
      const definition = definitionOf(raw);
      const existing = state.alarms.get(definition.AlarmName);
      if (!existing && state.alarms.size >= MAX_ALARMS)
        throw new LimitExceededFault(`The maximum number of alarms (${MAX_ALARMS}) has been reached.`);
      const now = context.now();
      recordConfigurationUpdate(state, existing ? 'Update' : 'Create', definition, now);
      state.record({
        kind: 'alarm',
        alarm: {
          definition,
          configurationUpdated: now,
          status: existing?.status ?? {
            StateValue: 'INSUFFICIENT_DATA',
            StateReason: 'Unchecked: Initial alarm creation',
            StateUpdatedTimestamp: now,
            StateTransitionedTimestamp: now,
          },
        },
      });
      context.evaluate(definition.AlarmName);
      return {};
    },
    DescribeAlarms(raw: unknown) {
      const input = asInput(raw);
      const names = list(input, 'AlarmNames', 100)?.map(String);
      const prefix = str(input, 'AlarmNamePrefix', 1, 255);
      if (names !== undefined && prefix !== undefined)
        throw new InvalidParameterCombinationException(
          'AlarmNames and AlarmNamePrefix cannot be specified together.',
        );
      const stateValue = oneOf(input, 'StateValue', STATES);
      const actionPrefix = str(input, 'ActionPrefix', 1, 1024);
      const types = list(input, 'AlarmTypes')?.map(String);
      const max = int(input, 'MaxRecords', 1, 100) ?? 50;
      const token = str(input, 'NextToken', 0, 4096);
      const after = token === undefined ? undefined : decodeToken(token);
      const wantsMetricAlarms = types === undefined || types.includes('MetricAlarm');
      const matching = wantsMetricAlarms
        ? [...state.alarms.values()]
            .filter((alarm) => {
              const name = alarm.definition.AlarmName;
              if (names !== undefined && !names.includes(name)) return false;
              if (prefix !== undefined && !name.startsWith(prefix)) return false;
              if (stateValue !== undefined && alarm.status.StateValue !== stateValue) return false;
              const { OKActions, AlarmActions, InsufficientDataActions } = alarm.definition;
              if (
                actionPrefix !== undefined &&
                ![...OKActions, ...AlarmActions, ...InsufficientDataActions].some((a) =>
                  a.startsWith(actionPrefix),
                )
              )
                return false;
              return after === undefined || name > after;
            })
            .sort((a, b) => (a.definition.AlarmName < b.definition.AlarmName ? -1 : 1))
        : [];
      const page = matching.slice(0, max);
      return {
        MetricAlarms: page.map((alarm) => describeAlarm(context, alarm)),
        CompositeAlarms: [],
        ...(matching.length > max
          ? { NextToken: encodeToken((page.at(-1) as StoredAlarm).definition.AlarmName) }
          : {}),
      };
    },
    DeleteAlarms(raw: unknown) {
      const input = asInput(raw);
      const names = list(input, 'AlarmNames', 100);
      if (names === undefined)
        throw new MissingRequiredParameterException('The parameter AlarmNames is required.');
      const unknown = names.map(String).filter((name) => !state.alarms.has(name));
      if (unknown.length > 0)
        throw new ResourceNotFound(
          `${unknown.length === 1 ? 'Alarm' : 'Alarms'} ${unknown.join(', ')} not found`,
        );
      const time = context.now();
      for (const name of names.map(String)) {
        const alarm = state.alarms.get(name);
        if (alarm) recordConfigurationUpdate(state, 'Delete', alarm.definition, time);
      }
      state.record({ kind: 'delete', names: names.map(String) });
      return {};
    },
    SetAlarmState(raw: unknown) {
      const input = asInput(raw);
      const name = str(input, 'AlarmName', 1, 255, true);
      const value = oneOf(input, 'StateValue', STATES);
      if (value === undefined)
        throw new MissingRequiredParameterException('The parameter StateValue is required.');
      const reason = str(input, 'StateReason', 0, 1023, true);
      const reasonData = str(input, 'StateReasonData', 0, 4000);
      if (reasonData !== undefined) {
        try {
          JSON.parse(reasonData);
        } catch {
          throw new InvalidFormatFault('StateReasonData is not valid JSON.');
        }
      }
      if (!state.alarms.has(name)) throw new ResourceNotFound(`Alarm ${name} not found`);
      context.setState(name, value, reason, reasonData);
      return {};
    },
  };
}
