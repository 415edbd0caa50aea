/**
 * What the embedded engine remembers about executions, and StartExecution's naming rule for
 * Standard workflows (StartExecution API reference): a second start with the same name and input
 * while the first runs returns that execution; with a different input, or once the first has
 * closed, it fails with ExecutionAlreadyExists. AWS keeps closed executions' names for 90 days.
 *
 * Memory stays bounded on long runs: running executions are held until they close, then only a
 * summary (status, error, cause, decision-sized output, no history) is kept, for the newest
 * `maxClosed` executions. The caller that wanted a history got it with the finished record. With a
 * journal file, summaries are appended as JSON Lines and read back at start, so a restarted
 * `scones up` still knows each name and each key's outcome; the file is compacted to the newest
 * `maxClosed` entries when it has grown to twice that.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionStatusSnapshot } from '../../events/execution-events.ts';
import { isValidExecutionName } from '../../events/execution-name.ts';
import type { ExecutionRecord } from '../../workflow/execution.ts';
import { BatchedAppender } from '../shared/index.ts';
import type { ExecutionRegistryOptions, ExecutionSummary, StartedExecution, StartRequest } from './types.ts';

/** StartExecution's ExecutionAlreadyExists, naming the execution that holds the name. */
export class ExecutionAlreadyExists extends Error {
  override name = 'ExecutionAlreadyExists';
  readonly executionArn: string;

  constructor(executionArn: string, why: 'different input' | 'closed') {
    super(`Execution Already Exists: '${executionArn}' (${why})`);
    this.executionArn = executionArn;
  }
}

/** StartExecution's InvalidName: the name breaks Step Functions' name rules. */
export class InvalidName extends Error {
  override name = 'InvalidName';
  readonly executionName: string;

  constructor(executionName: string) {
    // AWS's wording; the rules are in isValidExecutionName.
    super(`Invalid Name: '${executionName}'`);
    this.executionName = executionName;
  }
}

type StatusListener = (snapshot: ExecutionStatusSnapshot) => void;

const MAX_KEPT_CHARS = 4096;

export class ExecutionRegistry {
  readonly maxClosed: number;
  readonly journal: string | undefined;
  readonly #running = new Map<string, { input: string; started: StartedExecution }>();
  readonly #closed = new Map<string, ExecutionSummary>();
  readonly #latestByObject = new Map<string, string>();
  readonly #listeners = new Set<StatusListener>();
  #journalLines = 0;
  /** Times the journal was rewritten (compacted) since start. */
  compactions = 0;
  readonly #appender: BatchedAppender | undefined;

  constructor(options: ExecutionRegistryOptions = {}) {
    this.maxClosed = options.maxClosed ?? 10_000;
    this.journal = options.journal;
    const journal = options.journal;
    if (journal) this.#appender = new BatchedAppender((text) => this.#appendToJournal(journal, text));
  }

