/**
 * Local training of the bicycle/motorcycle classifier on tfjs-wasm.
 *
 * `trainModel(options)`: images in (LabeledImages from the shared CIFAR reader or the staged
 * channels), a trained tf.LayersModel and its history out, `onEpoch` once per epoch with loss,
 * train accuracy, validation accuracy and seconds. tfjs-wasm runs one thread in Node, so with
 * `members: 2` (the default) two networks train at once in two worker threads, one per core, from
 * different seeds, and the served model averages their probabilities (an ensemble: both cores'
 * work buys accuracy instead of sitting idle). `members: 1` trains in this thread.
 *
 * Runs are reproducible: the shuffling, augmentation, weight initialisation and dropout of each
 * member draw from one generator seeded from `seed` and the member's index (tfjs draws from
 * `Math.random`, which is swapped for that generator while a member trains). The validation split
 * is only scored, never trained on; the test set is never seen here.
 * `train()` in train-job.ts wraps this as a SageMaker-style training job on the staged data.
 */
import { Worker } from 'node:worker_threads';
import { kitThreadExecArgv } from '../src/threads.ts';
import { tf, useWasmBackend } from './backend.ts';
import {
  augmentInto,
  channelStatistics,
  IMAGE_SIZE,
  IMAGE_VALUES,
  type Normalization,
  normalize,
  seededRandom,
  shuffle,
} from './dataset.ts';
import type { LabeledImages } from './labeled-images.ts';
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from './model.ts';
import {
  createNetwork,
  disposeNetwork,
  type ForwardResult,
  forward,
  layerWeights,
  toLayersModel,
  trainableVariables,
  updateMovingStatistics,
} from './network.ts';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Mean training loss (label-smoothed cross-entropy), averaged over members. */
  loss: number;
  /** On the augmented training batches, averaged over members. */
  trainAccuracy: number;
  /** Of the (ensemble) model on the validation split; NaN without one. */
  validationAccuracy: number;
  seconds: number;
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of the one-cycle schedule (linear warm-up, cosine decay to zero). */
  learningRate: number;
  warmupFraction: number;
  labelSmoothing: number;
  /** Maximum random translation in pixels (pad-and-crop augmentation); 0 disables it. */
  shift: number;
  seed: number;
  /** Networks trained in parallel (one worker thread each) and averaged; 1 trains in-process. */
  members: number;
}

export interface TrainOptions extends Partial<TrainSettings> {
  train: LabeledImages;
  /** Held-out images scored after every epoch (never trained on). */
  validation?: LabeledImages;
  model?: Partial<Omit<ModelOptions, 'classes'>>;
  onEpoch?: (progress: EpochProgress) => void;
}

export interface TrainResult {
  model: tf.LayersModel;
  normalization: Normalization;
  history: EpochProgress[];
  trainSeconds: number;
  settings: TrainSettings;
  modelOptions: ModelOptions;
}

export const TRAIN_DEFAULTS: TrainSettings = {
  epochs: 24,
  batchSize: 64,
  learningRate: 0.004,
  warmupFraction: 0.15,
  labelSmoothing: 0.1,
  shift: 4,
  seed: 1,
  members: 2,
};

function learningRateAt(step: number, totalSteps: number, peak: number, warmupFraction: number): number {
  const warmupSteps = Math.max(1, Math.round(totalSteps * warmupFraction));
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}

/** Runs `work` with Math.random replaced by `random`, so tfjs initialisers and dropout are seeded. */
export async function withSeededMathRandom<T>(random: () => number, work: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = random;
  try {
    return await work();
  } finally {
    Math.random = original;
  }
}

/** Class probabilities of `model` for normalized NHWC pixels, inference mode, in batches. */
export function probabilitiesOf(
  model: tf.LayersModel | ((images: tf.Tensor4D) => tf.Tensor),
  pixels: Float32Array,
  batch = 256,
): Float32Array[] {
  const count = pixels.length / IMAGE_VALUES;
  const rows: Float32Array[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const output = tf.tidy(() => {
      const input = tf.tensor4d(pixels.subarray(start * IMAGE_VALUES, (start + size) * IMAGE_VALUES), [
        size,
        IMAGE_SIZE,
        IMAGE_SIZE,
        3,
      ]);
      return model instanceof tf.LayersModel ? (model.predict(input) as tf.Tensor) : model(input);
    });
    const values = output.dataSync() as Float32Array;
    const classes = values.length / size;
    output.dispose();
    for (let i = 0; i < size; i++) rows.push(values.slice(i * classes, (i + 1) * classes));
  }
  return rows;
}

