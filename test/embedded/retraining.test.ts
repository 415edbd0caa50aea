/**
 * The retraining state machine (statemachine/model-retraining.asl.json) on the embedded engine,
 * against the local SageMaker (scripted training, a hosting double) and a local S3: its real
 * BuildTrainingSet and EvaluateCandidate handlers, scoring models chosen per artifact. Promoted
 * when the gate passes (the endpoint takes the candidate's config), rejected when the candidate is
 * worse on the clean part (registered Rejected with the reason, the endpoint untouched), failed
 * with the training's Error and Cause, and promoted through CreateEndpoint when nothing serves yet.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, test } from 'vitest';
import type { EmbeddedEngine } from '../../src/embedded/stepfunctions/index.ts';
import type { EvaluationReport } from '../../src/workflow/retraining-types.ts';
import {
  byArtifact,
  deployCurrentModel,
  ENDPOINT,
  FAST,
  type RetrainingBed,
  type RetrainingOutput,
  retrainingBed,
  retrainingEngine,
} from './retraining-support.ts';
import { BUCKET, type Harness } from './sagemaker/support.ts';

const GROUP = 'scones-test-image-classifier';

// Each test has its own bed (retrainingBed): they run at once, most of their time is waiting.
const it = test.extend<{ bed: RetrainingBed }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies first.
  bed: async ({}, use) => retrainingBed(use),
});

/** A SageMaker answer, read loosely: the fields the tests check are named where they are read. */
type Described = Record<string, unknown> & {
  ModelMetrics?: { ModelQuality: { Statistics: { S3Uri: string } } };
  CustomerMetadataProperties?: Record<string, string>;
  DataCaptureConfig?: { DestinationS3Uri: string };
  ModelPackageGroupSummaryList?: unknown[];
};

async function run(engine: EmbeddedEngine, name: string, input: Record<string, unknown> = FAST) {
  const record = await engine.run(input, name);
  return { record, output: record.output as RetrainingOutput };
}

const caller = (harness: Harness) => (action: string, input: unknown) =>
  harness.service.call(action, input) as Promise<Described>;

async function readReport(harness: Harness, uri: string): Promise<EvaluationReport> {
  const key = uri.replace(`s3://${BUCKET}/`, '');
  const object = await harness.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await (object.Body?.transformToString() ?? ''));
}