  /** Reads the journal (if any); call once before the first start. */
  async load(): Promise<void> {
    if (!this.journal) return;
    let text: string;
    try {
      text = await readFile(this.journal, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const lines = text.split('\n').filter(Boolean);
    for (const [index, line] of lines.entries()) {
      try {
        this.#remember(JSON.parse(line) as ExecutionSummary);
      } catch {
        // A line cut short by a crash; the others still count.
        console.error(`executions: skipped unreadable line ${index + 1} of ${this.journal}`);
      }
    }
    this.#journalLines = lines.length;
    if (this.#journalLines > 2 * this.maxClosed) await this.#compact();
  }

  /** Status changes (RUNNING, then the final one) of every execution, as they happen. */
  subscribe(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts `run` under the request's name unless StartExecution's naming rule says otherwise. */
  start(request: StartRequest, run: () => Promise<ExecutionRecord>): StartedExecution {
    if (!isValidExecutionName(request.name)) throw new InvalidName(request.name);
    const input = JSON.stringify(request.input ?? null);
    const running = this.#running.get(request.name);
    if (running) {
      if (running.input === input) return { ...running.started, started: false };
      throw new ExecutionAlreadyExists(running.started.executionArn, 'different input');
    }
    const closed = this.#closed.get(request.name);
    if (closed) throw new ExecutionAlreadyExists(closed.executionArn, 'closed');
    const done = Promise.resolve()
      .then(run)
      .then(
        (record) => {
          this.#running.delete(request.name);
          this.#close(record);
          this.#emit({
            executionArn: record.executionArn,
            stateMachineArn: request.stateMachineArn,
            name: record.name,
            status: record.status,
            startDate: record.startDate,
            stopDate: record.stopDate,
            input: record.input,
            output: record.output,
            ...(record.error === undefined ? {} : { error: record.error }),
            ...(record.cause === undefined ? {} : { cause: record.cause }),
          });
          return record;
        },
        (error: unknown) => {
          this.#running.delete(request.name);
          throw error;
        },
      );
    const started: StartedExecution = {
      executionArn: request.executionArn,
      name: request.name,
      startDate: request.startDate,
      started: true,
      done,
    };
    this.#running.set(request.name, { input, started });
    this.#emit({ ...request, status: 'RUNNING' });
    return started;
  }

  get(name: string): ExecutionSummary | undefined {
    return this.#closed.get(name);
  }

  isRunning(name: string): boolean {
    return this.#running.has(name);
  }

  /** The newest closed execution about this object, e.g. to find an upload's outcome. */
  latestForObject(bucket: string, key: string): ExecutionSummary | undefined {
    const name = this.#latestByObject.get(objectKey(bucket, key));
    return name === undefined ? undefined : this.#closed.get(name);
  }

  /** Running executions by name, with their input as JSON (the Step Functions API lists them). */
  get running(): ReadonlyMap<string, { input: string; started: StartedExecution }> {
    return this.#running;
  }

  /** Closed executions kept, by name, least recently closed first. */
  get closed(): ReadonlyMap<string, ExecutionSummary> {
    return this.#closed;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  get closedCount(): number {
    return this.#closed.size;
  }

  /** Resolves when every running execution has closed and its summary is in the journal. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) {
      await Promise.allSettled([...this.#running.values()].map((entry) => entry.started.done));
    }
    await this.#appender?.idle();
  }

  #emit(snapshot: ExecutionStatusSnapshot): void {
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        // A listener (the event bus) must never fail the execution it was told about.
        console.error(`executions: status listener failed: ${(error as Error).message}`);
      }
    }
  }

  #close(record: ExecutionRecord): void {
    const summary = summarize(record);
    this.#remember(summary);
    // Errors are reported inside the write; a closing never waits on the disk.
    void this.#appender?.append(`${JSON.stringify(summary)}\n`);
  }

  /**
   * Appends what closed since the last write, then compacts if the file has grown past twice what
   * is kept. Deciding to compact here, after the append, and not when the execution closed,
   * matters under load: thousands of executions can close while one write is on the disk, and each
   * must not schedule a rewrite of the whole file of its own.
   */
  async #appendToJournal(journal: string, text: string): Promise<void> {
    try {
      await mkdir(path.dirname(journal), { recursive: true });
      await appendFile(journal, text);
      this.#journalLines += text.split('\n').length - 1;
      if (this.#journalLines > 2 * this.maxClosed) await this.#compact();
    } catch (error) {
      console.error(`executions: could not write ${journal}: ${(error as Error).message}`);
    }
  }

  #remember(summary: ExecutionSummary): void {
    this.#closed.delete(summary.name);
    this.#closed.set(summary.name, summary);
    if (summary.s3_bucket !== undefined && summary.s3_key !== undefined) {
      this.#latestByObject.set(objectKey(summary.s3_bucket, summary.s3_key), summary.name);
    }
    while (this.#closed.size > this.maxClosed) {
      const [oldestName, oldest] = this.#closed.entries().next().value as [string, ExecutionSummary];
      this.#closed.delete(oldestName);
      if (oldest.s3_bucket !== undefined && oldest.s3_key !== undefined) {
        const key = objectKey(oldest.s3_bucket, oldest.s3_key);
        if (this.#latestByObject.get(key) === oldestName) this.#latestByObject.delete(key);
      }
    }
  }

  /** Rewrites the journal with what is remembered (the newest maxClosed), atomically. */
  async #compact(): Promise<void> {
    if (!this.journal) return;
    const temporary = `${this.journal}.${process.pid}.tmp`;
    const lines = [...this.#closed.values()].map((summary) => `${JSON.stringify(summary)}\n`).join('');
    await writeFile(temporary, lines);
    await rename(temporary, this.journal);
    this.#journalLines = this.#closed.size;
    this.compactions++;
  }
}

function objectKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

function summarize(record: ExecutionRecord): ExecutionSummary {
  const input = (record.input ?? {}) as { s3_bucket?: unknown; s3_key?: unknown };
  const summary: ExecutionSummary = {
    name: record.name,
    executionArn: record.executionArn,
    status: record.status,
    startDate: record.startDate.toISOString(),
    stopDate: record.stopDate.toISOString(),
  };
  if (typeof input.s3_bucket === 'string') summary.s3_bucket = input.s3_bucket;
  if (typeof input.s3_key === 'string') summary.s3_key = input.s3_key;
  if (record.input !== undefined && JSON.stringify(record.input).length <= MAX_KEPT_CHARS) {
    summary.input = record.input;
  }
  if (record.output !== undefined && JSON.stringify(record.output).length <= MAX_KEPT_CHARS) {
    summary.output = record.output;
  }
  if (record.error !== undefined) summary.error = record.error;
  if (record.cause !== undefined) summary.cause = record.cause.slice(0, MAX_KEPT_CHARS);
  return summary;
}
