/**
 * The classifier: a small VGG-style CNN for 32x32 RGB images. Each block is conv3x3 (no bias:
 * BatchNorm follows) -> BatchNorm -> ReLU, with 2x2 max-pooling between blocks, then global
 * average pooling, dropout and a dense softmax layer. Convolutions stay at stride 1 so every
 * gradient runs on the fast kernels in kernels.ts.
 */
import { tf } from './backend.ts';

export interface ModelOptions {
  /** Filters per block; a new block after each 2x2 pooling. */
  filters: number[];
  /** Convolutions per block. */
  convsPerBlock: number;
  classes: number;
  dropout: number;
  /** BatchNorm moving-average momentum (0.99 lags badly on short runs). */
  batchNormMomentum: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  filters: [32, 64, 128],
  convsPerBlock: 1,
  classes: 2,
  dropout: 0.2,
  batchNormMomentum: 0.9,
};

export const INPUT_SHAPE = [32, 32, 3] as const;

export function createModel(options: Partial<ModelOptions> = {}): tf.LayersModel {
  const { filters, convsPerBlock, classes, dropout, batchNormMomentum } = {
    ...DEFAULT_MODEL_OPTIONS,
    ...options,
  };
  const model = tf.sequential();
  filters.forEach((count, block) => {
    if (block > 0) model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    for (let conv = 0; conv < convsPerBlock; conv++) {
      model.add(
        tf.layers.conv2d({
          ...(block === 0 && conv === 0 ? { inputShape: [...INPUT_SHAPE] } : {}),
          filters: count,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: 'heNormal',
        }),
      );
      model.add(tf.layers.batchNormalization({ momentum: batchNormMomentum }));
      model.add(tf.layers.reLU());
    }
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout }));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  return model;
}
