/**
 * tf.LayersModel -> ONNX (opset 13) for the layer kinds the serving model uses: Conv2D
 * ('same' or 'valid', bias, relu or linear), MaxPooling2D, GlobalAveragePooling2D, Dense
 * (softmax or linear) and Average (ensembles). ONNX Runtime runs the result ~5-10x faster than
 * tfjs-wasm (native kernels, AVX), which is what lets the endpoint meet its latency targets. The
 * graph takes the same NHWC input as the tfjs model (one Transpose up front) and outputs
 * `probabilities`. Anything else throws OnnxExportError, and the predictor stays on tfjs.
 *
 * The protobuf is written by hand (a few message types, varint and length-delimited fields only),
 * following onnx.proto field numbers; no runtime dependency beyond onnxruntime itself.
 */
import { tf } from './backend.ts';

export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

export const ONNX_INPUT = 'images';
export const ONNX_OUTPUT = 'probabilities';

// --- protobuf writing -------------------------------------------------------------------------
type Field = Uint8Array;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return bytes;
}

const intField = (number: number, value: number): Field =>
  Uint8Array.from([...varint(number << 3), ...varint(value)]);

function bytesField(number: number, payload: Uint8Array): Field {
  // Concatenated, not spread into an array: weights are megabytes, and spreading them element by
  // element took ~0.3 s per model load.
  return Buffer.concat([Uint8Array.from([...varint((number << 3) | 2), ...varint(payload.length)]), payload]);
}

const stringField = (number: number, value: string): Field =>
  bytesField(number, new TextEncoder().encode(value));
const message = (...fields: Field[]): Uint8Array => Buffer.concat(fields);

// --- ONNX messages (onnx.proto field numbers) ---------------------------------------------------
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

function attribute(name: string, value: number | number[]): Field {
  return Array.isArray(value)
    ? message(stringField(1, name), ...value.map((v) => intField(8, v)), intField(20, ATTRIBUTE_INTS))
    : message(stringField(1, name), intField(3, value), intField(20, ATTRIBUTE_INT));
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Field[] = []): Field {
  return bytesField(
    1,
    message(
      ...inputs.map((name) => stringField(1, name)),
      ...outputs.map((name) => stringField(2, name)),
      stringField(3, outputs[0] as string),
      stringField(4, opType),
      ...attributes.map((a) => bytesField(5, a)),
    ),
  );
}

function initializer(name: string, values: Float32Array, dims: number[]): Field {
  const raw = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return bytesField(
    5,
    message(...dims.map((d) => intField(1, d)), intField(2, FLOAT), stringField(8, name), bytesField(9, raw)),
  );
}

/** ValueInfoProto of a float tensor; `null` dims are symbolic (the batch). */
function valueInfo(field: number, name: string, dims: (number | null)[]): Field {
  const dimensions = dims.map((d) => bytesField(1, d === null ? stringField(2, 'batch') : intField(1, d)));
  const tensorType = message(intField(1, FLOAT), bytesField(2, message(...dimensions)));
  return bytesField(field, message(stringField(1, name), bytesField(2, bytesField(1, tensorType))));
}

// --- conversion ---------------------------------------------------------------------------------
interface LayerConfig {
  activation?: string;
  padding?: string;
  strides?: number[];
  poolSize?: number[];
  kernelSize?: number[];
  dilationRate?: number[];
  useBias?: boolean;
  dataFormat?: string;
}

function inputsOf(layer: tf.layers.Layer): string[] {
  const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  return (inbound[0]?.inboundLayers ?? []).map((l) => l.name);
}

function transposed(tensor: tf.Tensor, perm: number[]): Float32Array {
  // Not inside tf.tidy: tidy walks what its function returns, element by element for an array.
  const result = tf.transpose(tensor, perm);
  try {
    return result.dataSync() as Float32Array;
  } finally {
    result.dispose();
  }
}

