/**
 * The trainable network, written with tfjs core ops rather than tfjs-layers: the layers
 * BatchNormalization gradient makes ~15 full passes over every activation (the biggest cost of a
 * training step on wasm), while the fused BatchNorm+ReLU below has a hand-written gradient with
 * about half as many. For serving, `toLayersModel` copies the (BatchNorm-folded) weights into an ordinary
 * tf.LayersModel (model.ts), so artifacts load anywhere tfjs does.
 */
import { tf } from './backend.ts';
import { createServingModel, type ModelOptions } from './model.ts';

/** Keras' BatchNormalization default, so the exported layers compute the same function. */
const EPSILON = 1e-3;
const REDUCE_AXES = [0, 1, 2];

interface ConvBlockWeights {
  kernel: tf.Variable;
  gamma: tf.Variable;
  beta: tf.Variable;
  movingMean: tf.Variable;
  movingVariance: tf.Variable;
}

export interface Network {
  options: ModelOptions;
  convs: ConvBlockWeights[];
  denseKernel: tf.Variable;
  denseBias: tf.Variable;
}

function heNormal(shape: number[], fanIn: number): tf.Tensor {
  return tf.mul(tf.truncatedNormal(shape), Math.sqrt(2 / fanIn) / 0.87962566103423978);
}

export function createNetwork(options: ModelOptions): Network {
  const convs: ConvBlockWeights[] = [];
  let inChannels = 3;
  for (const filters of options.filters) {
    for (let i = 0; i < options.convsPerBlock; i++) {
      convs.push({
        kernel: tf.variable(heNormal([3, 3, inChannels, filters], 9 * inChannels)),
        gamma: tf.variable(tf.ones([filters])),
        beta: tf.variable(tf.zeros([filters])),
        movingMean: tf.variable(tf.zeros([filters]), false),
        movingVariance: tf.variable(tf.ones([filters]), false),
      });
      inChannels = filters;
    }
  }
  const limit = Math.sqrt(6 / (inChannels + options.classes)); // glorot uniform, as Keras' Dense
  return {
    options,
    convs,
    denseKernel: tf.variable(tf.randomUniform([inChannels, options.classes], -limit, limit)),
    denseBias: tf.variable(tf.zeros([options.classes])),
  };
}

interface BatchStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Training-mode BatchNorm followed by ReLU, one op with its own gradient. */
export function batchNormReluTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  statistics: BatchStatistics[],
): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.mean(input, REDUCE_AXES);
    const centered = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centered), REDUCE_AXES);
    const inverseStd = tf.rsqrt(tf.add(variance, EPSILON));
    const normalized = tf.mul(centered, inverseStd);
    const output = tf.relu(tf.add(tf.mul(normalized, scale), offset));
    statistics.push({ mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D });
    save([normalized, output, inverseStd, scale]);
    return {
      value: output,
      gradFunc: (dy, saved) => {
        const [xHat, y, invStd, gammaSaved] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const count = xHat.size / xHat.shape[3];
        const g = tf.mul(dy as tf.Tensor4D, tf.step(y)); // ReLU passes gradient where it was positive
        const dBeta = tf.sum(g, REDUCE_AXES);
        const dGamma = tf.sum(tf.mul(g, xHat), REDUCE_AXES);
        const a = tf.mul(gammaSaved, invStd);
        // dx = a * (g - dBeta/N - xHat * dGamma/N)
        const dx = tf.add(
          tf.mul(g, a),
          tf.add(tf.mul(xHat, tf.mul(a, tf.div(dGamma, -count))), tf.mul(a, tf.div(dBeta, -count))),
        );
        return [dx, dGamma, dBeta];
      },
    };
  });
  return (op as (...inputs: tf.Tensor[]) => tf.Tensor)(x, gamma, beta) as tf.Tensor4D;
}

export interface ForwardResult {
  logits: tf.Tensor2D;
  /** Per-conv batch statistics (training only), for the moving averages. */
  statistics: BatchStatistics[];
}

