/**
 * Runs training jobs through the injected TrainingRunner and moves each through SageMaker's
 * states: InProgress (Starting -> Downloading -> Training -> Uploading) -> Completed, or Stopping
 * -> Stopped (StopTrainingJob), Stopped with MaxRuntimeExceeded (StoppingCondition), Failed with a
 * FailureReason. Every secondary status is a SecondaryStatusTransition with SageMaker's message.
 */
import { parseHyperparameters } from '../algorithm/hyperparameters.ts';
import { TrainingFailure } from '../errors.ts';
import type {
  SecondaryStatus,
  ServiceContext,
  TrainingChannelName,
  TrainingJobRecord,
  TrainingLogEvent,
  TrainingRunner,
  TrainingRunResult,
} from '../types.ts';

type StopReason = 'stop' | 'runtime' | 'shutdown';

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export const STATUS_MESSAGES: Readonly<Record<SecondaryStatus, string>> = {
  Starting: 'Preparing the instances for training',
  Downloading: 'Downloading input data',
  Training: 'Training image download completed. Training in progress.',
  Uploading: 'Uploading generated training model',
  Completed: 'Training job completed',
  Stopping: 'Stopping the training job',
  Stopped: 'Training job stopped',
  MaxRuntimeExceeded: 'Training job runtime exceeded MaxRuntimeInSeconds provided',
  Failed: 'Training job failed',
};

const ALGORITHM_CHANNELS: readonly TrainingChannelName[] = [
  'train',
  'validation',
  'train_lst',
  'validation_lst',
];

/** The channels as the algorithm takes them; fails the job as the algorithm does when one is missing. */
function resolveChannels(job: TrainingJobRecord): Partial<Record<TrainingChannelName, string>> {
  const channels: Partial<Record<TrainingChannelName, string>> = {};
  for (const channel of job.InputDataConfig) {
    if (!ALGORITHM_CHANNELS.includes(channel.ChannelName as TrainingChannelName)) {
      throw new TrainingFailure(
        `ClientError: Unable to initialize the algorithm. Failed to validate input data configuration. ` +
          `(caused by ValidationError) Caused by: Additional properties are not allowed ` +
          `('${channel.ChannelName}' was unexpected)`,
      );
    }
    const uri = channel.DataSource.S3DataSource?.S3Uri ?? '';
    channels[channel.ChannelName as TrainingChannelName] = uri.endsWith('/') ? uri : `${uri}/`;
  }
  for (const required of ['train', 'validation'] as const) {
    if (!channels[required]) {
      throw new TrainingFailure(
        `ClientError: Unable to initialize the algorithm. Failed to validate input data configuration. ` +
          `(caused by ValidationError) Caused by: '${required}' is a required property`,
      );
    }
  }
  return channels;
}

export interface TrainingExecutorOptions {
  runner: TrainingRunner;
  onLog?: (event: TrainingLogEvent) => void;
}

export class TrainingExecutor {
  readonly #context: ServiceContext;
  readonly #options: TrainingExecutorOptions;
  readonly #running = new Map<string, Running>();
  readonly #stopReasons = new Map<string, StopReason>();

  constructor(context: ServiceContext, options: TrainingExecutorOptions) {
    this.#context = context;
    this.#options = options;
  }

  /** Trainings in flight. */
  get active(): number {
    return this.#running.size;
  }

