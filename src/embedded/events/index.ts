export { busRuleOf, LocalEventBus } from './event-bus.ts';
export { type NotificationRecord, NotificationSink } from './notification-sink.ts';
export { startEmbeddedTrigger } from './trigger.ts';
export type * from './types.ts';
