/**
 * The image-classification algorithm's hyperparameters as the SageMaker developer guide documents
 * them ("Image Classification Hyperparameters"): names, types, valid ranges and defaults, as data.
 *
 * As on AWS, CreateTrainingJob does not look at them (only the API's map limits apply); the
 * algorithm does when the job starts, and a missing required one, an unknown one or a value
 * out of range fails the job with a FailureReason in the built-in algorithms' form,
 * `ClientError: <what> (caused by ValidationError)`.
 */
import { TrainingFailure } from '../errors.ts';
import type { ImageClassificationHyperparameters } from '../types.ts';

type Spec =
  | {
      type: 'int';
      min?: number;
      exclusiveMin?: number;
      default?: number;
      required?: boolean;
      oneOf?: number[];
    }
  | { type: 'float'; min: number; max: number; default?: number }
  | { type: 'enum'; values: readonly string[]; default?: string }
  | { type: 'flag'; default: boolean }
  | { type: 'bool'; default: boolean }
  | { type: 'shape'; default: [number, number, number] }
  | { type: 'epochs-list' };

const UNIT = { type: 'float', min: 0, max: 1 } as const;

export const HYPERPARAMETER_SPEC: Readonly<
  Record<keyof Omit<ImageClassificationHyperparameters, 'given'>, Spec>
> = {
  num_classes: { type: 'int', min: 1, required: true },
  num_training_samples: { type: 'int', min: 1, required: true },
  augmentation_type: { type: 'enum', values: ['crop', 'crop_color', 'crop_color_transform'] },
  beta_1: { ...UNIT, default: 0.9 },
  beta_2: { ...UNIT, default: 0.999 },
  checkpoint_frequency: { type: 'int', min: 1 },
  early_stopping: { type: 'bool', default: false },
  early_stopping_min_epochs: { type: 'int', min: 1, default: 10 },
  early_stopping_patience: { type: 'int', min: 1, default: 5 },
  early_stopping_tolerance: { ...UNIT, default: 0 },
  epochs: { type: 'int', min: 1, default: 30 },
  eps: { ...UNIT, default: 1e-8 },
  gamma: { ...UNIT, default: 0.9 },
  image_shape: { type: 'shape', default: [3, 224, 224] },
  kv_store: { type: 'enum', values: ['dist_sync', 'dist_async'] },
  learning_rate: { ...UNIT, default: 0.1 },
  lr_scheduler_factor: { ...UNIT, default: 0.1 },
  lr_scheduler_step: { type: 'epochs-list' },
  mini_batch_size: { type: 'int', min: 1, default: 32 },
  momentum: { ...UNIT, default: 0.9 },
  multi_label: { type: 'flag', default: false },
  num_layers: { type: 'int', oneOf: [18, 34, 50, 101, 152, 200, 20, 32, 44, 56, 110], default: 152 },
  optimizer: { type: 'enum', values: ['sgd', 'adam', 'rmsprop', 'nag'], default: 'sgd' },
  precision_dtype: { type: 'enum', values: ['float32', 'float16'], default: 'float32' },
  resize: { type: 'int', min: 1 },
  top_k: { type: 'int', exclusiveMin: 1 },
  use_pretrained_model: { type: 'flag', default: false },
  use_weighted_loss: { type: 'flag', default: false },
  weight_decay: { ...UNIT, default: 0.0001 },
};

function fail(detail: string): never {
  throw new TrainingFailure(`ClientError: ${detail} (caused by ValidationError)`);
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseValue(name: string, spec: Spec, raw: string): unknown {
  const text = raw.trim();
  const quoted = `'${raw}'`;
  switch (spec.type) {
    case 'int': {
      if (!INTEGER.test(text)) fail(`${name}: ${quoted} is not of type 'integer'`);
      const value = Number(text);
      if (spec.oneOf && !spec.oneOf.includes(value))
        fail(`${name}: ${value} is not one of [${spec.oneOf.join(', ')}]`);
      if (spec.min !== undefined && value < spec.min)
        fail(`${name}: ${value} is less than the minimum of ${spec.min}`);
      if (spec.exclusiveMin !== undefined && value <= spec.exclusiveMin)
        fail(`${name}: ${value} is less than or equal to the minimum of ${spec.exclusiveMin}`);
      return value;
    }
    case 'float': {
      if (!NUMBER.test(text)) fail(`${name}: ${quoted} is not of type 'number'`);
      const value = Number(text);
      if (value < spec.min) fail(`${name}: ${value} is less than the minimum of ${spec.min}`);
      if (value > spec.max) fail(`${name}: ${value} is greater than the maximum of ${spec.max}`);
      return value;
    }
    case 'enum':
      if (!spec.values.includes(text))
        fail(`${name}: ${quoted} is not one of [${spec.values.map((v) => `'${v}'`).join(', ')}]`);
      return text;
    case 'flag':
      if (text !== '0' && text !== '1') fail(`${name}: ${quoted} is not one of ['0', '1']`);
      return text === '1';
    case 'bool':
      if (!/^(true|false)$/i.test(text)) fail(`${name}: ${quoted} is not one of ['True', 'False']`);
      return text.toLowerCase() === 'true';
    case 'shape': {
      const parts = text.split(',').map((part) => part.trim());
      if (parts.length !== 3 || !parts.every((part) => /^\d+$/.test(part) && Number(part) > 0))
        fail(`${name}: ${quoted} is not of the form 'num_channels, height, width' (positive integers)`);
      const shape = parts.map(Number) as [number, number, number];
      if (shape[0] !== 1 && shape[0] !== 3)
        fail(`${name}: ${quoted} has ${shape[0]} channels; 1 or 3 are supported`);
      return shape;
    }
    case 'epochs-list': {
      const parts = text.split(',').map((part) => part.trim());
      if (!parts.every((part) => /^\d+$/.test(part) && Number(part) > 0))
        fail(`${name}: ${quoted} is not a comma-separated list of epochs`);
      return parts.map(Number);
    }
  }
}

/**
 * The algorithm's view of `raw` (the HyperParameters map of the job), defaults applied; throws
 * TrainingFailure worded as the built-in algorithms word it.
 */
export function parseHyperparameters(
  raw: Readonly<Record<string, string>>,
): ImageClassificationHyperparameters {
  // Names with a leading underscore are the SDK's (`_tuning_objective_metric`): not the algorithm's.
  const unknown = Object.keys(raw).filter((name) => !(name in HYPERPARAMETER_SPEC) && !name.startsWith('_'));
  if (unknown.length)
    fail(
      `Additional hyperparameters are not allowed (${unknown.map((name) => `'${name}'`).join(', ')} ${unknown.length === 1 ? 'was' : 'were'} unexpected)`,
    );
  const parsed: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(HYPERPARAMETER_SPEC) as [string, Spec][]) {
    const value = raw[name];
    if (value === undefined) {
      if (spec.type === 'int' && spec.required) fail(`'${name}' is a required property`);
      if ('default' in spec && spec.default !== undefined) parsed[name] = spec.default;
      continue;
    }
    parsed[name] = parseValue(name, spec, value);
  }
  const result = { ...parsed, given: Object.keys(raw) } as unknown as ImageClassificationHyperparameters;
  if (result.checkpoint_frequency !== undefined && result.checkpoint_frequency > result.epochs)
    fail(`checkpoint_frequency: ${result.checkpoint_frequency} is greater than epochs (${result.epochs})`);
  return result;
}
