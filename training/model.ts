/**
 * The serving form of the classifier, as an ordinary tf.LayersModel (so model.json loads in any
 * tfjs): a small VGG-style CNN for 32x32 RGB images. Each block is conv3x3 + bias + ReLU (one
 * fused kernel), with 2x2 max-pooling between blocks, then global average pooling and a dense
 * softmax layer. An ensemble averages the probabilities of several such members in one model.
 * Training runs on network.ts (conv -> BatchNorm -> ReLU); at export the BatchNorm, being affine
 * at inference, is folded into the conv's kernel and bias, which computes the same function with
 * fewer kernels per request.
 */
import { tf } from './backend.ts';

export interface ModelOptions {
  /** Filters per block; a new block after each 2x2 pooling. */
  filters: number[];
  /** Convolutions per block. */
  convsPerBlock: number;
  classes: number;
  /** Dropout before the dense layer (training only). */
  dropout: number;
  /** BatchNorm moving-average momentum (0.99 lags badly on short runs). */
  batchNormMomentum: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  filters: [24, 48, 96, 192],
  convsPerBlock: 1,
  classes: 2,
  dropout: 0.2,
  batchNormMomentum: 0.9,
};

export const INPUT_SHAPE = [32, 32, 3] as const;

/** Layers of one member applied to `input`; `weighted` lists the layers with weights, in order. */
function memberLayers(
  options: ModelOptions,
  input: tf.SymbolicTensor,
): { output: tf.SymbolicTensor; weighted: tf.layers.Layer[] } {
  const weighted: tf.layers.Layer[] = [];
  let x = input;
  options.filters.forEach((filters, block) => {
    if (block > 0) x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
    for (let conv = 0; conv < options.convsPerBlock; conv++) {
      const layer = tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: true,
        activation: 'relu',
      });
      x = layer.apply(x) as tf.SymbolicTensor;
      weighted.push(layer);
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: options.classes, activation: 'softmax' });
  weighted.push(dense);
  return { output: dense.apply(pooled) as tf.SymbolicTensor, weighted };
}

export interface ServingModel {
  model: tf.LayersModel;
  /** Per member, its layers that hold weights, in network order (see network.ts). */
  members: tf.layers.Layer[][];
}

/** One model, or an ensemble averaging `members` models' probabilities. */
export function createServingModel(options: Partial<ModelOptions> = {}, members = 1): ServingModel {
  const settings = { ...DEFAULT_MODEL_OPTIONS, ...options };
  const input = tf.input({ shape: [...INPUT_SHAPE] });
  const built = Array.from({ length: members }, () => memberLayers(settings, input));
  const output =
    members === 1
      ? (built[0] as { output: tf.SymbolicTensor }).output
      : (tf.layers.average().apply(built.map((member) => member.output)) as tf.SymbolicTensor);
  return {
    model: tf.model({ inputs: input, outputs: output }),
    members: built.map((member) => member.weighted),
  };
}