export function forward(network: Network, images: tf.Tensor4D, training: boolean): ForwardResult {
  const { filters, convsPerBlock, dropout } = network.options;
  const statistics: BatchStatistics[] = [];
  let x = images;
  let conv = 0;
  filters.forEach((_, block) => {
    if (block > 0) x = tf.maxPool(x, 2, 2, 'valid');
    for (let i = 0; i < convsPerBlock; i++) {
      const weights = network.convs[conv++] as ConvBlockWeights;
      const y = tf.conv2d(x, weights.kernel as tf.Tensor4D, 1, 'same');
      x = training
        ? batchNormReluTraining(y, weights.gamma as tf.Tensor1D, weights.beta as tf.Tensor1D, statistics)
        : tf.relu(
            tf.batchNorm4d(
              y,
              weights.movingMean as tf.Tensor1D,
              weights.movingVariance as tf.Tensor1D,
              weights.beta as tf.Tensor1D,
              weights.gamma as tf.Tensor1D,
              EPSILON,
            ),
          );
    }
  });
  let features = tf.mean(x, [1, 2]) as tf.Tensor2D;
  if (training && dropout > 0) features = tf.dropout(features, dropout) as tf.Tensor2D;
  const logits = tf.add(
    tf.matMul(features, network.denseKernel as tf.Tensor2D),
    network.denseBias,
  ) as tf.Tensor2D;
  return { logits, statistics };
}

/** Moves the BatchNorm moving averages towards this step's batch statistics, then frees them. */
export function updateMovingStatistics(network: Network, statistics: BatchStatistics[]): void {
  const momentum = network.options.batchNormMomentum;
  tf.tidy(() => {
    statistics.forEach(({ mean, variance }, i) => {
      const weights = network.convs[i] as ConvBlockWeights;
      weights.movingMean.assign(tf.add(tf.mul(weights.movingMean, momentum), tf.mul(mean, 1 - momentum)));
      weights.movingVariance.assign(
        tf.add(tf.mul(weights.movingVariance, momentum), tf.mul(variance, 1 - momentum)),
      );
    });
  });
  tf.dispose(statistics.flatMap(({ mean, variance }) => [mean, variance]));
}

export function trainableVariables(network: Network): tf.Variable[] {
  return [
    ...network.convs.flatMap((c) => [c.kernel, c.gamma, c.beta]),
    network.denseKernel,
    network.denseBias,
  ];
}

/**
 * The weights of each weighted layer of the serving model (model.ts), in its order, with each
 * inference-mode BatchNorm folded into its conv: scale = gamma / sqrt(movingVariance + eps),
 * kernel' = kernel * scale (per output channel), bias' = beta - movingMean * scale.
 */
export function layerWeights(network: Network): tf.Tensor[][] {
  return tf.tidy(() => [
    ...network.convs.map((c) => {
      const scale = tf.div(c.gamma, tf.sqrt(tf.add(c.movingVariance, EPSILON)));
      return [tf.mul(c.kernel, scale), tf.sub(c.beta, tf.mul(c.movingMean, scale))];
    }),
    [network.denseKernel.clone(), network.denseBias.clone()],
  ]);
}

/**
 * An ordinary tf.LayersModel (model.ts) holding trained weights, ready to save or serve; with
 * several members' weights, an ensemble averaging their probabilities.
 */
export function toLayersModel(options: ModelOptions, members: tf.Tensor[][][]): tf.LayersModel {
  const serving = createServingModel({ ...options, dropout: 0 }, members.length);
  serving.members.forEach((layers, m) => {
    const weights = members[m] as tf.Tensor[][];
    if (layers.length !== weights.length) {
      throw new Error(
        `member ${m} has ${weights.length} weighted layers, the serving model ${layers.length}`,
      );
    }
    layers.forEach((layer, i) => {
      layer.setWeights(weights[i] as tf.Tensor[]);
    });
  });
  return serving.model;
}

export function disposeNetwork(network: Network): void {
  tf.dispose([...network.convs.flatMap((c) => Object.values(c)), network.denseKernel, network.denseBias]);
}
