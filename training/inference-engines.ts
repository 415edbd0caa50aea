/**
 * What runs the forward pass for the predictor: ONNX Runtime on an ONNX export of the model
 * (default: native kernels, ~0.25 ms of CPU per image per ensemble member here, against ~0.8-1.8
 * ms for tfjs-wasm), or tfjs itself when the export does not cover the model or is not wanted.
 * Both take normalized NHWC floats and return softmax rows; their outputs agree to ~1e-6.
 */
import * as ort from 'onnxruntime-node';
import { tf } from './backend.ts';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT, OnnxExportError } from './onnx-export.ts';

export type EngineName = 'onnx' | 'tfjs';

export interface InferenceEngine {
  readonly name: EngineName;
  /** `count` images of `shape` (h, w, c) in `pixels` -> count x classes probabilities. */
  run(pixels: Float32Array, count: number): Promise<Float32Array>;
  dispose(): void;
}

export function tfjsEngine(
  model: tf.LayersModel,
  [height, width, channels]: readonly number[],
): InferenceEngine {
  return {
    name: 'tfjs',
    async run(pixels, count) {
      const output = tf.tidy(
        () =>
          model.predict(tf.tensor4d(pixels, [count, height ?? 0, width ?? 0, channels ?? 0])) as tf.Tensor,
      );
      const values = output.dataSync() as Float32Array;
      output.dispose();
      return values;
    },
    dispose: () => model.dispose(),
  };
}

/** ONNX Runtime on the model's ONNX export; throws OnnxExportError for layers it cannot convert. */
export async function onnxEngine(model: tf.LayersModel, shape: readonly number[]): Promise<InferenceEngine> {
  const session = await ort.InferenceSession.create(exportOnnx(model), {
    // One thread: requests arriving together are batched, and the event loop needs the other core.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return {
    name: 'onnx',
    async run(pixels, count) {
      const input = new ort.Tensor('float32', pixels, [count, ...shape]);
      const outputs = await session.run({ [ONNX_INPUT]: input });
      return (outputs[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
    },
    dispose: () => {
      void session.release();
      model.dispose();
    },
  };
}

/** The requested engine; `onnx` falls back to tfjs (with a warning) when the export cannot cover the model. */
export async function createEngine(
  model: tf.LayersModel,
  shape: readonly number[],
  engine: EngineName = 'onnx',
): Promise<InferenceEngine> {
  if (engine === 'tfjs') return tfjsEngine(model, shape);
  try {
    return await onnxEngine(model, shape);
  } catch (error) {
    if (!(error instanceof OnnxExportError)) throw error;
    process.emitWarning(`model served with tfjs instead of ONNX Runtime: ${error.message}`);
    return tfjsEngine(model, shape);
  }
}
