/**
 * Powertools Logger whose JSON lines go to a sink of ours. Powertools prints through a private
 * `Console` on process.stdout; `printLog` and `createLogger` are its documented extension points
 * for subclasses, so the embedded tier can send the very same records to a run's log file in
 * process without touching the global console. On Lambda the sink is stdout, as Powertools' own.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/** Takes one complete JSON document (no newline). */
export type LineSink = (line: string) => void;

/**
 * Writes each line to stdout: Lambda sends stdout to the function's log group and CloudWatch Logs
 * extracts the EMF documents as metrics, so no cloudwatch:PutMetricData permission is involved
 * (CloudWatch user guide, "Using the embedded metric format with Lambda").
 */
export const stdoutSink: LineSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** The sink of the logger being constructed: the base constructor may print before our fields exist. */
let constructingSink: LineSink | undefined;

export class SinkLogger extends Logger {
  readonly #sink: LineSink;

  constructor(sink: LineSink, options: ConstructorOptions = {}) {
    constructingSink = sink;
    super(options);
    constructingSink = undefined;
    this.#sink = sink;
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const sink = #sink in this ? this.#sink : constructingSink;
    sink?.(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: ConstructorOptions): SinkLogger {
    return new SinkLogger(this.#sink, options);
  }
}
