/**
 * Training kernels for the tfjs wasm backend.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` (so no conv net can train on it) and its
 * `Conv2DBackpropInput` is a naive loop. Both gradients are convolutions in disguise, so they are
 * rewritten here as calls to the backend's own XNNPACK `Conv2D` kernel around cheap transposes.
 * Kernels are composed at the TensorInfo level (the backend's kernel functions, not tf ops), so
 * nothing is recorded on the gradient tape and every intermediate is freed here.
 *
 * The stock `Tile`, `Sum`/`Mean` over non-innermost axes and `MaxPoolGrad` are slow loops too; the
 * BatchNorm and pooling gradients hit all three on every step, so they get the same treatment
 * (broadcasting adds, average pools, a max mask).
 *
 * Supported: NHWC, dilation 1. Filter gradients: any stride and padding. Input gradients:
 * stride 1. Max-pool gradients: 2x2 windows, stride 2, 'valid' (the stock kernel disagrees with
 * the CPU backend on odd sizes). Other cases fall back to the stock kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
// Registers the wasm backend and its stock kernels, which the fallbacks below look up at import.
import '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;
type KernelArgs = Parameters<tf.KernelFunc>[0];
type Pads = [[number, number], [number, number], [number, number], [number, number]];

function runKernel(backend: BackendWasm, name: string, inputs: Record<string, Info>, attrs: Attrs): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ backend, inputs, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function free(backend: BackendWasm, ...infos: Info[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function convInfoFor(
  xShape: number[],
  filterShape: number[],
  attrs: Attrs,
): ReturnType<typeof tf.backend_util.computeConv2DInfo> {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`training kernels support NHWC only, got ${String(attrs.dataFormat)}`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-top, ow*s+kw-left, ci] * dy[n,oh,ow,co]:
 * a convolution of x (channels as batch, batch as channels) with dy as the filter, dilated by
 * the forward stride.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = (attrs as Attrs).filterShape as number[];
  const info = convInfoFor(x.shape, filterShape, attrs as Attrs);
  const { top, bottom, left, right } = info.padInfo;
  const xByChannel = runKernel(wasm, 'Transpose', { x }, { perm: [3, 1, 2, 0] }); // [ci,H,W,N]
  const dyAsFilter = runKernel(wasm, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh,ow,N,co]
  const pad: Pads = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const correlation = runKernel(
    wasm,
    'Conv2D',
    { x: xByChannel, filter: dyAsFilter },
    { strides: [1, 1], pad, dilations: [info.strideHeight, info.strideWidth], dataFormat: 'NHWC' },
  );
  free(wasm, xByChannel, dyAsFilter);
  const [channels, height, width, outChannels] = correlation.shape as [number, number, number, number];
  let cropped = correlation;
  if (height !== info.filterHeight || width !== info.filterWidth) {
    // Asymmetric 'same' padding can leave an extra row/column past the filter's extent.
    cropped = runKernel(
      wasm,
      'Slice',
      { x: correlation },
      { begin: [0, 0, 0, 0], size: [channels, info.filterHeight, info.filterWidth, outChannels] },
    );
    free(wasm, correlation);
  }
  const dW = runKernel(wasm, 'Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  free(wasm, cropped);
  return dW;
}

function stock(name: string): tf.KernelConfig {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel;
}

const stockKernels = {
  Conv2DBackpropInput: stock('Conv2DBackpropInput'),
  Tile: stock('Tile'),
  Sum: stock('Sum'),
  Mean: stock('Mean'),
  MaxPoolGrad: stock('MaxPoolGrad'),
};

/** dx = full correlation of dy with the spatially flipped, in/out-swapped filter (stride 1). */
function conv2DBackpropInput(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as Attrs;
  const info = convInfoFor(attrs.inputShape as number[], filter.shape, attrs);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) {
    return stockKernels.Conv2DBackpropInput.kernelFunc(args) as Info;
  }
  const { top, bottom, left, right } = info.padInfo;
  const flipped = runKernel(wasm, 'Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = runKernel(wasm, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
  free(wasm, flipped);
  const pad: Pads = [
    [0, 0],
    [info.filterHeight - 1 - top, info.filterHeight - 1 - bottom],
    [info.filterWidth - 1 - left, info.filterWidth - 1 - right],
    [0, 0],
  ];
  const dx = runKernel(
    wasm,
    'Conv2D',
    { x: dy, filter: swapped },
    { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' },
  );
  free(wasm, swapped);
  return dx;
}

function filled(backend: BackendWasm, shape: number[], value: number): Info {
  return runKernel(backend, 'Fill', {}, { shape, value, dtype: 'float32' });
}

/** Tile that only repeats size-1 axes is a broadcast: zeros of the output shape plus x. */
function tile(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { x } = args.inputs as { x: Info };
  const reps = (args.attrs as Attrs).reps as number[];
  const isBroadcast = x.dtype === 'float32' && reps.every((rep, axis) => rep === 1 || x.shape[axis] === 1);
  if (!isBroadcast) return stockKernels.Tile.kernelFunc(args) as Info;
  const zeros = filled(
    wasm,
    x.shape.map((size, axis) => size * (reps[axis] as number)),
    0,
  );
  const out = runKernel(wasm, 'Add', { a: zeros, b: x }, {});
  free(wasm, zeros);
  return out;
}

function scaled(backend: BackendWasm, x: Info, factor: number): Info {
  if (factor === 1) return x;
  const scalar = filled(backend, [], factor);
  const out = runKernel(backend, 'Multiply', { a: x, b: scalar }, {});
  free(backend, scalar, x);
  return out;
}

/**
 * Mean or sum of an NHWC tensor over its spatial axes (and optionally the batch axis), the
 * BatchNorm and global-pooling reductions, as XNNPACK average pools: [N,H,W,C] -> [N,1,1,C]
 * -> (viewed as [1,N,1,C]) -> [1,1,1,C]. The stock kernel transposes the input first.
 */
function reduceByPooling(args: KernelArgs, kind: 'Sum' | 'Mean'): Info {
  const wasm = args.backend as BackendWasm;
  const { x } = args.inputs as { x: Info };
  const attrs = args.attrs as Attrs;
  const axes = tf.util
    .parseAxisParam(attrs.axis as number | number[], x.shape)
    .slice()
    .sort((a, b) => a - b)
    .join(',');
  if (x.dtype !== 'float32' || x.shape.length !== 4 || (axes !== '1,2' && axes !== '0,1,2')) {
    return stockKernels[kind].kernelFunc(args) as Info;
  }
  const [n, height, width, channels] = x.shape as [number, number, number, number];
  const pool = (input: Info, window: [number, number]) =>
    runKernel(wasm, 'AvgPool', { x: input }, { filterSize: window, strides: window, pad: 'valid' });
  let result = pool(x, [height, width]);
  let count = height * width;
  if (axes === '0,1,2') {
    const batchAsRows = runKernel(wasm, 'Reshape', { x: result }, { shape: [1, n, 1, channels] });
    const pooled = pool(batchAsRows, [n, 1]);
    free(wasm, result, batchAsRows);
    result = pooled;
    count *= n;
  }
  const total = scaled(wasm, result, kind === 'Sum' ? count : 1);
  const outShape = attrs.keepDims
    ? x.shape.map((size, axis) => (axes.includes(String(axis)) ? 1 : size))
    : axes === '1,2'
      ? [n, channels]
      : [channels];
  const out = runKernel(wasm, 'Reshape', { x: total }, { shape: outShape });
  free(wasm, total);
  return out;
}

/**
 * 2x2/stride-2 max-pool gradient: dy goes to the input positions equal to their window's max.
 * (On exact ties every tied position gets it, where TensorFlow picks one; after a ReLU the only
 * common tie is an all-zero window, whose gradient the ReLU discards anyway.)
 */
function maxPoolGrad(args: KernelArgs): Info {
  const wasm = args.backend as BackendWasm;
  const { dy, input, output } = args.inputs as { dy: Info; input: Info; output: Info };
  const attrs = args.attrs as Attrs;
  const filterSize = attrs.filterSize as number | [number, number];
  const strides = attrs.strides as number | [number, number];
  const isHalving =
    [filterSize, strides].every((v) => (Array.isArray(v) ? v[0] === 2 && v[1] === 2 : v === 2)) &&
    attrs.pad === 'valid';
  if (!isHalving) return stockKernels.MaxPoolGrad.kernelFunc(args) as Info;
  const [n, height, width, channels] = input.shape as [number, number, number, number];
  const [pooledHeight, pooledWidth] = [Math.floor(height / 2), Math.floor(width / 2)];
  // With an odd size the last row/column belongs to no window: its gradient is zero.
  const covered =
    pooledHeight * 2 === height && pooledWidth * 2 === width
      ? input
      : runKernel(
          wasm,
          'Slice',
          { x: input },
          { begin: [0, 0, 0, 0], size: [n, pooledHeight * 2, pooledWidth * 2, channels] },
        );
  const windows = [n, pooledHeight, 1, pooledWidth, 1, channels];
  const expanded = [n, pooledHeight, 2, pooledWidth, 2, channels];
  const zeros = filled(wasm, expanded, 0);
  const maxView = runKernel(wasm, 'Reshape', { x: output }, { shape: windows });
  const maxUp = runKernel(wasm, 'Add', { a: zeros, b: maxView }, {});
  const inputView = runKernel(wasm, 'Reshape', { x: covered }, { shape: expanded });
  const isMax = runKernel(wasm, 'Equal', { a: inputView, b: maxUp }, {});
  const mask = runKernel(wasm, 'Cast', { x: isMax }, { dtype: 'float32' });
  const dyView = runKernel(wasm, 'Reshape', { x: dy }, { shape: windows });
  const routed = runKernel(wasm, 'Multiply', { a: mask, b: dyView }, {});
  free(wasm, zeros, maxView, maxUp, inputView, isMax, mask, dyView);
  if (covered !== input) free(wasm, covered);
  const dxCovered = runKernel(
    wasm,
    'Reshape',
    { x: routed },
    { shape: [n, pooledHeight * 2, pooledWidth * 2, channels] },
  );
  free(wasm, routed);
  if (pooledHeight * 2 === height && pooledWidth * 2 === width) return dxCovered;
  const dx = runKernel(
    wasm,
    'PadV2',
    { x: dxCovered },
    {
      paddings: [
        [0, 0],
        [0, height - pooledHeight * 2],
        [0, width - pooledWidth * 2],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  free(wasm, dxCovered);
  return dx;
}

let registered = false;

/** Registers the training kernels on the wasm backend (idempotent). */
export function registerTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilter,
  });
  const replacements: [string, tf.KernelFunc][] = [
    ['Conv2DBackpropInput', conv2DBackpropInput],
    ['Tile', tile],
    ['Sum', (args) => reduceByPooling(args, 'Sum')],
    ['Mean', (args) => reduceByPooling(args, 'Mean')],
    ['MaxPoolGrad', maxPoolGrad],
  ];
  for (const [kernelName, kernelFunc] of replacements) {
    const { setupFunc, disposeFunc } = stock(kernelName);
    tf.unregisterKernel(kernelName, 'wasm');
    // Keep the stock setup: the fallbacks call into the wasm functions it binds.
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc, disposeFunc });
  }
}
