/**
 * Worker-thread entry of one local training (runner.ts): trains with the kit's trainer on the
 * images it is given, posts each epoch, then the packed model.tar.gz bytes. The runner terminates
 * this thread to stop a training (StopTrainingJob, MaxRuntimeInSeconds); the trainer's own member
 * threads end with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packModel } from '../../../../training/artifact.ts';
import type { LabeledImages } from '../../../../training/labeled-images.ts';
import type { ModelOptions } from '../../../../training/model.ts';
import { type TrainSettings, trainModel } from '../../../../training/train.ts';
import { metadataFor } from '../../../../training/train-job.ts';

export interface WorkerInput {
  train: LabeledImages;
  validation: LabeledImages;
  settings: Partial<TrainSettings>;
  model?: Partial<Omit<ModelOptions, 'classes'>>;
}

const port = parentPort;
if (!port) throw new Error('training/worker.ts runs as a worker thread');

try {
  const { train, validation, settings, model } = workerData as WorkerInput;
  const result = await trainModel({
    ...settings,
    ...(model ? { model } : {}),
    train,
    validation,
    onEpoch: (epoch) => port.postMessage({ epoch }),
  });
  const archive = await packModel(result.model, metadataFor(result, train.classNames));
  port.postMessage({ archive });
} catch (error) {
  port.postMessage({ error: (error as Error).message ?? String(error) });
}
