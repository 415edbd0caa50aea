/**
 * The kit's ASL definitions and their `${...}` definition substitutions (as in AWS SAM's
 * `DefinitionSubstitutions`): one file per state machine in `statemachine/`, each loaded by every
 * target (embedded, emulator, containers, AWS) through here; only the substituted values differ.
 * - `classification` (`image-classification.asl.json`): the per-image workflow;
 * - `intake` (`image-intake.asl.json`): EventBridge's target for uploads, which starts the
 *   classification under a name computed from the object (see eventrules/README.md).
 * - `batch` (`image-batch.asl.json`): a Distributed Map over a prefix that runs the classification
 *   for every object and summarizes the results (SummarizeBatch, BATCH_FUNCTIONS).
 * - `retraining` (`model-retraining.asl.json`): builds a training set from reviewed labels, trains,
 *   evaluates, gates, registers and deploys a candidate (RETRAINING_FUNCTIONS, docs/retraining.md).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const statemachineFile = (name: string) =>
  fileURLToPath(new URL(`../../statemachine/${name}`, import.meta.url));

export const DEFINITION_PATHS = {
  classification: statemachineFile('image-classification.asl.json'),
  intake: statemachineFile('image-intake.asl.json'),
  batch: statemachineFile('image-batch.asl.json'),
  retraining: statemachineFile('model-retraining.asl.json'),
} as const;
export type DefinitionName = keyof typeof DEFINITION_PATHS;

/** The classification workflow's file (the one most callers mean). */
export const DEFINITION_PATH = DEFINITION_PATHS.classification;

/** The kit's three functions, keyed by the logical name used in substitutions and deployments. */
export const FUNCTIONS = {
  serialize: { logicalName: 'SerializeImageData', folder: 'serialize-image-data' },
  classify: { logicalName: 'ClassifyImage', folder: 'classify-image' },
  filter: { logicalName: 'FilterInferences', folder: 'filter-inferences' },
} as const;
export type FunctionKey = keyof typeof FUNCTIONS;

export interface WorkflowResources {
  functionArns: Record<FunctionKey, string>;
  reviewBucket: string;
  reviewPrefix: string;
}

export function substitutionsFor(resources: WorkflowResources): Record<string, string> {
  return {
    SerializeImageDataFunctionArn: resources.functionArns.serialize,
    ClassifyImageFunctionArn: resources.functionArns.classify,
    FilterInferencesFunctionArn: resources.functionArns.filter,
    ReviewBucket: resources.reviewBucket,
    ReviewPrefix: resources.reviewPrefix,
  };
}

/** The batch state machine's function (a 4th folder in lambdas/), deployed beside the workflow's three. */
export const BATCH_FUNCTIONS = {
  summarize: { logicalName: 'SummarizeBatch', folder: 'summarize-batch' },
} as const;
export type BatchFunctionKey = keyof typeof BATCH_FUNCTIONS;

/** Where a batch's ResultWriter files go: `<prefix><batch execution name>/<map run id>/`. */
export const BATCH_RESULTS_PREFIX = 'batch-results/';

export function batchSubstitutionsFor(resources: {
  classificationStateMachineArn: string;
  summarizeFunctionArn: string;
  resultsBucket: string;
  resultsPrefix?: string;
}): Record<string, string> {
  return {
    ClassificationStateMachineArn: resources.classificationStateMachineArn,
    SummarizeBatchFunctionArn: resources.summarizeFunctionArn,
    ResultsBucket: resources.resultsBucket,
    BatchResultsPrefix: resources.resultsPrefix ?? BATCH_RESULTS_PREFIX,
  };
}

/** The retraining state machine's two functions (folders in lambdas/). */
export const RETRAINING_FUNCTIONS = {
  build: { logicalName: 'BuildTrainingSet', folder: 'build-training-set' },
  evaluate: { logicalName: 'EvaluateCandidate', folder: 'evaluate-candidate' },
} as const;
export type RetrainingFunctionKey = keyof typeof RETRAINING_FUNCTIONS;

/** Where reviewers' ground truth goes (src/review/layout.ts) and BuildTrainingSet reads it. */
export const GROUND_TRUTH_PREFIX = 'ground_truth/';

/** Where the kit's endpoints capture their traffic (DestinationS3Uri's key), without the slash. */
export const DEFAULT_CAPTURE_PREFIX = 'data_capture';