describe.concurrent('the retraining state machine on the embedded engine', () => {
  it('promotes a candidate better on the reviewed part and as good on the clean part', async ({
    bed: { harness, runner },
  }) => {
    const call = caller(harness);
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const { record, output } = await run(retrainingEngine(harness, byArtifact('perfect')), 'run-promoted');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(output.outcome).toBe('promoted');
    expect(output.in_service.endpoint_config).toBe('scones-test-rt-run-promoted');
    // The training set: 8 staged train images, the usable reviewed labels split between train and evaluation.
    expect(output.training_set.original_train).toBe(8);
    expect(output.training_set.reviewed_train + output.training_set.evaluation_reviewed).toBe(16);
    expect(output.training_set.evaluation_reviewed).toBeGreaterThan(0);
    expect(output.training_set.evaluation_clean).toBe(8);
    expect(output.skipped_labels).toEqual({
      malformed: 1,
      unusable_label: 1,
      missing_image: 1,
      contradicting: 1,
    });
    // The job trained on the run's channels with the input's settings.
    const job = runner.runs[0] as unknown as { hyperparameters?: Record<string, unknown> };
    expect(runner.runs).toHaveLength(1);
    expect(JSON.stringify(job)).toContain('retraining/run-promoted/train/');
    // The gate's figures: as good on clean, better on the reviewed (drifted) part.
    expect(output.evaluation.clean_drop).toBe(0);
    expect(output.evaluation.reviewed_gain).toBe(1);
    // Registered Approved, its metrics the report, which holds both models' figures.
    const registered = await call('DescribeModelPackage', {
      ModelPackageName: output.candidate.model_package_arn,
    });
    expect(registered.ModelApprovalStatus).toBe('Approved');
    expect(registered.ModelPackageGroupName).toBe(GROUP);
    const reportUri = registered.ModelMetrics?.ModelQuality.Statistics.S3Uri as string;
    expect(reportUri).toBe(output.evaluation.report_uri);
    const report = await readReport(harness, reportUri);
    expect(report.candidate.reviewed.accuracy).toBe(1);
    expect(report.current?.reviewed.accuracy).toBe(0);
    expect(report.current?.clean.accuracy).toBe(1);
    expect(report.candidate.clean.classes.map((c) => c.recall)).toEqual([1, 1]);
    expect(report.skipped_labels?.contradicting).toBe(1);
    // The endpoint serves the candidate's config.
    const endpoint = await call('DescribeEndpoint', { EndpointName: ENDPOINT });
    expect(endpoint.EndpointStatus).toBe('InService');
    expect(endpoint.EndpointConfigName).toBe('scones-test-rt-run-promoted');
  });

  it('rejects a candidate worse on the clean part: registered Rejected with the reason, the endpoint untouched', async ({
    bed: { harness },
  }) => {
    const call = caller(harness);
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const { record, output } = await run(retrainingEngine(harness, byArtifact('always-0')), 'run-rejected');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(output.outcome).toBe('rejected');
    expect(output.reason).toMatch(/^worse on the clean part: accuracy drop 0\.5 exceeds the margin 0\.01$/);
    const registered = await call('DescribeModelPackage', {
      ModelPackageName: output.candidate.model_package_arn,
    });
    expect(registered.ModelApprovalStatus).toBe('Rejected');
    expect(registered.ModelPackageDescription).toBe(output.reason);
    expect(registered.CustomerMetadataProperties?.reason).toBe(output.reason);
    const endpoint = await call('DescribeEndpoint', { EndpointName: ENDPOINT });
    expect(endpoint.EndpointConfigName).toBe('initial');
    expect(output.in_service).toMatchObject({
      endpoint_config: 'initial',
      model_data: `s3://${BUCKET}/models/initial/model.tar.gz`,
    });
    // No model or endpoint config was made of it.
    await expect(call('DescribeModel', { ModelName: 'scones-test-rt-run-rejected' })).rejects.toThrow(
      /Could not find model/,
    );
  });

  it('rejects a candidate no better on the reviewed part, even when as good on the clean part', async ({
    bed: { harness },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const { output } = await run(retrainingEngine(harness, byArtifact('clean-only')), 'run-same');
    expect(output.outcome).toBe('rejected');
    expect(output.reason).toBe('not better on the reviewed part: accuracy gain 0');
  });

  it('rejects a candidate when no reviewed image was held out: better on drifted data cannot be shown', async ({
    bed: { harness },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const engine = retrainingEngine(harness, byArtifact('perfect'));
    const { output } = await run(engine, 'run-no-reviewed', { ...FAST, evaluation_share: 0 });
    expect(output.training_set.evaluation_reviewed).toBe(0);
    expect(output.training_set.reviewed_train).toBe(16);
    expect(output.outcome).toBe('rejected');
    expect(output.reason).toBe('no reviewed images held out: cannot tell it is better on the drifted data');
  });

  it('a candidate the endpoint cannot take is rolled back: the previous config serves on', async ({
    bed: { harness, hosting },
  }) => {
    const call = caller(harness);
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    hosting.refuse = (config) => config.includes('-rt-');
    const { record, output } = await run(retrainingEngine(harness, byArtifact('perfect')), 'run-rollback');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(output.outcome).toBe('rolled-back');
    expect(output.reason).toMatch(
      /^the update to scones-test-rt-run-rollback was rolled back: the endpoint serves initial/,
    );
    expect(output.in_service).toMatchObject({
      endpoint_config: 'initial',
      model_data: `s3://${BUCKET}/models/initial/model.tar.gz`,
    });
    const endpoint = await call('DescribeEndpoint', { EndpointName: ENDPOINT });
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'initial' });
    expect(endpoint.FailureReason).toMatch(/refused/);
  });

  it('a failed training fails the execution with the Task error and the job description as Cause', async ({
    bed: { harness },
  }) => {
    const call = caller(harness);
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const { record } = await run(retrainingEngine(harness, byArtifact('perfect')), 'run-fails', {
      ...FAST,
      epochs: 0,
    });
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.TaskFailed');
    const cause = JSON.parse(record.cause as string);
    expect(cause.TrainingJobStatus).toBe('Failed');
    expect(cause.FailureReason).toMatch(/epochs/);
    const groups = await call('ListModelPackageGroups', {});
    expect(groups.ModelPackageGroupSummaryList).toEqual([]);
    const endpoint = await call('DescribeEndpoint', { EndpointName: ENDPOINT });
    expect(endpoint.EndpointConfigName).toBe('initial');
  });

  it('with no model in service, the candidate is registered and deployed through CreateEndpoint', async ({
    bed: { harness },
  }) => {
    const call = caller(harness);
    const { record, output } = await run(retrainingEngine(harness, byArtifact('perfect')), 'run-first');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(output.outcome).toBe('promoted');
    expect(output.reason).toBe('no model in service to compare with');
    expect(output.evaluation.current).toBeNull();
    const endpoint = await call('DescribeEndpoint', { EndpointName: ENDPOINT });
    expect(endpoint.EndpointConfigName).toBe('scones-test-rt-run-first');
    const config = await call('DescribeEndpointConfig', { EndpointConfigName: 'scones-test-rt-run-first' });
    expect(config.DataCaptureConfig?.DestinationS3Uri).toBe(`s3://${BUCKET}/data_capture/`);
  });
});
