export {
  DEFAULT_ALARM_MINIMUMS,
  DEFAULT_ALARM_THRESHOLDS,
  evaluateAlarms,
  parseAlarmThresholds,
} from './alarms.ts';
export {
  ALARM_NAMES,
  type AlarmMinimums,
  type AlarmName,
  type AlarmResult,
  type AlarmThresholds,
} from './types.ts';