export function accuracyOfProbabilities(rows: Float32Array[], labels: Int32Array): number {
  let correct = 0;
  rows.forEach((row, i) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if ((row[c] as number) > (row[best] as number)) best = c;
    if (best === labels[i]) correct++;
  });
  return correct / labels.length;
}

/** Accuracy on normalized NHWC pixels. */
export function accuracyOf(model: tf.LayersModel, pixels: Float32Array, labels: Int32Array): number {
  return accuracyOfProbabilities(probabilitiesOf(model, pixels), labels);
}

/** What one member reports after each epoch. */
export interface MemberEpoch {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  seconds: number;
  /** Softmax outputs on the validation split (empty without one). */
  validationProbabilities: Float32Array[];
}

export interface MemberJob {
  train: LabeledImages;
  validation: LabeledImages | undefined;
  settings: TrainSettings;
  modelOptions: ModelOptions;
  normalization: Normalization;
  member: number;
}

/** Trains one network in this thread; returns its weights in serving-layer order. */
export async function trainMember(
  job: MemberJob,
  onEpoch: (epoch: MemberEpoch) => void,
): Promise<tf.Tensor[][]> {
  await useWasmBackend();
  const { settings, modelOptions, normalization } = job;
  const { epochs, batchSize } = settings;
  const classes = modelOptions.classes;
  // Members differ by seed only; the multiplier keeps member streams apart from nearby seeds.
  const random = seededRandom(settings.seed + 7919 * job.member);
  const trainPixels = normalize(job.train.pixels, normalization);
  const validationPixels = job.validation ? normalize(job.validation.pixels, normalization) : undefined;
  const count = job.train.count;
  if (count < batchSize) throw new Error(`need at least ${batchSize} training images, got ${count}`);
  const stepsPerEpoch = Math.floor(count / batchSize); // drop the ragged last batch: stable BN statistics
  const totalSteps = stepsPerEpoch * epochs;
  const batchPixels = new Float32Array(batchSize * IMAGE_VALUES);
  const batchLabels = new Int32Array(batchSize);

  return withSeededMathRandom(random, async () => {
    const network = createNetwork(modelOptions);
    const variables = trainableVariables(network);
    const optimizer = tf.train.adam(settings.learningRate);
    // tfjs' Adam reads its learning rate on every step; the schedule rewrites it per step.
    const schedulable = optimizer as unknown as { learningRate: number };
    let step = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const order = shuffle([...Array(count).keys()], random);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        for (let i = 0; i < batchSize; i++) {
          const index = order[b * batchSize + i] as number;
          const source = trainPixels.subarray(index * IMAGE_VALUES, (index + 1) * IMAGE_VALUES);
          augmentInto(source, batchPixels, i * IMAGE_VALUES, random, settings.shift);
          batchLabels[i] = job.train.labels[index] as number;
        }
        schedulable.learningRate = learningRateAt(
          step++,
          totalSteps,
          settings.learningRate,
          settings.warmupFraction,
        );
        let statistics: ForwardResult['statistics'] = [];
        const [loss, predicted] = tf.tidy(() => {
          const images = tf.tensor4d(batchPixels, [batchSize, IMAGE_SIZE, IMAGE_SIZE, 3]);
          const targets = tf.oneHot(tf.tensor1d(batchLabels, 'int32'), classes);
          let predictions: tf.Tensor | undefined;
          const cost = optimizer.minimize(
            () => {
              const result = forward(network, images, true);
              statistics = result.statistics;
              predictions = tf.keep(result.logits.argMax(-1));
              return tf.losses.softmaxCrossEntropy(
                targets,
                result.logits,
                undefined,
                settings.labelSmoothing,
              );
            },
            true,
            variables,
          ) as tf.Scalar;
          return [cost, predictions as tf.Tensor];
        });
        updateMovingStatistics(network, statistics);
        lossSum += loss.dataSync()[0] as number;
        const values = predicted.dataSync();
        for (let i = 0; i < batchSize; i++) if (values[i] === batchLabels[i]) correct++;
        tf.dispose([loss, predicted]);
      }
      const validationProbabilities = validationPixels
        ? probabilitiesOf((images) => tf.softmax(forward(network, images, false).logits), validationPixels)
        : [];
      onEpoch({
        epoch,
        loss: lossSum / stepsPerEpoch,
        trainAccuracy: correct / (stepsPerEpoch * batchSize),
        seconds: (performance.now() - epochStart) / 1000,
        validationProbabilities,
      });
    }
    optimizer.dispose();
    const weights = layerWeights(network);
    disposeNetwork(network);
    return weights;
  });
}

