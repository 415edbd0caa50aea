/** The ONNX export refuses what it cannot convert, so the predictor can fall back to tfjs. */
import { describe, expect, it } from 'vitest';
import { tf, useWasmBackend } from '../../training/backend.ts';
import { exportOnnx, OnnxExportError } from '../../training/onnx-export.ts';

describe('exportOnnx', () => {
  it('throws OnnxExportError naming a layer it has no conversion for', async () => {
    await useWasmBackend();
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [4, 4, 3] }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    expect(() => exportOnnx(model)).toThrow(OnnxExportError);
    expect(() => exportOnnx(model)).toThrow(/Flatten/);
    model.dispose();
  });

  it('throws for an activation it does not map', async () => {
    await useWasmBackend();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 2,
          kernelSize: 3,
          padding: 'same',
          activation: 'tanh',
        }),
      ],
    });
    expect(() => exportOnnx(model)).toThrow(/activation tanh/);
    model.dispose();
  });
});
