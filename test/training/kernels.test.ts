/**
 * The wasm training kernels (training/kernels.ts) and the fused BatchNorm+ReLU gradient
 * (training/network.ts) against tfjs' pure-JS CPU backend, on small random shapes covering the
 * strides, paddings and fallbacks the trainer can hit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, useWasmBackend } from '../../training/backend.ts';
import { seededRandom } from '../../training/dataset.ts';
import { batchNormReluTraining } from '../../training/network.ts';

const TOLERANCE = 1e-4;
const random = seededRandom(42);

function randomValues(shape: number[]): { values: Float32Array; shape: number[] } {
  const size = shape.reduce((a, b) => a * b, 1);
  // Distinct values, so max-pool windows have no ties.
  return { values: Float32Array.from({ length: size }, () => random() * 4 - 2), shape };
}

type Inputs = { values: Float32Array; shape: number[] }[];

/** Runs `compute` on one backend with fresh tensors of `inputs`; returns flat results. */
async function on(backend: 'wasm' | 'cpu', inputs: Inputs, compute: (...xs: tf.Tensor[]) => tf.Tensor[]) {
  await tf.setBackend(backend);
  return tf.tidy(() =>
    compute(...inputs.map((i) => tf.tensor(i.values, i.shape))).map((t) => t.dataSync().slice()),
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

async function expectSameOnBothBackends(inputs: Inputs, compute: (...xs: tf.Tensor[]) => tf.Tensor[]) {
  const wasm = await on('wasm', inputs, compute);
  const cpu = await on('cpu', inputs, compute);
  wasm.forEach((values, i) => {
    expect(values.every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(values, cpu[i] as Float32Array)).toBeLessThan(TOLERANCE);
  });
  // The comparison means something: the gradients are not all zero.
  expect(cpu.some((values) => values.some((v) => Math.abs(v) > 1e-3))).toBe(true);
}

beforeAll(async () => {
  await useWasmBackend();
});

// Test files share workers: leave the process on the backend the kit trains and serves with.
afterAll(() => useWasmBackend());

describe('conv2d gradients on wasm match the CPU backend', () => {
  const cases: { name: string; x: number[]; filter: number[]; stride: number; pad: 'same' | 'valid' }[] = [
    {
      name: '3x3 same stride 1 (every trainer conv)',
      x: [2, 8, 8, 3],
      filter: [3, 3, 3, 4],
      stride: 1,
      pad: 'same',
    },
    { name: '3x3 same stride 1, wider', x: [3, 6, 6, 5], filter: [3, 3, 5, 7], stride: 1, pad: 'same' },
    { name: '3x3 valid stride 1', x: [2, 7, 9, 2], filter: [3, 3, 2, 3], stride: 1, pad: 'valid' },
    { name: '5x5 same stride 1', x: [1, 8, 8, 2], filter: [5, 5, 2, 3], stride: 1, pad: 'same' },
    { name: '1x1 stride 1', x: [2, 5, 5, 4], filter: [1, 1, 4, 3], stride: 1, pad: 'valid' },
    {
      name: '3x3 same stride 2, even size (filter kernel; input falls back)',
      x: [2, 8, 8, 3],
      filter: [3, 3, 3, 4],
      stride: 2,
      pad: 'same',
    },
    { name: '3x3 same stride 2, odd size', x: [2, 9, 7, 3], filter: [3, 3, 3, 2], stride: 2, pad: 'same' },
    { name: '3x3 valid stride 2', x: [2, 9, 9, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'valid' },
  ];
  for (const { name, x, filter, stride, pad } of cases) {
    it(name, async () => {
      const y = tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        filter as [number, number, number, number],
        stride,
        1,
        pad,
      ).outShape;
      await expectSameOnBothBackends(
        [randomValues(x), randomValues(filter), randomValues(y)],
        (input, weights, upstream) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), upstream as tf.Tensor)),
          )([input as tf.Tensor, weights as tf.Tensor]),
      );
    });
  }
});

describe('reductions, tile and max-pool gradient on wasm match the CPU backend', () => {
  it('sum and mean over [0,1,2] and [1,2], with and without keepDims, and a fallback axis', async () => {
    await expectSameOnBothBackends([randomValues([3, 5, 4, 6])], (x) => [
      tf.sum(x as tf.Tensor, [0, 1, 2]),
      tf.mean(x as tf.Tensor, [0, 1, 2], true),
      tf.mean(x as tf.Tensor, [1, 2]),
      tf.sum(x as tf.Tensor, [1, 2], true),
      tf.sum(x as tf.Tensor, 3),
      tf.mean(x as tf.Tensor, [0, 2]),
    ]);
  });

  it('tile: broadcasting repeats and a general repeat (fallback)', async () => {
    await expectSameOnBothBackends([randomValues([1, 1, 1, 5]), randomValues([2, 3])], (a, b) => [
      tf.tile(a as tf.Tensor, [2, 3, 4, 1]),
      tf.tile(b as tf.Tensor, [2, 2]),
    ]);
  });

  for (const [name, shape] of [
    ['2x2 stride 2 (mask kernel)', [2, 8, 6, 3]],
    ['odd size (last row and column outside every window)', [2, 7, 9, 3]],
  ] as const) {
    it(`max-pool gradient, ${name}`, async () => {
      const out = [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]];
      await expectSameOnBothBackends([randomValues([...shape]), randomValues(out)], (x, upstream) => [
        tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), upstream as tf.Tensor)),
        )(x as tf.Tensor),
      ]);
    });
  }
});

describe('fused BatchNorm+ReLU', () => {
  it('its hand-written gradient matches autodiff of the plain formula on the CPU backend', async () => {
    const inputs = [
      randomValues([4, 5, 5, 3]),
      randomValues([3]),
      randomValues([3]),
      randomValues([4, 5, 5, 3]),
    ];
    const fused = await on('wasm', inputs, (x, gamma, beta, upstream) =>
      tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(
            batchNormReluTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, []),
            upstream as tf.Tensor,
          ),
        ),
      )([x as tf.Tensor, gamma as tf.Tensor, beta as tf.Tensor]),
    );
    const reference = await on('cpu', inputs, (x, gamma, beta, upstream) =>
      tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        const y = tf.relu(tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-3))), g), b));
        return tf.sum(tf.mul(y, upstream as tf.Tensor));
      })([x as tf.Tensor, gamma as tf.Tensor, beta as tf.Tensor]),
    );
    fused.forEach((values, i) => {
      expect(maxAbsDiff(values, reference[i] as Float32Array)).toBeLessThan(TOLERANCE);
    });
  });
});
