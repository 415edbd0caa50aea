/**
 * Runs hyperparameter tuning jobs: launches training jobs (`<tuning>-<nnn>-<8 hex>`, as SageMaker
 * names them) with the tuning strategy's choices, at most MaxParallelTrainingJobs at once and never
 * more than the machine has cores (the trainings share them), until MaxNumberOfTrainingJobs have
 * run, StopHyperParameterTuningJob, or ResourceLimits.MaxRuntimeInSeconds. It ends Completed when
 * a training completed, Failed when none did, Stopped when stopped.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceContext, TuningJobRecord } from '../types.ts';
import { newTrainingJobRecord, type TrainingDefinition } from './admission.ts';
import type { TrainingExecutor } from './training-executor.ts';
import { tuningPlan } from './tuning-strategy.ts';

interface Loop {
  stopping: boolean;
  /** The service is closing: the job ends Failed, not Stopped. */
  shutdown: boolean;
  done: Promise<void>;
}

export interface TuningLimits {
  cores: number;
  /** Trainings this machine runs at once, tuning or not. */
  maxConcurrent: number;
}

export class TuningExecutor {
  readonly #context: ServiceContext;
  readonly #training: TrainingExecutor;
  readonly #limits: TuningLimits;
  readonly #loops = new Map<string, Loop>();

  constructor(context: ServiceContext, training: TrainingExecutor, limits: TuningLimits) {
    this.#context = context;
    this.#training = training;
    this.#limits = limits;
  }

  /** Parallel trainings a tuning job runs: its limit, capped by the cores. */
  parallelism(job: TuningJobRecord): number {
    return Math.max(
      1,
      Math.min(job.HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs, this.#limits.cores),
    );
  }

  start(job: TuningJobRecord): void {
    const loop: Loop = { stopping: false, shutdown: false, done: Promise.resolve() };
    loop.done = this.#run(job, loop).finally(() => this.#loops.delete(job.HyperParameterTuningJobName));
    this.#loops.set(job.HyperParameterTuningJobName, loop);
  }

  async settled(name: string): Promise<void> {
    await this.#loops.get(name)?.done;
  }

  stop(job: TuningJobRecord): void {
    const loop = this.#loops.get(job.HyperParameterTuningJobName);
    if (!loop || loop.stopping) return;
    loop.stopping = true;
    job.HyperParameterTuningJobStatus = 'Stopping';
    this.#touch(job);
    for (const { TrainingJobName } of job.Trainings) {
      const training = this.#context.tables.trainingJobs.get(TrainingJobName);
      if (training?.TrainingJobStatus === 'InProgress') this.#training.stop(training);
    }
  }

  /** Stops launching; the trainings are stopped by the training executor's close. */
  async close(): Promise<void> {
    for (const loop of this.#loops.values()) Object.assign(loop, { stopping: true, shutdown: true });
    await this.#training.close();
    await Promise.all([...this.#loops.values()].map((loop) => loop.done));
  }

  /** Tuning jobs left running by a stop of the process end Failed, saying so. */
  failInterrupted(): void {
    for (const job of this.#context.tables.tuningJobs.values()) {
      if (
        job.HyperParameterTuningJobStatus !== 'InProgress' &&
        job.HyperParameterTuningJobStatus !== 'Stopping'
      )
        continue;
      job.HyperParameterTuningJobStatus = 'Failed';
      job.FailureReason = 'The local SageMaker stopped while the tuning job was running (restart or crash).';
      job.HyperParameterTuningEndTime = this.#context.seconds();
      this.#touch(job);
    }
  }

  #touch(job: TuningJobRecord): void {
    job.LastModifiedTime = this.#context.seconds();
    this.#context.tables.tuningJobs.save();
  }

  #launch(job: TuningJobRecord, index: number, tuned: Record<string, string>, cores: number): string {
    const hash = createHash('sha256')
      .update(JSON.stringify([index, tuned]))
      .digest('hex')
      .slice(0, 8);
    const name = `${job.HyperParameterTuningJobName}-${String(index + 1).padStart(3, '0')}-${hash}`;
    const definition = job.TrainingJobDefinition as unknown as TrainingDefinition;
    const record = newTrainingJobRecord(this.#context, name, definition, {
      hyperParameters: { ...job.TrainingJobDefinition.StaticHyperParameters, ...tuned },
      tags: [],
      echo: {},
      tuningJobArn: job.HyperParameterTuningJobArn,
    });
    this.#context.tables.trainingJobs.put(name, record);
    job.Trainings.push({ TrainingJobName: name, TunedHyperParameters: tuned });
    this.#touch(job);
    this.#training.start(record, cores);
    return name;
  }

  async #run(job: TuningJobRecord, loop: Loop): Promise<void> {
    const plan = tuningPlan(job);
    const parallel = this.parallelism(job);
    const cores = Math.max(1, Math.floor(this.#limits.cores / parallel));
    const limit = job.HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds;
    const deadline = limit === undefined ? Number.POSITIVE_INFINITY : job.CreationTime + limit;
    const running = new Set<Promise<void>>();
    let next = job.Trainings.length;
    while (next < plan.count && !loop.stopping) {
      if (this.#context.seconds() >= deadline) {
        this.stop(job);
        break;
      }
      if (running.size >= parallel || this.#training.active >= this.#limits.maxConcurrent) {
        await Promise.race([...running, sleep(250, undefined, { ref: false })]);
        continue;
      }
      const index = next++;
      const name = this.#launch(job, index, plan.choose(index), cores);
      const settled: Promise<void> = this.#training.settled(name).finally(() => running.delete(settled));
      running.add(settled);
    }
    await Promise.all(running);
    const statuses = job.Trainings.map(({ TrainingJobName }) =>
      this.#context.tables.trainingJobs.get(TrainingJobName),
    );
    if (loop.shutdown) {
      job.HyperParameterTuningJobStatus = 'Failed';
      job.FailureReason = 'The local SageMaker stopped while the tuning job was running.';
    } else if (loop.stopping) job.HyperParameterTuningJobStatus = 'Stopped';
    else if (statuses.some((training) => training?.TrainingJobStatus === 'Completed'))
      job.HyperParameterTuningJobStatus = 'Completed';
    else {
      job.HyperParameterTuningJobStatus = 'Failed';
      const first = statuses.find((training) => training?.FailureReason)?.FailureReason;
      job.FailureReason = `All training jobs failed.${first ? ` The first: ${first}` : ''}`.slice(0, 1024);
    }
    job.HyperParameterTuningEndTime = this.#context.seconds();
    this.#touch(job);
  }
}
