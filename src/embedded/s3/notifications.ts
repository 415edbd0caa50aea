/**
 * Object-level events of the local S3 server, the embedded counterpart of S3 Event Notifications
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html). The server
 * emits one notification per object written or deleted, after the change is on disk and visible
 * (a listener that GETs the object finds it); what to make of it (an EventBridge event, a
 * started execution) belongs to the subscriber.
 */
import type { NotificationHandOff, ObjectChange, ObjectNotification, ObjectNotifications } from './types.ts';

/** Fixed widths, so that later sequencers also compare greater as strings. */
const TIME_DIGITS = 12;
const COUNTER_DIGITS = 6;

/** The server side: assigns sequencers and delivers to subscribers, isolated from their failures. */
export class ObjectNotificationHub implements ObjectNotifications {
  readonly #listeners = new Set<(notification: ObjectNotification) => void>();
  readonly #handOff: NotificationHandOff | undefined;
  #lastMs = 0;
  #counter = 0;

  constructor(handOff?: NotificationHandOff) {
    this.#handOff = handOff;
  }

  subscribe(listener: (notification: ObjectNotification) => void): () => void {
    // A fresh wrapper per subscription, so subscribing one function twice delivers twice.
    const entry = (notification: ObjectNotification) => listener(notification);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  get hasListeners(): boolean {
    return this.#listeners.size > 0;
  }

  /**
   * Milliseconds since the epoch, then a counter within the millisecond: increasing across events
   * of this process and, unless the clock goes back, across restarts of the server.
   */
  nextSequencer(): string {
    const now = Date.now();
    if (now > this.#lastMs) {
      this.#lastMs = now;
      this.#counter = 0;
    } else if (++this.#counter >= 16 ** COUNTER_DIGITS) {
      this.#lastMs++;
      this.#counter = 0;
    }
    return (
      this.#lastMs.toString(16).toUpperCase().padStart(TIME_DIGITS, '0') +
      this.#counter.toString(16).toUpperCase().padStart(COUNTER_DIGITS, '0')
    );
  }

  /** Delivers the change to subscribers; with a hand-off, resolves once it took the change too. */
  emit(change: ObjectChange): Promise<void> | undefined {
    const handOff = this.#handOff;
    if (this.#listeners.size === 0 && !handOff) return undefined;
    const notification: ObjectNotification = { ...change, sequencer: this.nextSequencer(), time: new Date() };
    this.deliver(notification);
    // A failed hand-off must not fail the write that caused it, as a throwing listener does not.
    return handOff?.(notification).catch(() => undefined);
  }

  /** Hands subscribers a notification as it is (one forwarded from a server in another thread). */
  deliver(notification: ObjectNotification): void {
    for (const listener of this.#listeners) {
      try {
        const result: unknown = listener(notification);
        // An async listener's rejection is its own business, never an unhandled rejection here.
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // A throwing listener must not change the response of the request that caused the event.
      }
    }
  }
}
