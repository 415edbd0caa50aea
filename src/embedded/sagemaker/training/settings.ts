/**
 * The algorithm's hyperparameters in terms of the kit's trainer (training/train.ts), and a log
 * line for each one the local trainer cannot honour, so a job's log says where it differs from
 * the MXNet algorithm on a GPU.
 *
 * Honoured: num_classes, epochs, mini_batch_size, learning_rate (with optimizer=adam, as the peak
 * of the one-cycle schedule), augmentation_type=crop (random crops and flips).
 */
import type { TrainSettings } from '../../../../training/train.ts';
import type { ImageClassificationHyperparameters } from '../types.ts';

export interface LocalTrainerSettings {
  settings: Partial<TrainSettings>;
  notes: string[];
}

/** The local trainer's Adam peak rate when the job's learning_rate is one for another optimizer. */
export const LOCAL_ADAM_PEAK = 0.004;

const NOT_HONOURED: Readonly<Record<string, string>> = {
  num_layers: 'the local network is a 4-block CNN for 32x32 images, not a ResNet of that depth',
  use_pretrained_model: 'no pretrained weights are available offline; the network trains from scratch',
  momentum: 'the local trainer uses Adam; momentum applies to sgd and nag',
  weight_decay: 'the local trainer uses Adam without weight decay',
  beta_1: "the local trainer's Adam keeps tfjs' defaults",
  beta_2: "the local trainer's Adam keeps tfjs' defaults",
  eps: "the local trainer's Adam keeps tfjs' defaults",
  gamma: 'gamma applies to rmsprop; the local trainer uses Adam',
  lr_scheduler_factor: 'the local schedule is one-cycle (linear warm-up, cosine decay)',
  lr_scheduler_step: 'the local schedule is one-cycle (linear warm-up, cosine decay)',
  early_stopping: 'every epoch runs; the final model is kept',
  early_stopping_min_epochs: 'every epoch runs; the final model is kept',
  early_stopping_patience: 'every epoch runs; the final model is kept',
  early_stopping_tolerance: 'every epoch runs; the final model is kept',
  checkpoint_frequency: 'model.tar.gz holds the final model only',
  top_k: 'top-1 accuracy only is reported',
  precision_dtype: 'the local trainer computes in float32',
  kv_store: 'the local trainer runs on one machine',
  resize: 'images are resized to the local network input, 32x32',
  use_weighted_loss: 'the local trainer uses an unweighted (label-smoothed) cross-entropy',
};

export function localTrainerSettings(
  hp: ImageClassificationHyperparameters,
  resource: { instanceType: string; instanceCount: number },
): LocalTrainerSettings {
  const given = new Set(hp.given);
  const notes: string[] = [];
  const note = (name: string, why: string) =>
    notes.push(`Hyperparameter ${name} is not honoured by the local trainer: ${why}.`);
  const settings: Partial<TrainSettings> = { epochs: hp.epochs, batchSize: hp.mini_batch_size };
  if (hp.optimizer === 'adam') settings.learningRate = hp.learning_rate;
  else {
    settings.learningRate = LOCAL_ADAM_PEAK;
    note(
      `optimizer=${hp.optimizer}${given.has('optimizer') ? '' : ' (the default)'}`,
      `the local trainer uses Adam with a one-cycle schedule peaking at ${LOCAL_ADAM_PEAK}; ` +
        `learning_rate=${hp.learning_rate} is kept for optimizer=adam only`,
    );
  }
  const [channels, height, width] = hp.image_shape;
  if (channels !== 3 || height !== 32 || width !== 32)
    note(
      `image_shape=${hp.image_shape.join(',')}`,
      'the local network takes 3,32,32; images are resized to 32x32',
    );
  if (hp.augmentation_type === undefined)
    notes.push('No augmentation_type: the local trainer still augments with random crops and flips (crop).');
  else if (hp.augmentation_type !== 'crop')
    note(
      `augmentation_type=${hp.augmentation_type}`,
      'the local trainer augments with random crops and flips (crop) only',
    );
  for (const name of Object.keys(NOT_HONOURED)) {
    if (!given.has(name)) continue;
    const value = (hp as unknown as Record<string, unknown>)[name];
    // 0 and false are the documented defaults of the flags: asking for them changes nothing.
    if (value === false || (name === 'use_pretrained_model' && value === 0)) continue;
    const shown = Array.isArray(value)
      ? value.join(',')
      : value === true
        ? name === 'early_stopping'
          ? 'True'
          : '1'
        : String(value);
    note(`${name}=${shown}`, NOT_HONOURED[name] as string);
  }
  if (resource.instanceCount > 1)
    notes.push(
      `InstanceCount ${resource.instanceCount}: the local SageMaker trains on one instance, this machine.`,
    );
  if (/^ml\.(p|g|trn|inf)/.test(resource.instanceType))
    notes.push(`InstanceType ${resource.instanceType}: the local SageMaker trains on this machine's CPU.`);
  return { settings, notes };
}
