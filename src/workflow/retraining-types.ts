/**
 * Data shapes of the retraining state machine (`statemachine/model-retraining.asl.json`) between
 * its Lambdas: BuildTrainingSet's request and result, EvaluateCandidate's request and report.
 */

/** Where BuildTrainingSet reads from and writes to; the ASL fills it from substitutions and input. */
export interface BuildTrainingSetRequest {
  run_id: string;
  bucket: string;
  /** The staged dataset (training/staged-layout.ts), e.g. `datasets/cifar-100/`. */
  dataset_prefix: string;
  /** Reviewers' labels, Model Monitor's merge format (src/review/). */
  ground_truth_prefix: string;
  /** The endpoint's data capture (JSON Lines with the request body and the inference id). */
  capture_prefix: string;
  /** This run's channels and evaluation set go under `<output_prefix><run_id>/`. */
  output_prefix: string;
  /** Share of reviewed images held out for evaluation (0-1), chosen by a seeded hash of the inference id. */
  evaluation_share: number;
  seed: string;
}

/** Why a ground-truth label was not used; none of them fails the run. */
export interface SkippedLabels {
  /** Not a ground-truth record (not JSON, no event id, no label). */
  malformed: number;
  /** A label that names no class (a reviewer's "neither"). */
  unusable_label: number;
  /** No captured request with that inference id, or a capture without the image. */
  missing_image: number;
  /** Two reviewers gave the same inference different classes. */
  contradicting: number;
}

export interface TrainingSet {
  run_prefix: string;
  channels: { train: string; validation: string; train_lst: string; validation_lst: string };
  /** JSON Lines, one `EvaluationItem` per line. */
  evaluation_manifest: string;
  num_training_samples: number;
  counts: {
    original_train: number;
    original_validation: number;
    reviewed_train: number;
    evaluation_clean: number;
    evaluation_reviewed: number;
  };
  skipped: SkippedLabels;
}

/** One held-out image: the test split (`clean`) or a reviewed image never trained on (`reviewed`). */
export interface EvaluationItem {
  key: string;
  label: number;
  part: 'clean' | 'reviewed';
}

export interface EvaluateCandidateRequest {
  bucket: string;
  evaluation_manifest: string;
  /** The candidate's model.tar.gz. */
  candidate_model: string;
  /** The model in service's model.tar.gz; absent when nothing serves yet. */
  current_model?: string;
  /** Where the report goes (an S3 URI). */
  report_uri: string;
  /** Set the training set's skipped counts aside in the report. */
  skipped?: SkippedLabels;
}

export interface ClassFigures {
  label: string;
  precision: number | null;
  recall: number | null;
  support: number;
}

export interface PartFigures {
  images: number;
  accuracy: number | null;
  classes: ClassFigures[];
}

export interface ModelFigures {
  model: string;
  all: PartFigures;
  clean: PartFigures;
  reviewed: PartFigures;
}

export interface EvaluationReport {
  report_uri: string;
  candidate: ModelFigures;
  /** null when no model serves yet. */
  current: ModelFigures | null;
  /** candidate minus current accuracy per part; null without a current model or images. */
  delta: { clean: number | null; reviewed: number | null };
  /** current minus candidate accuracy on the clean part (what the gate compares with its margin). */
  clean_drop: number | null;
  /** Unreadable evaluation images, by reason. */
  unreadable: number;
  skipped_labels?: SkippedLabels;
}
