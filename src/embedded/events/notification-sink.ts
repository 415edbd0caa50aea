/**
 * The embedded stand-in for the SNS topic that failure notifications go to: every message is a
 * JSON Line in `<data dir>/notifications/<topic name>.jsonl` and, when a webhook URL is given, the
 * body of a POST to it. The webhook is best effort: its failures are logged, never thrown, and a
 * slow or dead webhook never holds up the file, the bus or the engine (at most MAX_IN_FLIGHT POSTs
 * are pending at once; beyond that a message is not POSTed, and the log says so).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseTargetInput } from '../../events/input-transformer.ts';

export interface NotificationRecord {
  /** ISO 8601 time the message was published. */
  time: string;
  topicArn: string;
  /** Publish's Subject, when one was given (an `sns:publish` Task's, a CloudWatch alarm's). */
  subject?: string;
  /** The message (the rule's InputTransformer output), parsed when it is JSON. */
  message: unknown;
}

export interface NotificationSinkOptions {
  /** Folder of the JSON Lines files, e.g. `<data dir>/notifications`. */
  directory: string;
  webhookUrl?: string;
  /** Default 5 s. */
  webhookTimeoutMs?: number;
  log?: (message: string) => void;
}

const MAX_IN_FLIGHT = 64;

export class NotificationSink {
  readonly directory: string;
  readonly webhookUrl: string | undefined;
  readonly #timeoutMs: number;
  readonly #log: (message: string) => void;
  readonly #listeners = new Set<(record: NotificationRecord) => void>();
  readonly #webhooks = new Set<Promise<void>>();
  #writes: Promise<void> = Promise.resolve();

  constructor(options: NotificationSinkOptions) {
    this.directory = options.directory;
    this.webhookUrl = options.webhookUrl;
    this.#timeoutMs = options.webhookTimeoutMs ?? 5000;
    this.#log = options.log ?? ((message) => console.error(message));
  }

  /** The JSON Lines file of a topic: its name is the last part of the ARN. */
  fileOf(topicArn: string): string {
    const topicName = topicArn.split(':').at(-1) || 'notifications';
    return path.join(this.directory, `${topicName.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`);
  }

  /** Called for every message published, e.g. to show it on the console. */
  subscribe(listener: (record: NotificationRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Publish: resolves when the line is in the file (not when the webhook answers). */
  publish(topicArn: string, messageText: string, subject?: string): Promise<void> {
    const record: NotificationRecord = {
      time: new Date().toISOString(),
      topicArn,
      ...(subject === undefined ? {} : { subject }),
      message: parseTargetInput(messageText),
    };
    const file = this.fileOf(topicArn);
    const line = `${JSON.stringify(record)}\n`;
    // One write at a time: lines never interleave, and idle() waits for all of them.
    const written = this.#writes.then(async () => {
      await mkdir(this.directory, { recursive: true });
      await appendFile(file, line);
    });
    this.#writes = written.catch(() => undefined);
    if (this.webhookUrl) this.#post(this.webhookUrl, record);
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        this.#log(`notifications: listener failed: ${(error as Error).message}`);
      }
    }
    return written;
  }

  /** Resolves when every line is written and every webhook POST has answered or timed out. */
  async idle(): Promise<void> {
    await this.#writes;
    while (this.#webhooks.size > 0) await Promise.allSettled([...this.#webhooks]);
  }

  #post(url: string, record: NotificationRecord): void {
    if (this.#webhooks.size >= MAX_IN_FLIGHT) {
      this.#log(
        `notifications: ${MAX_IN_FLIGHT} webhook POSTs pending; not POSTing this one (it is in the file)`,
      );
      return;
    }
    const request = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(record),
      signal: AbortSignal.timeout(this.#timeoutMs),
    })
      .then(async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) this.#log(`notifications: webhook ${url} answered ${response.status}`);
      })
      .catch((error: unknown) => {
        this.#log(`notifications: webhook ${url} failed: ${(error as Error).message}`);
      })
      .finally(() => this.#webhooks.delete(request));
    this.#webhooks.add(request);
  }
}
