/**
 * The log file of one embedded run, `<data dir>/logs/<run id>.jsonl`: every JSON line the Lambdas'
 * Powertools Logger and Metrics write (log records and CloudWatch EMF documents), the lines Lambda
 * would ship to CloudWatch Logs. `scones monitor` reads the EMF lines of every file there.
 *
 * Lines are gathered and written once per event-loop turn through one append stream, so hundreds of
 * executions a second cost a few writes, and nothing a handler does waits on the disk. With `echo`
 * (stderr for `--verbose`) the same lines go there too, and each batch goes to the listeners of
 * `onLines` (a running stack's CloudWatch Logs: lambda-log-streams.ts). A file that cannot be written
 * is reported once on stderr; the run goes on.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunLog, RunLogOptions } from './types.ts';

/** Folder of the run logs under a data dir. */
export function runLogDir(dataDir: string): string {
  return path.resolve(dataDir, 'logs');
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** How long written lines wait to be flushed together (close() flushes at once). */
const FLUSH_INTERVAL_MS = 20;

export async function openRunLog(dataDir: string, options: RunLogOptions = {}): Promise<RunLog> {
  const runId = options.runId ?? newRunId();
  if (!RUN_ID.test(runId)) {
    throw new TypeError(`run id must be 1-128 letters, digits, dots, dashes or underscores; got "${runId}"`);
  }
  const directory = runLogDir(dataDir);
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${runId}.jsonl`);
  const stream = createWriteStream(file, { flags: 'a' });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    if (!failure) process.stderr.write(`run log: cannot write ${file}: ${error.message}\n`);
    failure = error;
  });
  let queued: string[] = [];
  let scheduled = false;
  let lines = 0;
  const listeners = new Set<(batch: readonly string[]) => void>();
  let listenerFailed = false;

  const flush = () => {
    scheduled = false;
    if (queued.length === 0) return;
    const batch = queued;
    const text = `${batch.join('\n')}\n`;
    queued = [];
    if (!failure) stream.write(text);
    options.echo?.write(text);
    for (const listener of listeners) {
      try {
        listener(batch);
      } catch (error) {
        if (!listenerFailed)
          process.stderr.write(`run log: a listener failed: ${(error as Error).message}\n`);
        listenerFailed = true;
      }
    }
  };

  return {
    runId,
    path: file,
    write(line) {
      queued.push(line);
      lines++;
      if (!scheduled) {
        scheduled = true;
        // A few milliseconds of lines per write: at hundreds of executions a second, one write per
        // event-loop turn cost ~25 µs of this thread's CPU per execution in file-system calls.
        setTimeout(flush, FLUSH_INTERVAL_MS).unref();
      }
    },
    get lines() {
      return lines;
    },
    onLines(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush,
    close() {
      flush();
      return new Promise((done) => {
        if (stream.closed) return done();
        stream.end(() => done());
        // end()'s callback does not run when the stream failed; its close does.
        stream.once('close', () => done());
      });
    },
  };
}
