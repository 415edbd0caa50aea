/**
 * Local training of the bicycle/motorcycle classifier on tfjs-wasm (one core, SIMD).
 *
 * `trainModel(options)` is the in-memory trainer: images in, a trained tf.LayersModel and its
 * metrics out, one `onEpoch` call per epoch. Runs are reproducible: the split, shuffling,
 * augmentation, weight initialisation and dropout all draw from one seeded generator (tfjs draws
 * from `Math.random`, which is swapped for the seeded generator while training runs).
 * Model selection uses the held-out validation split only; the test set is never seen here.
 */
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
  type Network,
  toLayersModel,
  trainableVariables,
  updateMovingStatistics,
} from './network.ts';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  trainAccuracy: number;
  /** NaN when no validation split is held out. */
  validationAccuracy: number;
  seconds: number;
}

export interface TrainOptions {
  train: LabeledImages;
  /** Held-out images scored after every epoch (never trained on). */
  validation?: LabeledImages;
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate of the one-cycle schedule (linear warm-up, cosine decay to zero). */
  learningRate?: number;
  warmupFraction?: number;
  labelSmoothing?: number;
  /** Maximum random translation in pixels (pad-and-crop augmentation); 0 disables it. */
  shift?: number;
  seed?: number;
  model?: Partial<ModelOptions>;
  onEpoch?: (progress: EpochProgress) => void;
}

export interface TrainResult {
  model: tf.LayersModel;
  normalization: Normalization;
  history: EpochProgress[];
  trainSeconds: number;
}

export const TRAIN_DEFAULTS = {
  epochs: 24,
  batchSize: 64,
  learningRate: 0.004,
  warmupFraction: 0.15,
  labelSmoothing: 0.1,
  shift: 4,
  seed: 1,
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

/** Class scores of a trained network or a loaded model, inference mode. */
function scoresOf(model: tf.LayersModel | Network, images: tf.Tensor4D): tf.Tensor {
  return model instanceof tf.LayersModel
    ? (model.predict(images) as tf.Tensor)
    : forward(model, images, false).logits;
}

/** Accuracy on normalized NHWC pixels, in inference mode, in batches. */
export function accuracyOf(
  model: tf.LayersModel | Network,
  pixels: Float32Array,
  labels: Int32Array,
  batch = 256,
): number {
  let correct = 0;
  for (let start = 0; start < labels.length; start += batch) {
    const size = Math.min(batch, labels.length - start);
    const predicted = tf.tidy(() => {
      const input = tf.tensor4d(pixels.subarray(start * IMAGE_VALUES, (start + size) * IMAGE_VALUES), [
        size,
        IMAGE_SIZE,
        IMAGE_SIZE,
        3,
      ]);
      return scoresOf(model, input).argMax(-1);
    });
    const values = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < size; i++) if (values[i] === labels[start + i]) correct++;
  }
  return correct / labels.length;
}

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  await useWasmBackend();
  const settings = { ...TRAIN_DEFAULTS, ...options };
  const { epochs, batchSize } = settings;
  const classes = options.train.classNames.length;
  const modelOptions: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, ...options.model, classes };
  const random = seededRandom(settings.seed);
  const normalization = channelStatistics(options.train.pixels);
  const trainPixels = normalize(options.train.pixels, normalization);
  const validationPixels = options.validation
    ? normalize(options.validation.pixels, normalization)
    : undefined;
  const count = options.train.count;
  if (count < batchSize) throw new Error(`need at least ${batchSize} training images, got ${count}`);
  const stepsPerEpoch = Math.floor(count / batchSize); // drop the ragged last batch: stable BN statistics
  const totalSteps = stepsPerEpoch * epochs;
  const batchPixels = new Float32Array(batchSize * IMAGE_VALUES);
  const batchLabels = new Int32Array(batchSize);
  const history: EpochProgress[] = [];
  const started = performance.now();

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
          batchLabels[i] = options.train.labels[index] as number;
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
      const validationAccuracy =
        validationPixels && options.validation
          ? accuracyOf(network, validationPixels, options.validation.labels)
          : Number.NaN;
      const progress: EpochProgress = {
        epoch,
        epochs,
        loss: lossSum / stepsPerEpoch,
        trainAccuracy: correct / (stepsPerEpoch * batchSize),
        validationAccuracy,
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(progress);
      options.onEpoch?.(progress);
    }
    optimizer.dispose();
    const model = toLayersModel(network);
    disposeNetwork(network);
    return { model, normalization, history, trainSeconds: (performance.now() - started) / 1000 };
  });
}
