/**
 * Scores the candidate and the model in service on the same held-out set (BuildTrainingSet's
 * evaluation manifest): accuracy and per-class precision/recall over all of it, its clean part (the
 * test split) and its reviewed part (labelled drifted traffic) apart; writes the report as JSON.
 */
import { parseS3Uri } from '../../src/aws/s3-uri.ts';
import { InvalidEvent } from '../../src/workflow/errors.ts';
import type { Predictor } from '../../src/workflow/predictor.ts';
import { EvaluationInputNotFound } from '../../src/workflow/retraining-errors.ts';
import type {
  EvaluateCandidateRequest,
  EvaluationItem,
  EvaluationReport,
  ModelFigures,
} from '../../src/workflow/retraining-types.ts';
import { CLASS_LABELS } from '../../src/workflow/types.ts';
import { forEachLimited, type ObjectStore } from '../shared/s3-objects.ts';
import { figuresOf, type Scored } from './figures.ts';

/** A model to score: the kit's predictor over a model.tar.gz (training/predictor.ts), or a test's. */
export type ScoringModel = Predictor & { dispose?(): void | Promise<void> };
export type ModelLoader = (modelDataUrl: string) => Promise<ScoringModel>;

interface LoadedImage extends EvaluationItem {
  body: Buffer;
}

function location(uri: string, field: string): { bucket: string; key: string } {
  const parsed = parseS3Uri(uri);
  if (!parsed?.key) throw new InvalidEvent(`EvaluateCandidate: "${field}" must be an s3://bucket/key URI`);
  return parsed;
}

async function readEvaluationSet(
  store: ObjectStore,
  manifestUri: string,
): Promise<{ images: LoadedImage[]; unreadable: number }> {
  const manifest = location(manifestUri, 'evaluation_manifest');
  const body = await store.read(manifest.bucket, manifest.key);
  if (!body) throw new EvaluationInputNotFound(`the evaluation manifest ${manifestUri} does not exist`);
  const items = Buffer.from(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EvaluationItem);
  const images: LoadedImage[] = [];
  let unreadable = 0;
  await forEachLimited(items, 16, async (item) => {
    const bytes = await store.read(manifest.bucket, item.key);
    if (bytes && bytes.length > 0) images.push({ ...item, body: Buffer.from(bytes) });
    else unreadable++;
  });
  images.sort((a, b) => a.key.localeCompare(b.key));
  return { images, unreadable };
}

const argmax = (values: readonly number[]) =>
  values.reduce((best, value, index) => (value > (values[best] ?? -1) ? index : best), 0);

async function score(
  loadModel: ModelLoader,
  modelDataUrl: string,
  images: readonly LoadedImage[],
): Promise<ModelFigures> {
  let model: ScoringModel;
  try {
    model = await loadModel(modelDataUrl);
  } catch (error) {
    throw new EvaluationInputNotFound(`cannot load the model ${modelDataUrl}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const scored: (Scored & { part: EvaluationItem['part'] })[] = [];
    for (const image of images) {
      const probabilities = await model.predict(image.body, 'image/png');
      scored.push({ label: image.label, predicted: argmax(probabilities), part: image.part });
    }
    return {
      model: modelDataUrl,
      all: figuresOf(scored, CLASS_LABELS),
      clean: figuresOf(
        scored.filter((item) => item.part === 'clean'),
        CLASS_LABELS,
      ),
      reviewed: figuresOf(
        scored.filter((item) => item.part === 'reviewed'),
        CLASS_LABELS,
      ),
    };
  } finally {
    await model.dispose?.();
  }
}

/** a - b, rounded to 6 decimals (the gate's reason prints it: 0.305, not 0.30500000000000005). */
const difference = (a: number | null, b: number | null | undefined) =>
  a === null || b === null || b === undefined ? null : Math.round((a - b) * 1e6) / 1e6;

export async function evaluateCandidate(
  store: ObjectStore,
  loadModel: ModelLoader,
  request: EvaluateCandidateRequest,
): Promise<EvaluationReport> {
  const destination = location(request.report_uri, 'report_uri');
  const { images, unreadable } = await readEvaluationSet(store, request.evaluation_manifest);
  const candidate = await score(loadModel, request.candidate_model, images);
  const current = request.current_model ? await score(loadModel, request.current_model, images) : null;
  const report: EvaluationReport = {
    report_uri: request.report_uri,
    candidate,
    current,
    delta: {
      clean: difference(candidate.clean.accuracy, current?.clean.accuracy),
      reviewed: difference(candidate.reviewed.accuracy, current?.reviewed.accuracy),
    },
    clean_drop: difference(current?.clean.accuracy ?? null, candidate.clean.accuracy),
    unreadable,
    ...(request.skipped ? { skipped_labels: request.skipped } : {}),
  };
  await store.write(
    destination.bucket,
    destination.key,
    `${JSON.stringify(report, null, 2)}\n`,
    'application/json',
  );
  return report;
}