  /** Starts `job` (a record in Starting) in the background; `cores` it may use. */
  start(job: TrainingJobRecord, cores: number): void {
    const controller = new AbortController();
    const done = this.#run(job, cores, controller.signal).finally(() => {
      this.#running.delete(job.TrainingJobName);
      this.#stopReasons.delete(job.TrainingJobName);
    });
    this.#running.set(job.TrainingJobName, { controller, done });
  }

  /** Resolves when `name` is no longer running (at once if it is not). */
  async settled(name: string): Promise<void> {
    await this.#running.get(name)?.done;
  }

  /** StopTrainingJob: the job goes Stopping now and Stopped once the runner has let go. */
  stop(job: TrainingJobRecord): void {
    this.#abort(job, 'stop');
  }

  /**
   * Jobs the state says are running, left so by a stop of the process (a crash, a kill): no
   * runner holds them any more, so they end Failed, saying so, instead of InProgress forever.
   */
  failInterrupted(): void {
    for (const job of this.#context.tables.trainingJobs.values()) {
      if (job.TrainingJobStatus !== 'InProgress' && job.TrainingJobStatus !== 'Stopping') continue;
      this.#failed(
        job,
        new TrainingFailure(
          'The local SageMaker stopped while the job was running (restart or crash); the training did not finish.',
        ),
      );
    }
  }

  /** Stops every training (they end Failed, saying the service stopped) and waits for them. */
  async close(): Promise<void> {
    const jobs = [...this.#running.keys()];
    for (const name of jobs) {
      const job = this.#context.tables.trainingJobs.get(name);
      if (job) this.#abort(job, 'shutdown');
    }
    await Promise.all([...this.#running.values()].map((entry) => entry.done));
  }

  #abort(job: TrainingJobRecord, reason: StopReason): void {
    const running = this.#running.get(job.TrainingJobName);
    if (!running || this.#stopReasons.has(job.TrainingJobName)) return;
    this.#stopReasons.set(job.TrainingJobName, reason);
    if (reason !== 'shutdown') {
      job.TrainingJobStatus = 'Stopping';
      this.#enter(job, 'Stopping');
    }
    running.controller.abort(new Error(`training ${reason}`));
  }

  #enter(job: TrainingJobRecord, status: SecondaryStatus, message = STATUS_MESSAGES[status]): void {
    const now = this.#context.seconds();
    const last = job.SecondaryStatusTransitions.at(-1);
    if (last && last.EndTime === undefined) last.EndTime = now;
    job.SecondaryStatusTransitions.push({ Status: status, StartTime: now, StatusMessage: message });
    job.SecondaryStatus = status;
    job.LastModifiedTime = now;
    this.#context.tables.trainingJobs.save();
  }

  async #run(job: TrainingJobRecord, cores: number, signal: AbortSignal): Promise<void> {
    const streamStart = Math.floor(job.CreationTime);
    const log = (message: string) =>
      this.#options.onLog?.({
        jobName: job.TrainingJobName,
        logStreamName: `${job.TrainingJobName}/algo-1-${streamStart}`,
        timestamp: Math.round(this.#context.seconds() * 1000),
        message,
      });
    const runtimeLimit = setTimeout(
      () => this.#abort(job, 'runtime'),
      job.StoppingCondition.MaxRuntimeInSeconds * 1000,
    );
    try {
      const hyperparameters = parseHyperparameters(job.HyperParameters);
      const channels = resolveChannels(job);
      const result = await this.#options.runner.run(
        {
          jobName: job.TrainingJobName,
          channels,
          hyperparameters,
          modelArtifactUri: `${job.OutputDataConfig.S3OutputPath.replace(/\/+$/, '')}/${job.TrainingJobName}/output/model.tar.gz`,
          cores,
          instanceType: job.ResourceConfig.InstanceType,
          instanceCount: job.ResourceConfig.InstanceCount,
        },
        {
          enter: (status, message) => {
            if (signal.aborted) return;
            if (status === 'Downloading') job.TrainingStartTime ??= this.#context.seconds();
            this.#enter(job, status, message);
          },
          log,
          epoch: () => {
            job.LastModifiedTime = this.#context.seconds();
          },
        },
        signal,
      );
      if (signal.aborted) throw signal.reason;
      this.#complete(job, result);
    } catch (error) {
      const reason = this.#stopReasons.get(job.TrainingJobName);
      if (reason) this.#stopped(job, reason);
      else this.#failed(job, error);
      log(job.FailureReason ?? STATUS_MESSAGES[job.SecondaryStatus]);
    } finally {
      clearTimeout(runtimeLimit);
    }
  }

  #finish(job: TrainingJobRecord): void {
    const now = this.#context.seconds();
    job.TrainingEndTime = now;
    const seconds = Math.max(1, Math.round(now - (job.TrainingStartTime ?? job.CreationTime)));
    job.TrainingTimeInSeconds = seconds;
    job.BillableTimeInSeconds = seconds;
  }

  #complete(job: TrainingJobRecord, result: TrainingRunResult): void {
    const now = this.#context.seconds();
    job.ModelArtifacts = { S3ModelArtifacts: result.modelArtifactUri };
    job.FinalMetricDataList = result.finalMetrics
      .filter((metric) => Number.isFinite(metric.value))
      .map((metric) => ({ MetricName: metric.name, Value: metric.value, Timestamp: now }));
    job.TrainingJobStatus = 'Completed';
    this.#finish(job);
    this.#enter(job, 'Completed');
  }

  #stopped(job: TrainingJobRecord, reason: StopReason): void {
    if (reason === 'shutdown') {
      this.#failed(job, new TrainingFailure('The local SageMaker stopped while the job was running.'));
      return;
    }
    job.TrainingJobStatus = 'Stopped';
    this.#finish(job);
    this.#enter(job, reason === 'runtime' ? 'MaxRuntimeExceeded' : 'Stopped');
  }

  #failed(job: TrainingJobRecord, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // Anything but a TrainingFailure is a fault of the algorithm's run, as AWS labels it.
    const reason = error instanceof TrainingFailure ? message : `AlgorithmError: ${message}`;
    job.FailureReason = reason.length > 1024 ? `${reason.slice(0, 1021)}...` : reason;
    job.TrainingJobStatus = 'Failed';
    this.#finish(job);
    this.#enter(job, 'Failed');
  }
}
