/**
 * A tiny training run (small model, a few hundred images, a few epochs): it learns (beats chance
 * clearly on held-out images) and it is reproducible (same seed, same weights).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readSplit } from '../../training/cifar.ts';
import type { LabeledImages } from '../../training/labeled-images.ts';
import { type EpochProgress, type TrainOptions, trainModel } from '../../training/train.ts';

/** The first `perClass` images of each class, in file order. */
function firstPerClass(set: LabeledImages, perClass: number): LabeledImages {
  const picked: number[] = [];
  const counts = new Map<number, number>();
  set.labels.forEach((label, i) => {
    if ((counts.get(label) ?? 0) < perClass) {
      counts.set(label, (counts.get(label) ?? 0) + 1);
      picked.push(i);
    }
  });
  const size = set.height * set.width * set.channels;
  const pixels = new Uint8Array(picked.length * size);
  picked.forEach((source, target) => {
    pixels.set(set.pixels.subarray(source * size, (source + 1) * size), target * size);
  });
  return {
    ...set,
    count: picked.length,
    pixels,
    labels: Int32Array.from(picked, (i) => set.labels[i] as number),
    names: picked.map((i) => set.names[i] as string),
  };
}

let train: LabeledImages;
let validation: LabeledImages;
const TINY: Omit<TrainOptions, 'train'> = {
  epochs: 3,
  members: 1,
  batchSize: 32,
  learningRate: 0.005,
  model: { filters: [8, 16] },
};

beforeAll(async () => {
  train = await readSplit(undefined, 'train');
  validation = await readSplit(undefined, 'validation');
});

// Generous timeouts: training is CPU-bound and this machine is often shared.
describe('trainModel', { timeout: 120_000 }, () => {
  it('learns: held-out accuracy well above chance, with per-epoch progress', async () => {
    const progress: EpochProgress[] = [];
    const { model, history } = await trainModel({
      ...TINY,
      train,
      validation,
      seed: 3,
      onEpoch: (p) => progress.push(p),
    });
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(progress).toEqual(history);
    for (const p of progress) {
      expect(Number.isFinite(p.loss)).toBe(true);
      expect(p.seconds).toBeGreaterThan(0);
    }
    // 100 validation images never trained on; chance is 0.5 (balanced classes).
    expect(progress.at(-1)?.validationAccuracy).toBeGreaterThanOrEqual(0.65);
    expect(model.outputs[0]?.shape).toEqual([null, 2]);
    model.dispose();
  });

  it('is reproducible: same seed, same weights; another seed, other weights', async () => {
    const run = async (seed: number) => {
      const { model, history } = await trainModel({
        ...TINY,
        epochs: 1,
        train: firstPerClass(train, 64),
        seed,
      });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return { weights, loss: history[0]?.loss };
    };
    const first = await run(11);
    const again = await run(11);
    const other = await run(12);
    expect(again).toEqual(first);
    expect(other.weights).not.toEqual(first.weights);
  });

  it('trains ensemble members in worker threads, reproducibly, into one averaged model', async () => {
    const run = async () => {
      const progress: EpochProgress[] = [];
      const { model } = await trainModel({
        ...TINY,
        members: 2,
        epochs: 1,
        model: { filters: [4, 8] },
        train: firstPerClass(train, 64),
        validation,
        seed: 5,
        onEpoch: (p) => progress.push(p),
      });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      const kinds = model.layers.map((layer) => layer.getClassName());
      model.dispose();
      return { progress, weights, kinds };
    };
    const first = await run();
    expect(first.kinds.filter((kind) => kind === 'Dense')).toHaveLength(2);
    expect(first.kinds).toContain('Average');
    expect(first.progress).toHaveLength(1);
    expect(first.progress[0]?.validationAccuracy).toBeGreaterThan(0);
    const again = await run();
    expect(again.weights).toEqual(first.weights);
  });
});