/** Where a retraining run's channels, evaluation set, report and model go: `<prefix><execution name>/`. */
export const RETRAINING_PREFIX = 'retraining/';

export interface RetrainingResources {
  functionArns: Record<RetrainingFunctionKey, string>;
  /** The kit's bucket: staged dataset, ground truth, capture and the runs. */
  bucket: string;
  datasetPrefix: string;
  groundTruthPrefix: string;
  capturePrefix: string;
  retrainingPrefix?: string;
  trainingImage: string;
  sagemakerRoleArn: string;
  endpointName: string;
  modelPackageGroupName: string;
  /** Training job, model and endpoint config names are `<prefix><execution name>` (63 characters at most). */
  namePrefix: string;
  numClasses: number;
  /** The retraining state machine's own ARN: it lists its running executions before it starts. */
  stateMachineArn: string;
  /** The stage: the `scones:stage` tag of what a run creates (kitTags). */
  stage: string;
  /** The alarm that rolls a candidate's canary back (retrainingNames(stage).rolloutAlarm). */
  rolloutAlarmName: string;
  /** The stage's SNS topic: every outcome is published to it. */
  notificationTopicArn: string;
}

export function retrainingSubstitutionsFor(resources: RetrainingResources): Record<string, string> {
  return {
    BuildTrainingSetFunctionArn: resources.functionArns.build,
    EvaluateCandidateFunctionArn: resources.functionArns.evaluate,
    DataBucket: resources.bucket,
    DatasetPrefix: resources.datasetPrefix,
    GroundTruthPrefix: resources.groundTruthPrefix,
    CapturePrefix: resources.capturePrefix,
    RetrainingPrefix: resources.retrainingPrefix ?? RETRAINING_PREFIX,
    TrainingImage: resources.trainingImage,
    SageMakerRoleArn: resources.sagemakerRoleArn,
    EndpointName: resources.endpointName,
    ModelPackageGroupName: resources.modelPackageGroupName,
    RetrainingNamePrefix: resources.namePrefix,
    NumClasses: String(resources.numClasses),
    RetrainingStateMachineArn: resources.stateMachineArn,
    // The run's SageMaker resources carry the stage's kit tags: teardown finds them by those.
    Stage: resources.stage,
    RolloutAlarmName: resources.rolloutAlarmName,
    NotificationTopicArn: resources.notificationTopicArn,
  };
}

/** The intake state machine's one substitution: the state machine it starts executions of. */
export function intakeSubstitutionsFor(resources: { classificationStateMachineArn: string }) {
  return { ClassificationStateMachineArn: resources.classificationStateMachineArn };
}

export class DefinitionError extends Error {
  override name = 'DefinitionError';
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/**
 * A JSON template (the ASL, an event rule) with every `${Name}` replaced; fails on a missing value.
 * Returns the names it used, so callers that render several templates can check for unused ones.
 */
export function substitute(
  template: string,
  substitutions: Record<string, string>,
): { text: string; used: Set<string> } {
  const used = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new DefinitionError(`No value for definition substitution \${${name}}`);
    used.add(name);
    // Placeholders sit inside JSON strings: escape the value as JSON string content.
    return JSON.stringify(value).slice(1, -1);
  });
  return { text, used };
}

/** The ASL text with every placeholder replaced; fails on a missing or an unused substitution. */
export function renderDefinition(
  substitutions: Record<string, string>,
  template = readTemplate('classification'),
): string {
  const { text, used } = substitute(template, substitutions);
  const unused = Object.keys(substitutions).filter((name) => !used.has(name));
  if (unused.length > 0) throw new DefinitionError(`Unknown definition substitutions: ${unused.join(', ')}`);
  return text;
}

/**
 * One of the kit's definitions (default the classification workflow), substituted and parsed;
 * `template` replaces its file's text (an edited copy).
 */
export function loadDefinition(
  substitutions: Record<string, string>,
  name: DefinitionName = 'classification',
  template: string = readTemplate(name),
): Record<string, unknown> {
  return JSON.parse(renderDefinition(substitutions, template)) as Record<string, unknown>;
}

const cachedTemplates = new Map<DefinitionName, string>();
/** The text of one of the kit's definition files, placeholders and all. */
export function readTemplate(name: DefinitionName): string {
  let template = cachedTemplates.get(name);
  if (template === undefined) {
    template = readFileSync(DEFINITION_PATHS[name], 'utf8');
    cachedTemplates.set(name, template);
  }
  return template;
}
