/**
 * What the local CloudWatch Logs keeps: groups, their streams and events in memory, and a journal
 * (`<dataDir>/journal.jsonl`) of every change in the order it was taken, replayed at start. A
 * journal line that does not parse (the process died mid-write) ends the replay there.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BatchedAppender, readJournal } from '../shared/index.ts';
import type { InputLogEvent, JournalEntry, LogGroupState, LogStreamState, StoredEvent } from './types.ts';

export class LogsState {
  readonly groups = new Map<string, LogGroupState>();
  readonly #appender: BatchedAppender;
  readonly #journal: string;

  private constructor(journal: string) {
    this.#journal = journal;
    this.#appender = new BatchedAppender((text) => appendFile(journal, text));
  }

  static async open(dataDir: string): Promise<LogsState> {
    await mkdir(dataDir, { recursive: true });
    const state = new LogsState(path.join(dataDir, 'journal.jsonl'));
    for (const entry of await readJournal<JournalEntry>(state.#journal)) state.#apply(entry);
    return state;
  }

  /** Applies a change and journals it. */
  record(entry: JournalEntry): void {
    this.#apply(entry);
    void this.#appender.append(`${JSON.stringify(entry)}\n`).catch((error: Error) => {
      console.error(`CloudWatch Logs: could not write ${this.#journal}: ${error.message}`);
    });
  }

  flush(): Promise<void> {
    return this.#appender.idle();
  }

  #apply(entry: JournalEntry): void {
    if (entry.kind === 'group') {
      this.groups.set(entry.group, {
        logGroupName: entry.group,
        creationTime: entry.time,
        tags: entry.tags ?? {},
        streams: new Map(),
      });
      return;
    }
    const group = this.groups.get(entry.group);
    if (!group) return;
    if (entry.kind === 'stream') {
      group.streams.set(entry.stream, {
        logStreamName: entry.stream,
        creationTime: entry.time,
        events: [],
        storedBytes: 0,
      });
      return;
    }
    const stream = group.streams.get(entry.stream);
    if (stream) addEvents(stream, entry.events, entry.time);
  }
}

/** Places events by timestamp (after those of the same time already there). */
function addEvents(stream: LogStreamState, events: readonly InputLogEvent[], ingestionTime: number): void {
  for (const event of events) {
    const stored: StoredEvent = { ...event, ingestionTime, eventId: randomUUID().replaceAll('-', '') };
    const list = stream.events;
    let at = list.length;
    while (at > 0 && (list[at - 1] as StoredEvent).timestamp > event.timestamp) at--;
    list.splice(at, 0, stored);
    stream.storedBytes += Buffer.byteLength(event.message);
  }
  stream.lastIngestionTime = ingestionTime;
}
