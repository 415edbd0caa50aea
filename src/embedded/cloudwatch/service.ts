/**
 * `createCloudWatchService(options)`: the local CloudWatch metrics and alarms, without HTTP.
 * `call(action, input)` answers the JSON of the API or throws a CloudWatchError; alarms are
 * evaluated when put and on a timer (`evaluateAlarms()` on demand), and every state change
 * (evaluation or SetAlarmState) goes to the `onStateChange` listeners, the way CloudWatch sends
 * "CloudWatch Alarm State Change" events to EventBridge.
 */
import { LOCAL_ACCOUNT, type Operation, operationTable } from '../shared/index.ts';
import { type AlarmsContext, alarmArn, alarmOperations } from './alarms.ts';
import { emfMetrics } from './emf.ts';
import {
  CloudWatchError,
  InternalServiceFault,
  SerializationException,
  UnknownOperationException,
} from './errors.ts';
import { evaluateAlarm } from './evaluate.ts';
import { describeAlarmHistory, recordStateUpdate } from './history.ts';
import { putMetricData } from './put-metric-data.ts';
import { getMetricData, getMetricStatistics, listMetrics } from './read-metrics.ts';
import { CloudWatchState, metricKey } from './state.ts';
import type {
  AlarmStateListener,
  CloudWatchService,
  CloudWatchServiceOptions,
  EmfIngestion,
  MetricDatumInput,
} from './types.ts';

const DEFAULT_RETENTION_MS = 3 * 3_600_000;
const DEFAULT_EVALUATION_INTERVAL_MS = 10_000;
/** PutMetricData's limit of datums per call, which `ingest` keeps. */
const MAX_INGESTED_DATUMS = 1000;

export async function createCloudWatchService(options: CloudWatchServiceOptions): Promise<CloudWatchService> {
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const state = await CloudWatchState.open(
    options.dataDir,
    options.retentionMs ?? DEFAULT_RETENTION_MS,
    now,
    options.compactAfterLines,
  );
  const listeners = new Set<AlarmStateListener>();

  const setState: AlarmsContext['setState'] = (name, value, reason, reasonData) => {
    const alarm = state.alarms.get(name);
    if (!alarm) return;
    const time = now();
    const previous = alarm.status;
    const changed = previous.StateValue !== value;
    const next = {
      StateValue: value,
      StateReason: reason,
      ...(reasonData !== undefined ? { StateReasonData: reasonData } : {}),
      StateUpdatedTimestamp: time,
      StateTransitionedTimestamp: changed ? time : previous.StateTransitionedTimestamp,
    };
    state.setStatus(name, next);
    if (!changed) return;
    recordStateUpdate(state, name, previous, next);
    const change = {
      alarmName: name,
      alarmArn: alarmArn({ region, accountId }, name),
      region,
      accountId,
      time,
      previousState: {
        value: previous.StateValue,
        reason: previous.StateReason,
        ...(previous.StateReasonData !== undefined ? { reasonData: previous.StateReasonData } : {}),
        timestamp: previous.StateUpdatedTimestamp,
      },
      state: { value, reason, ...(reasonData !== undefined ? { reasonData } : {}), timestamp: time },
      configuration: alarm.definition,
    };
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        // A listener's fault is its own: the alarm's state is taken, the other listeners still hear.
        console.error(`CloudWatch: an alarm state listener failed: ${(error as Error).message}`);
      }
    }
  };

  const evaluate = (name: string) => {
    const alarm = state.alarms.get(name);
    if (!alarm) return;
    const { definition } = alarm;
    const series = state.metrics.get(
      metricKey({
        namespace: definition.Namespace,
        metricName: definition.MetricName,
        dimensions: definition.Dimensions,
      }),
    );
    const result = evaluateAlarm(definition, series?.data ?? [], now(), alarm.status.StateValue);
    if (result && result.value !== alarm.status.StateValue)
      setState(name, result.value, result.reason, result.reasonData);
  };

  function ingest(namespace: string, metricData: readonly MetricDatumInput[]): void {
    const data = metricData.map((datum) =>
      datum.Timestamp instanceof Date ? { ...datum, Timestamp: datum.Timestamp.getTime() / 1000 } : datum,
    );
    putMetricData(state, { Namespace: namespace, MetricData: data }, now(), true);
  }

  const context: AlarmsContext = { state, region, accountId, now, evaluate, setState };
  const operations: Record<string, Operation> = {
    PutMetricData: (input) => putMetricData(state, input, now()),
    ListMetrics: (input) => listMetrics(state, input, now()),
    GetMetricStatistics: (input) => getMetricStatistics(state, input),
    GetMetricData: (input) => getMetricData(state, input),
    ...alarmOperations(context),
    DescribeAlarmHistory: (input) => describeAlarmHistory(state, input),
  };
  const evaluateAlarms = () => {
    for (const name of [...state.alarms.keys()]) {
      try {
        evaluate(name);
      } catch (error) {
        // On the timer nothing could catch it: one alarm's fault must not stop the others, nor the stack.
        console.error(`CloudWatch: alarm ${name} could not be evaluated: ${(error as Error).message}`);
      }
    }
  };
  const interval = options.evaluationIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS;
  const timer = interval > 0 ? setInterval(evaluateAlarms, interval) : undefined;
  timer?.unref();

  return {
    ...operationTable(operations, {
      unknownOperation: (name) => new UnknownOperationException(name),
      notAnObject: (name) => new SerializationException(`The request body of ${name} must be a JSON object.`),
      isServiceError: (error) => error instanceof CloudWatchError,
      internal: (name, error) =>
        new InternalServiceFault(`${name} failed in the local CloudWatch: ${(error as Error).message}`),
    }),
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ingest,
    ingestEmf(message): EmfIngestion {
      const extraction = emfMetrics(message);
      if (extraction.kind !== 'metrics') return extraction;
      let datums = 0;
      try {
        for (const [namespace, data] of extraction.byNamespace) {
          // PutMetricData's rules (timestamps, dimension values) hold for extracted metrics too.
          for (let start = 0; start < data.length; start += MAX_INGESTED_DATUMS)
            ingest(namespace, data.slice(start, start + MAX_INGESTED_DATUMS));
          datums += data.length;
        }
      } catch (error) {
        if (!(error instanceof CloudWatchError)) throw error;
        return { kind: 'invalid', reason: error.message };
      }
      return { kind: 'metrics', datums };
    },
    evaluateAlarms,
    flush: () => state.flush(),
    async close() {
      if (timer) clearInterval(timer);
      await state.flush();
    },
  };
}
