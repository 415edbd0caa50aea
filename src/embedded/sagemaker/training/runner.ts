/**
 * The TrainingRunner of the local SageMaker: the built-in image-classification algorithm played by
 * the kit's trainer. Downloads the channels from S3 (images and .lst files), trains in a worker
 * thread (terminated on StopTrainingJob or MaxRuntimeInSeconds), writes `model.tar.gz` in the
 * kit's artifact format (what the kit's endpoint loads) and logs as the algorithm does
 * (`Epoch[0] Train-accuracy=...`, the lines the SDK's metric definitions read).
 *
 *   const runner = createLocalTrainingRunner({ s3 });
 */
import { Worker } from 'node:worker_threads';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ModelOptions } from '../../../../training/model.ts';
import type { EpochProgress } from '../../../../training/train.ts';
import { kitThreadExecArgv } from '../../../threads.ts';
import { TrainingFailure } from '../errors.ts';
import type { TrainingProgress, TrainingRun, TrainingRunner, TrainingRunResult } from '../types.ts';
import { readChannel } from './channels.ts';
import { localTrainerSettings } from './settings.ts';
import type { WorkerInput } from './worker.ts';

export interface LocalTrainingRunnerOptions {
  s3: S3Client;
  /** Networks trained at once per training (an ensemble, one core each); default min(2, cores). */
  members?: number;
  /** Another network shape (tests train a smaller one). */
  model?: Partial<Omit<ModelOptions, 'classes'>>;
}

/** The MXNet algorithm's log prefix: `[12/01/2026 10:00:00 INFO 140291]`. */
function algorithmLine(message: string): string {
  const now = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${two(now.getUTCMonth() + 1)}/${two(now.getUTCDate())}/${now.getUTCFullYear()} ` +
    `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}`;
  return `[${stamp} INFO ${140000000000000 + process.pid}] ${message}`;
}

function trainInWorker(
  input: WorkerInput,
  signal: AbortSignal,
  onEpoch: (epoch: EpochProgress) => void,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      workerData: input,
      execArgv: kitThreadExecArgv(),
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = () => {
      // Terminating the thread ends the trainer's member threads too: nothing keeps training.
      void worker.terminate().then(() => settle(() => reject(signal.reason)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (report: { epoch?: EpochProgress; archive?: Uint8Array; error?: string }) => {
      if (report.epoch) onEpoch(report.epoch);
      if (report.error !== undefined) settle(() => reject(new Error(report.error)));
      if (report.archive) settle(() => resolve(report.archive as Uint8Array));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the training thread exited with code ${code}`))),
    );
    if (signal.aborted) onAbort();
  });
}

export function createLocalTrainingRunner(options: LocalTrainingRunnerOptions): TrainingRunner {
  const { s3 } = options;
  return {
    async run(job: TrainingRun, progress: TrainingProgress, signal: AbortSignal): Promise<TrainingRunResult> {
      const hp = job.hyperparameters;
      const log = (message: string) => progress.log(algorithmLine(message));
      if (hp.multi_label)
        throw new TrainingFailure(
          'ClientError: multi_label=1 is not available in the local trainer (single-label only).',
        );
      const { settings, notes } = localTrainerSettings(hp, job);
      progress.enter('Downloading', 'Downloading input data');
      log(`Reading the train and validation channels: ${job.channels.train} and ${job.channels.validation}`);
      const [train, validation] = await Promise.all(
        (['train', 'validation'] as const).map((name) =>
          readChannel(
            s3,
            { name, imagesUri: job.channels[name] as string, manifestUri: job.channels[`${name}_lst`] },
            hp.num_classes,
            signal,
          ),
        ),
      );
      if (!train || !validation) throw new TrainingFailure('ClientError: a channel could not be read');
      if (signal.aborted) throw signal.reason;
      if (train.count < hp.mini_batch_size)
        throw new TrainingFailure(
          'ClientError: The number of input images must be bigger or equal to the mini_batch_size.',
        );
      progress.enter('Training', 'Training image download completed. Training in progress.');
      log(
        `Read ${train.count} training and ${validation.count} validation images; classes ${train.classNames.join(', ')}`,
      );
      if (train.count !== hp.num_training_samples)
        log(
          `num_training_samples=${hp.num_training_samples} but the train channel holds ${train.count} images; training on ${train.count}`,
        );
      for (const line of notes) log(line);
      const members = Math.max(1, Math.min(options.members ?? 2, job.cores));
      let last: EpochProgress | undefined;
      const archive = await trainInWorker(
        {
          train,
          validation,
          settings: { ...settings, members },
          ...(options.model ? { model: options.model } : {}),
        },
        signal,
        (epoch) => {
          const index = epoch.epoch - 1;
          log(`Epoch[${index}] Train-accuracy=${epoch.trainAccuracy.toFixed(6)}`);
          log(`Epoch[${index}] Time cost=${epoch.seconds.toFixed(3)}`);
          log(`Epoch[${index}] Validation-accuracy=${epoch.validationAccuracy.toFixed(6)}`);
          progress.epoch(epoch);
          last = epoch;
        },
      ).catch((error: Error) => {
        if (signal.aborted) throw signal.reason;
        throw new TrainingFailure(`AlgorithmError: ${error.message}`);
      });
      progress.enter('Uploading', 'Uploading generated training model');
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(job.modelArtifactUri);
      if (!match)
        throw new TrainingFailure(
          `ClientError: S3OutputPath does not give an S3 location: ${job.modelArtifactUri}`,
        );
      await s3
        .send(
          new PutObjectCommand({
            Bucket: match[1],
            Key: match[2],
            Body: archive,
            ContentType: 'application/x-tar',
          }),
        )
        .catch((error: Error) => {
          throw new TrainingFailure(
            `ClientError: Failed to upload the model to ${job.modelArtifactUri}: ${error.message}`,
          );
        });
      log(`Saved the model to ${job.modelArtifactUri}`);
      return {
        modelArtifactUri: job.modelArtifactUri,
        finalMetrics: last
          ? [
              { name: 'train:accuracy', value: last.trainAccuracy },
              { name: 'validation:accuracy', value: last.validationAccuracy },
            ]
          : [],
      };
    },
  };
}