interface WorkerReport {
  epoch?: MemberEpoch;
  weights?: { values: Float32Array; shape: number[] }[][];
  error?: string;
}

/** Runs trainMember in a worker thread (train-worker.ts); resolves to the member's weights. */
function trainMemberInWorker(job: MemberJob, onEpoch: (epoch: MemberEpoch) => void): Promise<tf.Tensor[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./train-worker.ts', import.meta.url), {
      workerData: job,
      execArgv: kitThreadExecArgv(),
    });
    let settled = false;
    worker.on('message', (report: WorkerReport) => {
      if (report.epoch) onEpoch(report.epoch);
      if (report.error) {
        settled = true;
        reject(new Error(`training member ${job.member} failed: ${report.error}`));
      }
      if (report.weights) {
        settled = true;
        resolve(report.weights.map((layer) => layer.map((w) => tf.tensor(w.values, w.shape))));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training member ${job.member} exited with code ${code}`));
    });
  });
}

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  await useWasmBackend();
  const started = performance.now();
  const { train, validation, onEpoch, model: modelSettings, ...overrides } = options;
  const settings: TrainSettings = { ...TRAIN_DEFAULTS, ...overrides };
  const modelOptions: ModelOptions = {
    ...DEFAULT_MODEL_OPTIONS,
    ...modelSettings,
    classes: train.classNames.length,
  };
  const normalization = channelStatistics(train.pixels);
  const members = Math.max(1, Math.floor(settings.members));
  const reports = new Map<number, MemberEpoch[]>();
  const history: EpochProgress[] = [];

  // An epoch is reported once every member has finished it; validation scores the averaged model.
  const collect = (epoch: MemberEpoch) => {
    const arrived = [...(reports.get(epoch.epoch) ?? []), epoch];
    reports.set(epoch.epoch, arrived);
    if (arrived.length < members) return;
    reports.delete(epoch.epoch);
    const mean = (pick: (e: MemberEpoch) => number) => arrived.reduce((sum, e) => sum + pick(e), 0) / members;
    const averaged = (arrived[0]?.validationProbabilities ?? []).map((_, i) =>
      Float32Array.from(arrived[0]?.validationProbabilities[i] ?? [], (_, c) =>
        mean((e) => e.validationProbabilities[i]?.[c] ?? 0),
      ),
    );
    const progress: EpochProgress = {
      epoch: epoch.epoch,
      epochs: settings.epochs,
      loss: mean((e) => e.loss),
      trainAccuracy: mean((e) => e.trainAccuracy),
      validationAccuracy: validation ? accuracyOfProbabilities(averaged, validation.labels) : Number.NaN,
      seconds: Math.max(...arrived.map((e) => e.seconds)),
    };
    history.push(progress);
    onEpoch?.(progress);
  };

  const jobs: MemberJob[] = Array.from({ length: members }, (_, member) => ({
    train,
    validation,
    settings,
    modelOptions,
    normalization,
    member,
  }));
  const weights =
    members === 1
      ? [await trainMember(jobs[0] as MemberJob, collect)]
      : await Promise.all(jobs.map((job) => trainMemberInWorker(job, collect)));
  const model = toLayersModel(modelOptions, weights);
  tf.dispose(weights.flat(2));
  return {
    model,
    normalization,
    history,
    trainSeconds: (performance.now() - started) / 1000,
    settings,
    modelOptions,
  };
}
