/**
 * Progress of a promotion: typed events for the CLI (each with a ready-to-print `message`), and
 * the poller that waits on long-running SageMaker and Step Functions work, reporting status
 * transitions and metrics as they appear instead of a silent wait.
 */

export type PromoteEvent =
  | { type: 'target'; message: string }
  | { type: 'step'; step: string; message: string }
  | { type: 'status'; resource: string; status: string; message: string }
  | { type: 'metric'; resource: string; metric: string; value: number; message: string }
  | { type: 'info'; message: string };

export type ProgressListener = (event: PromoteEvent) => void;

export const printProgress: ProgressListener = (event) => console.log(event.message);

export interface Observation {
  /** Main status, e.g. InProgress, Completed. */
  status: string;
  /** Finer-grained status shown as transitions, e.g. SecondaryStatus "Downloading". */
  detail?: string;
  metrics?: { name: string; value: number }[];
  failureReason?: string;
}

export interface WaitOptions<T> {
  resource: string;
  describe: () => Promise<T>;
  observe: (described: T) => Observation;
  succeeded: readonly string[];
  failed: readonly string[];
  intervalMs: number;
  onProgress: ProgressListener;
  /** Give up after this long (the work itself goes on); default: no limit. */
  timeoutMs?: number;
}

export class WaitFailedError extends Error {
  override name = 'WaitFailedError';
}

export async function waitUntilDone<T>(options: WaitOptions<T>): Promise<T> {
  const { resource, onProgress } = options;
  const started = Date.now();
  let lastState = '';
  const lastMetric = new Map<string, number>();
  for (;;) {
    const described = await options.describe();
    const seen = options.observe(described);
    const state = seen.detail ? `${seen.status} (${seen.detail})` : seen.status;
    if (state !== lastState) {
      lastState = state;
      const elapsed = Math.round((Date.now() - started) / 1000);
      onProgress({
        type: 'status',
        resource,
        status: seen.status,
        message: `  ${resource}: ${state} [${elapsed}s]`,
      });
    }
    for (const { name, value } of seen.metrics ?? []) {
      if (lastMetric.get(name) === value) continue;
      lastMetric.set(name, value);
      onProgress({
        type: 'metric',
        resource,
        metric: name,
        value,
        message: `  ${resource}: ${name} = ${value}`,
      });
    }
    if (options.succeeded.includes(seen.status)) return described;
    if (options.failed.includes(seen.status)) {
      throw new WaitFailedError(
        `${resource} ended ${seen.status}: ${seen.failureReason ?? 'no reason given'}`,
      );
    }
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
      throw new WaitFailedError(`${resource} still ${seen.status} after ${options.timeoutMs} ms`);
    }
    await new Promise((done) => setTimeout(done, options.intervalMs));
  }
}
