/** Shapes of the local CloudWatch Logs: what it is built from, what it keeps, what it offers. */

export interface LogsServiceOptions {
  /** Folder of the journal (`journal.jsonl`: groups, streams and events in the order they came). */
  dataDir: string;
  /** Region of the ARNs; default `us-east-1`. */
  region?: string;
  /** Account of the ARNs; default the local account `000000000000`. */
  accountId?: string;
  /** Epoch milliseconds; tests pass a clock. */
  now?: () => number;
}

export interface LogsService {
  /** Runs `action` (`PutLogEvents`, ...) on a parsed JSON body; throws a LogsError. */
  call(action: string, input: unknown): Promise<unknown>;
  readonly actions: readonly string[];
  /**
   * Appends events from inside the kit (a training job's lines), creating the group and the
   * stream when missing; the events need not be in order (each is placed by its timestamp).
   */
  ingest(logGroupName: string, logStreamName: string, events: readonly InputLogEvent[]): void;
  /** Resolves once everything so far is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface InputLogEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

export interface StoredEvent extends InputLogEvent {
  ingestionTime: number;
  eventId: string;
}

export interface LogStreamState {
  logStreamName: string;
  creationTime: number;
  /** Sorted by timestamp, then by arrival. */
  events: StoredEvent[];
  lastIngestionTime?: number;
  storedBytes: number;
}

export interface LogGroupState {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  streams: Map<string, LogStreamState>;
}

/** One line of the journal. */
export type JournalEntry =
  | { kind: 'group'; group: string; time: number; tags?: Record<string, string> }
  | { kind: 'stream'; group: string; stream: string; time: number }
  | { kind: 'events'; group: string; stream: string; time: number; events: InputLogEvent[] };
