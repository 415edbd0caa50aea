/**
 * The algorithm's hyperparameters: documented defaults, ranges and the SDK's underscore names
 * (parse), and the log lines naming what the local trainer does not honour (settings).
 */
import { describe, expect, it } from 'vitest';
import { parseHyperparameters } from '../../../src/embedded/sagemaker/algorithm/hyperparameters.ts';
import { TrainingFailure } from '../../../src/embedded/sagemaker/index.ts';
import { LOCAL_ADAM_PEAK, localTrainerSettings } from '../../../src/embedded/sagemaker/training/settings.ts';

const REQUIRED = { num_classes: '2', num_training_samples: '1000' };
const ONE_CPU = { instanceType: 'ml.m5.xlarge', instanceCount: 1 };

describe('parseHyperparameters', () => {
  it('applies the documented defaults and keeps what was given', () => {
    const parsed = parseHyperparameters({ ...REQUIRED, _tuning_objective_metric: 'validation:accuracy' });
    expect(parsed).toMatchObject({
      num_classes: 2,
      epochs: 30,
      learning_rate: 0.1,
      mini_batch_size: 32,
      optimizer: 'sgd',
      image_shape: [3, 224, 224],
      momentum: 0.9,
      weight_decay: 0.0001,
      num_layers: 152,
      use_pretrained_model: false,
      early_stopping: false,
    });
    expect(parsed.given).toEqual(['num_classes', 'num_training_samples', '_tuning_objective_metric']);
  });

  it.each([
    [{ num_layers: '19' }, 'num_layers: 19 is not one of [18, 34, 50, 101, 152, 200, 20, 32, 44, 56, 110]'],
    [{ top_k: '1' }, 'top_k: 1 is less than or equal to the minimum of 1'],
    [
      { image_shape: '3,32' },
      "image_shape: '3,32' is not of the form 'num_channels, height, width' (positive integers)",
    ],
    [{ early_stopping: 'maybe' }, "early_stopping: 'maybe' is not one of ['True', 'False']"],
    [{ checkpoint_frequency: '5', epochs: '2' }, 'checkpoint_frequency: 5 is greater than epochs (2)'],
    [{ mini_batch_size: '0' }, 'mini_batch_size: 0 is less than the minimum of 1'],
  ])('refuses %o', (given, detail) => {
    expect(() => parseHyperparameters({ ...REQUIRED, ...given })).toThrow(
      new TrainingFailure(`ClientError: ${detail} (caused by ValidationError)`),
    );
  });
});

describe('localTrainerSettings', () => {
  it('honours epochs, mini_batch_size and, with adam, learning_rate', () => {
    const hp = parseHyperparameters({
      ...REQUIRED,
      epochs: '3',
      mini_batch_size: '16',
      optimizer: 'adam',
      learning_rate: '0.002',
      image_shape: '3,32,32',
      augmentation_type: 'crop',
    });
    expect(localTrainerSettings(hp, ONE_CPU)).toEqual({
      settings: { epochs: 3, batchSize: 16, learningRate: 0.002 },
      notes: [],
    });
  });

  it('names each setting it cannot honour, and the resources it does not have', () => {
    const hp = parseHyperparameters({
      ...REQUIRED,
      learning_rate: '0.01',
      num_layers: '18',
      use_pretrained_model: '1',
      augmentation_type: 'crop_color_transform',
      lr_scheduler_step: '10,20',
      use_weighted_loss: '0',
    });
    const { settings, notes } = localTrainerSettings(hp, { instanceType: 'ml.p3.2xlarge', instanceCount: 2 });
    expect(settings.learningRate).toBe(LOCAL_ADAM_PEAK);
    expect(notes).toEqual([
      expect.stringMatching(
        /^Hyperparameter optimizer=sgd \(the default\) is not honoured .*learning_rate=0\.01 is kept for optimizer=adam only\.$/,
      ),
      expect.stringMatching(/^Hyperparameter image_shape=3,224,224 is not honoured/),
      expect.stringMatching(/^Hyperparameter augmentation_type=crop_color_transform is not honoured/),
      expect.stringMatching(/^Hyperparameter num_layers=18 is not honoured/),
      expect.stringMatching(/^Hyperparameter use_pretrained_model=1 is not honoured/),
      expect.stringMatching(/^Hyperparameter lr_scheduler_step=10,20 is not honoured/),
      'InstanceCount 2: the local SageMaker trains on one instance, this machine.',
      "InstanceType ml.p3.2xlarge: the local SageMaker trains on this machine's CPU.",
    ]);
  });
});
