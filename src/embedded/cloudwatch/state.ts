/**
 * What the local CloudWatch keeps: each metric's datapoints within the retention window and the
 * alarms, in memory and in a journal (`<dataDir>/journal.jsonl`) replayed at start. The journal is
 * rewritten at start from what is kept (datapoints past the window dropped), so neither memory nor
 * the file grows without bound across restarts; while running, datapoints past the window are
 * dropped from memory as new ones come, and the file is rewritten every 20,000 lines. A line that does not parse (the process died mid-write)
 * ends the replay there.
 */
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BatchedAppender, readJournal } from '../shared/index.ts';
import type {
  AlarmHistoryItem,
  AlarmStatus,
  JournalEntry,
  MetricId,
  StoredAlarm,
  StoredDatum,
} from './types.ts';

/**
 * Datums kept per metric at most (each one PutMetricData datum, up to 150 values): a metric put
 * to many times a second still has a bounded share of memory; the oldest go first.
 */
export const MAX_DATA_PER_METRIC = 20_000;

/** Journal lines written between two rewrites of the file (each from what it holds). */
export const COMPACT_AFTER_LINES = 20_000;

/** Alarm history items kept at most (AWS keeps two weeks); the oldest go first. */
export const MAX_HISTORY_ITEMS = 10_000;

export interface MetricSeries {
  metric: MetricId;
  /** Sorted by time. */
  data: StoredDatum[];
  /** Epoch milliseconds of the newest datum taken (ListMetrics' RecentlyActive). */
  lastPut: number;
}

/** A metric's identity as a map key: namespace, name, dimensions sorted by name. */
export function metricKey(metric: MetricId): string {
  return JSON.stringify([
    metric.namespace,
    metric.metricName,
    metric.dimensions.map((d) => [d.Name, d.Value]),
  ]);
}

export class CloudWatchState {
  readonly metrics = new Map<string, MetricSeries>();
  readonly alarms = new Map<string, StoredAlarm>();
  /** Oldest first. */
  readonly history: AlarmHistoryItem[] = [];
  readonly #appender: BatchedAppender;
  readonly #journal: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #compactAfter: number;

  /** Lines in the journal file since it was last rewritten. */
  #lines = 0;

  private constructor(journal: string, retentionMs: number, now: () => number, compactAfter: number) {
    this.#journal = journal;
    this.#retentionMs = retentionMs;
    this.#now = now;
    this.#compactAfter = compactAfter;
    // The rewrite runs inside the appender's chain, so it never races an append.
    this.#appender = new BatchedAppender(
      (text) => appendFile(journal, text),
      async (lines) => {
        this.#lines += lines;
        if (this.#lines > this.#compactAfter)
          await this.#compactFile().catch((error: Error) => {
            console.error(`CloudWatch: could not compact ${this.#journal}: ${error.message}`);
          });
      },
    );
  }

  static async open(
    dataDir: string,
    retentionMs: number,
    now: () => number,
    compactAfter = COMPACT_AFTER_LINES,
  ): Promise<CloudWatchState> {
    await mkdir(dataDir, { recursive: true });
    const journal = path.join(dataDir, 'journal.jsonl');
    const state = await CloudWatchState.#replay(journal, retentionMs, now, compactAfter);
    state.#lines = await state.#compact();
    return state;
  }

  /** A state replayed from the journal file, datapoints past the window dropped. */
  static async #replay(
    journal: string,
    retentionMs: number,
    now: () => number,
    compactAfter: number,
  ): Promise<CloudWatchState> {
    const state = new CloudWatchState(journal, retentionMs, now, compactAfter);
    for (const entry of await readJournal<JournalEntry>(journal)) state.#apply(entry);
    for (const series of state.metrics.values()) state.#prune(series);
    return state;
  }

  /**
   * Rewrites the journal file from what it holds (not from memory, where changes not yet written
   * are already applied and would be written twice).
   */
  async #compactFile(): Promise<void> {
    const replayed = await CloudWatchState.#replay(
      this.#journal,
      this.#retentionMs,
      this.#now,
      this.#compactAfter,
    );
    this.#lines = await replayed.#compact();
  }

  /** Applies a change and journals it. */
  record(entry: JournalEntry): void {
    this.#apply(entry);
    void this.#appender.append(`${JSON.stringify(entry)}\n`).catch((error: Error) => {
      console.error(`CloudWatch: could not write ${this.#journal}: ${error.message}`);
    });
  }

  setStatus(name: string, status: AlarmStatus): void {
    this.record({ kind: 'status', name, status });
  }

  flush(): Promise<void> {
    return this.#appender.idle();
  }

  /** Rewrites the journal as one line per metric, alarm and history item (written aside, then renamed); the lines written. */
  async #compact(): Promise<number> {
    const lines: string[] = [];
    for (const series of this.metrics.values())
      if (series.data.length > 0)
        lines.push(JSON.stringify({ kind: 'data', metric: series.metric, data: series.data }));
    for (const alarm of this.alarms.values()) lines.push(JSON.stringify({ kind: 'alarm', alarm }));
    for (const item of this.history) lines.push(JSON.stringify({ kind: 'history', item }));
    const aside = `${this.#journal}.compacting`;
    await writeFile(aside, lines.map((line) => `${line}\n`).join(''));
    await rename(aside, this.#journal);
    return lines.length;
  }

  #apply(entry: JournalEntry): void {
    switch (entry.kind) {
      case 'data': {
        const key = metricKey(entry.metric);
        let series = this.metrics.get(key);
        if (!series) {
          series = { metric: entry.metric, data: [], lastPut: 0 };
          this.metrics.set(key, series);
        }
        for (const datum of entry.data) insertSorted(series.data, datum);
        series.lastPut = Math.max(series.lastPut, ...entry.data.map((d) => d.t));
        this.#prune(series);
        return;
      }
      case 'alarm':
        this.alarms.set(entry.alarm.definition.AlarmName, entry.alarm);
        return;
      case 'status': {
        const alarm = this.alarms.get(entry.name);
        if (alarm) alarm.status = entry.status;
        return;
      }
      case 'delete':
        for (const name of entry.names) this.alarms.delete(name);
        return;
      case 'history':
        this.history.push(entry.item);
        if (this.history.length > MAX_HISTORY_ITEMS)
          this.history.splice(0, this.history.length - MAX_HISTORY_ITEMS);
        return;
    }
  }

  /** Drops the datapoints older than the retention window, and the oldest past the per-metric bound. */
  #prune(series: MetricSeries): void {
    const oldest = this.#now() - this.#retentionMs;
    let drop = Math.max(0, series.data.length - MAX_DATA_PER_METRIC);
    while (drop < series.data.length && (series.data[drop] as StoredDatum).t < oldest) drop++;
    if (drop > 0) series.data.splice(0, drop);
  }
}

function insertSorted(list: StoredDatum[], datum: StoredDatum): void {
  let at = list.length;
  while (at > 0 && (list[at - 1] as StoredDatum).t > datum.t) at--;
  list.splice(at, 0, datum);
}