/** Serializes `model` (see the supported layers above) as an ONNX ModelProto. */
export function exportOnnx(model: tf.LayersModel): Uint8Array {
  const nodes: Field[] = [];
  const initializers: Field[] = [];
  const [, height, width, channels] = model.inputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || !height || !width || !channels) {
    throw new OnnxExportError('only single-input NHWC image models with one output are supported');
  }
  const nchw = `${ONNX_INPUT}_nchw`;
  nodes.push(node('Transpose', [ONNX_INPUT], [nchw], [attribute('perm', [0, 3, 1, 2])]));
  /** The ONNX value each layer's output became, by layer name. */
  const onnxValueOf = new Map<string, string>();
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as LayerConfig;
    const inputs = inputsOf(layer).map((name) => onnxValueOf.get(name) ?? name);
    const input = inputs[0] as string;
    const out = layer.name;
    if (config.dataFormat && config.dataFormat !== 'channelsLast') {
      throw new OnnxExportError(`${layer.name}: only channelsLast models are supported`);
    }
    const activate = (value: string, activation: string | undefined, after: 'Relu' | 'Softmax') => {
      if (!activation || activation === 'linear') return value;
      const expected = after === 'Relu' ? 'relu' : 'softmax';
      if (activation !== expected)
        throw new OnnxExportError(`${layer.name}: activation ${activation} is not supported`);
      nodes.push(
        node(after, [value], [`${value}_${activation}`], after === 'Softmax' ? [attribute('axis', 1)] : []),
      );
      return `${value}_${activation}`;
    };
    switch (kind) {
      case 'InputLayer':
        onnxValueOf.set(out, nchw);
        break;
      case 'Conv2D': {
        const [kernel, bias] = layer.getWeights();
        const [kh, kw, inChannels, outChannels] = kernel?.shape ?? [];
        if (!kernel || !kh || !kw || !inChannels || !outChannels)
          throw new OnnxExportError(`${out}: no kernel`);
        if (config.strides?.some((s) => s !== 1) || config.dilationRate?.some((d) => d !== 1)) {
          throw new OnnxExportError(`${out}: only stride 1, dilation 1 convolutions are supported`);
        }
        if (config.padding === 'same' && (kh % 2 === 0 || kw % 2 === 0)) {
          throw new OnnxExportError(`${out}: 'same' padding needs odd kernel sizes`);
        }
        const [ph, pw] = config.padding === 'same' ? [(kh - 1) / 2, (kw - 1) / 2] : [0, 0];
        initializers.push(
          initializer(`${out}_W`, transposed(kernel, [3, 2, 0, 1]), [outChannels, inChannels, kh, kw]),
        );
        const convInputs = [input, `${out}_W`];
        if (bias) {
          initializers.push(initializer(`${out}_B`, bias.dataSync() as Float32Array, [outChannels]));
          convInputs.push(`${out}_B`);
        }
        nodes.push(
          node(
            'Conv',
            convInputs,
            [out],
            [attribute('kernel_shape', [kh, kw]), attribute('pads', [ph, pw, ph, pw])],
          ),
        );
        onnxValueOf.set(out, activate(out, config.activation, 'Relu'));
        break;
      }
      case 'MaxPooling2D': {
        const pool = config.poolSize ?? [2, 2];
        const strides = config.strides ?? pool;
        if (config.padding !== 'valid')
          throw new OnnxExportError(`${out}: only 'valid' pooling is supported`);
        nodes.push(
          node('MaxPool', [input], [out], [attribute('kernel_shape', pool), attribute('strides', strides)]),
        );
        onnxValueOf.set(out, out);
        break;
      }
      case 'GlobalAveragePooling2D':
        nodes.push(node('GlobalAveragePool', [input], [`${out}_4d`]));
        nodes.push(node('Flatten', [`${out}_4d`], [out], [attribute('axis', 1)]));
        onnxValueOf.set(out, out);
        break;
      case 'Dense': {
        const [kernel, bias] = layer.getWeights();
        const [inputs2, units] = kernel?.shape ?? [];
        if (!kernel || !bias || !inputs2 || !units)
          throw new OnnxExportError(`${out}: needs a kernel and a bias`);
        initializers.push(initializer(`${out}_W`, kernel.dataSync() as Float32Array, [inputs2, units]));
        initializers.push(initializer(`${out}_B`, bias.dataSync() as Float32Array, [units]));
        nodes.push(node('Gemm', [input, `${out}_W`, `${out}_B`], [out]));
        onnxValueOf.set(out, activate(out, config.activation, 'Softmax'));
        break;
      }
      case 'Average':
        nodes.push(node('Mean', inputs, [out]));
        onnxValueOf.set(out, out);
        break;
      default:
        throw new OnnxExportError(`layer ${layer.name} (${kind}) has no ONNX conversion`);
    }
  }
  const last = model.layers[model.layers.length - 1];
  const result = last ? onnxValueOf.get(last.name) : undefined;
  if (!result) throw new OnnxExportError('model has no layers');
  const classes = model.outputs[0]?.shape[1] ?? null;
  nodes.push(node('Identity', [result], [ONNX_OUTPUT]));
  const graph = message(
    ...nodes,
    stringField(2, 'scones-classifier'),
    ...initializers,
    valueInfo(11, ONNX_INPUT, [null, height, width, channels]),
    valueInfo(12, ONNX_OUTPUT, [null, classes]),
  );
  return message(
    intField(1, 8), // ir_version 8 (opset 13 era)
    stringField(2, 'scones'),
    bytesField(7, graph),
    bytesField(8, message(stringField(1, ''), intField(2, 13))),
  );
}
