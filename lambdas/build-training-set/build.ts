/**
 * The training set of one retraining run, in the built-in image-classification algorithm's image
 * format under `<output_prefix><run_id>/`:
 *
 *   train/<original path>, train/reviewed/<class>/<inference id>.png    train_lst/train.lst
 *   validation/<original path>                                          validation_lst/validation.lst
 *   evaluation/reviewed/<class>/<inference id>.png                      evaluation/evaluation.jsonl
 *
 * Train is the staged training split plus every usable reviewed label except a fixed share
 * (`evaluation_share`, chosen by a seeded hash of the inference id, so a label stays on its side
 * across runs); validation is the staged validation split. The evaluation set (never trained on) is
 * the staged test split (`clean`) plus the held-out reviewed images (`reviewed`).
 */
import { createHash } from 'node:crypto';
import { TrainingDataNotFound } from '../../src/workflow/retraining-errors.ts';
import type {
  BuildTrainingSetRequest,
  EvaluationItem,
  TrainingSet,
} from '../../src/workflow/retraining-types.ts';
import { CLASS_LABELS } from '../../src/workflow/types.ts';
import { forEachLimited, type ObjectStore, s3Uri } from '../shared/s3-objects.ts';
import { readReviewedImages } from './reviewed-labels.ts';

interface ManifestLine {
  index: number;
  label: number;
  path: string;
}

const COPY_CONCURRENCY = 16;

function parseManifest(text: string, key: string): ManifestLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [index, label, path] = line.split('\t');
      if (index === undefined || label === undefined || !path || Number.isNaN(Number(index))) {
        throw new TrainingDataNotFound(`${key}: "${line.slice(0, 60)}" is not an .lst line`);
      }
      return { index: Number(index), label: Number(label), path: path.trim() };
    });
}

const manifestText = (lines: readonly ManifestLine[]) =>
  lines.map((line) => `${line.index}\t${line.label}\t${line.path}\n`).join('');

async function readSplit(store: ObjectStore, bucket: string, dataset: string, split: string) {
  const key = `${dataset}${split}_lst/${split}.lst`;
  const body = await store.read(bucket, key);
  if (!body) {
    throw new TrainingDataNotFound(
      `the staged ${split} manifest s3://${bucket}/${key} does not exist: stage the dataset first (scones stage)`,
    );
  }
  return parseManifest(Buffer.from(body).toString('utf8'), key);
}

/** A number in [0, 1) fixed by the seed and the id. */
export function heldOutDraw(seed: string, inferenceId: string): number {
  return createHash('sha256').update(`${seed}\n${inferenceId}`).digest().readUInt32BE(0) / 2 ** 32;
}

const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');

export async function buildTrainingSet(
  store: ObjectStore,
  request: BuildTrainingSetRequest,
): Promise<TrainingSet> {
  const { bucket, dataset_prefix: dataset } = request;
  const run = `${request.output_prefix}${request.run_id}/`;
  const [train, validation, test] = await Promise.all(
    ['train', 'validation', 'test'].map((split) => readSplit(store, bucket, dataset, split)),
  );
  const { images, skipped } = await readReviewedImages(
    store,
    bucket,
    request.ground_truth_prefix,
    request.capture_prefix,
  );
  // Copies of the staged splits: a channel is one prefix, and the staged one may change under a run.
  const copies = [
    ...(train ?? []).map((line) => [`${dataset}train/${line.path}`, `${run}train/${line.path}`]),
    ...(validation ?? []).map((line) => [
      `${dataset}validation/${line.path}`,
      `${run}validation/${line.path}`,
    ]),
  ];
  await forEachLimited(copies, COPY_CONCURRENCY, ([from, to]) =>
    store.copy(bucket, from as string, to as string),
  );

  let nextIndex = Math.max(0, ...[...(train ?? []), ...(validation ?? [])].map((line) => line.index)) + 1;
  const reviewedTrain: ManifestLine[] = [];
  const evaluation: EvaluationItem[] = (test ?? []).map((line) => ({
    key: `${dataset}test/${line.path}`,
    label: line.label,
    part: 'clean',
  }));
  await forEachLimited(images, COPY_CONCURRENCY, async (image) => {
    const file = `${CLASS_LABELS[image.label]}/${safeName(image.inferenceId)}.png`;
    if (heldOutDraw(request.seed, image.inferenceId) < request.evaluation_share) {
      const key = `${run}evaluation/reviewed/${file}`;
      await store.write(bucket, key, image.image, 'image/png');
      evaluation.push({ key, label: image.label, part: 'reviewed' });
    } else {
      await store.write(bucket, `${run}train/reviewed/${file}`, image.image, 'image/png');
      reviewedTrain.push({ index: 0, label: image.label, path: `reviewed/${file}` });
    }
  });
  // Indices after the staged ones, in path order: the same labels give the same manifest.
  reviewedTrain.sort((a, b) => a.path.localeCompare(b.path));
  for (const line of reviewedTrain) line.index = nextIndex++;
  evaluation.sort((a, b) => (a.part === b.part ? a.key.localeCompare(b.key) : a.part === 'clean' ? -1 : 1));

  const trainLines = [...(train ?? []), ...reviewedTrain];
  await store.write(bucket, `${run}train_lst/train.lst`, manifestText(trainLines), 'text/plain');
  await store.write(
    bucket,
    `${run}validation_lst/validation.lst`,
    manifestText(validation ?? []),
    'text/plain',
  );
  const evaluationKey = `${run}evaluation/evaluation.jsonl`;
  await store.write(
    bucket,
    evaluationKey,
    evaluation.map((item) => `${JSON.stringify(item)}\n`).join(''),
    'application/jsonl',
  );
  return {
    run_prefix: s3Uri(bucket, run),
    channels: {
      train: s3Uri(bucket, `${run}train/`),
      validation: s3Uri(bucket, `${run}validation/`),
      train_lst: s3Uri(bucket, `${run}train_lst/`),
      validation_lst: s3Uri(bucket, `${run}validation_lst/`),
    },
    evaluation_manifest: s3Uri(bucket, evaluationKey),
    num_training_samples: trainLines.length,
    counts: {
      original_train: train?.length ?? 0,
      original_validation: validation?.length ?? 0,
      reviewed_train: reviewedTrain.length,
      evaluation_clean: evaluation.filter((item) => item.part === 'clean').length,
      evaluation_reviewed: evaluation.filter((item) => item.part === 'reviewed').length,
    },
    skipped,
  };
}
