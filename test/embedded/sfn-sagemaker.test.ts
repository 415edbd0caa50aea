/**
 * The embedded engine's SageMaker integrations against the local control plane (a scripted
 * training runner, a hosting double): createTrainingJob.sync -> createModel ->
 * createEndpointConfig -> createEndpoint -> a DescribeEndpoint wait loop through the AWS SDK
 * integration; a failed training caught as States.TaskFailed with the job's description as Cause;
 * API refusals named as the developer guide names them; resources refused at build time; the
 * timeout `.sync` Tasks get; and startEmbeddedRuntime (no stack) starting its local SageMaker for
 * the first SageMaker Task.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_WORKFLOW_CODE, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import type { EndpointDeployment, EndpointHosting } from '../../src/embedded/sagemaker/index.ts';
import { EmbeddedEngine } from '../../src/embedded/stepfunctions/index.ts';
import { JOB_TIMEOUT_SECONDS, withJobTimeouts } from '../../src/embedded/stepfunctions/job-timeouts.ts';
import {
  BUCKET,
  type Harness,
  IMAGE,
  put,
  ROLE,
  ScriptedRunner,
  stageChannels,
  startHarness,
  trainingJobRequest,
  trainingTaskParameters,
  until,
} from './sagemaker/support.ts';

/** The scripted runner, writing an object where the model artifact goes (CreateEndpoint checks it). */
class ArtifactRunner extends ScriptedRunner {
  override async run(...args: Parameters<ScriptedRunner['run']>) {
    const result = await super.run(...args);
    const key = result.modelArtifactUri.replace(`s3://${BUCKET}/`, '');
    await put(harness.s3, key, 'a model archive');
    return result;
  }
}

/** Serves nothing; takes a moment to "load", so the first DescribeEndpoint sees Creating. */
class SlowHosting implements EndpointHosting {
  readonly deployed: string[] = [];
  async deploy(deployment: EndpointDeployment): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    this.deployed.push(deployment.endpointName);
  }
  async route(): Promise<void> {}
  async remove(): Promise<void> {}
}

const SM = 'arn:aws:states:::sagemaker:';
const SDK = 'arn:aws:states:::aws-sdk:sagemaker:';
const OPTIMIZED_CAUSE = (code: string) =>
  new RegExp(
    ` \\(Service: AmazonSageMaker; Status Code: 400; Error Code: ${code}; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`,
  );

/** The training request of support.ts as Task Parameters, the job's name from the input. */
const trainingParameters = (hyperparameters: Record<string, string | undefined> = {}) =>
  trainingTaskParameters('unused', hyperparameters);

function deployDefinition(hyperparameters: Record<string, string | undefined> = {}) {
  return {
    StartAt: 'Train',
    States: {
      Train: {
        Type: 'Task',
        Resource: `${SM}createTrainingJob.sync`,
        Parameters: trainingParameters(hyperparameters),
        ResultPath: '$.training',
        Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'TrainingFailed' }],
        Next: 'Model',
      },
      TrainingFailed: { Type: 'Pass', End: true },
      Model: {
        Type: 'Task',
        Resource: `${SM}createModel`,
        Parameters: {
          'ModelName.$': '$.job',
          PrimaryContainer: { Image: IMAGE, 'ModelDataUrl.$': '$.training.ModelArtifacts.S3ModelArtifacts' },
          ExecutionRoleArn: ROLE,
        },
        ResultPath: '$.model',
        Next: 'Config',
      },
      Config: {
        Type: 'Task',
        Resource: `${SM}createEndpointConfig`,
        Parameters: {
          'EndpointConfigName.$': '$.job',
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              'ModelName.$': '$.job',
              InstanceType: 'ml.m5.large',
              InitialInstanceCount: 1,
            },
          ],
        },
        ResultPath: '$.config',
        Next: 'Endpoint',
      },
      Endpoint: {
        Type: 'Task',
        Resource: `${SM}createEndpoint`,
        Parameters: { 'EndpointName.$': '$.job', 'EndpointConfigName.$': '$.job' },
        ResultPath: '$.endpoint',
        Next: 'Describe',
      },
      Describe: {
        Type: 'Task',
        Resource: `${SDK}describeEndpoint`,
        Parameters: { 'EndpointName.$': '$.job' },
        ResultSelector: { 'EndpointStatus.$': '$.EndpointStatus' },
        ResultPath: '$.status',
        Next: 'InService?',
      },
      'InService?': {
        Type: 'Choice',
        Choices: [
          { Variable: '$.status.EndpointStatus', StringEquals: 'InService', Next: 'Deployed' },
          { Variable: '$.status.EndpointStatus', StringEquals: 'Failed', Next: 'DeployFailed' },
        ],
        Default: 'WaitForEndpoint',
      },
      WaitForEndpoint: { Type: 'Wait', Seconds: 1, Next: 'Describe' },
      Deployed: { Type: 'Succeed' },
      DeployFailed: { Type: 'Fail', Error: 'EndpointFailed' },
    },
  };
}

let harness: Harness;
let hosting: SlowHosting;
const describes: string[] = [];

function engineFor(definition: Record<string, unknown>, name: string) {
  const sagemaker = {
    actions: harness.service.actions,
    call: (action: string, input: unknown) => {
      describes.push(action);
      return harness.service.call(action, input);
    },
  };
  return new EmbeddedEngine({
    definition,
    functions: {},
    clients: { s3: harness.s3, sagemaker, sagemakerPollMs: 20 },
    stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
  });
}

beforeAll(async () => {
  hosting = new SlowHosting();
  harness = await startHarness({ runner: new ArtifactRunner(), hosting });
  await stageChannels(harness.s3);
});
afterAll(async () => harness?.close());

describe('the SageMaker integrations on the embedded engine', () => {
  it('trains (.sync), creates the model, config and endpoint, and waits on DescribeEndpoint', async () => {
    const record = await engineFor(deployDefinition(), 'deploy').run({ job: 'sfn-train-1' });
    expect(record.status).toBe('SUCCEEDED');
    const output = record.output as Record<string, Record<string, unknown>>;
    // .sync returns DescribeTrainingJob, times in epoch milliseconds.
    expect(output.training?.TrainingJobStatus).toBe('Completed');
    expect(output.training?.TrainingJobName).toBe('sfn-train-1');
    expect(output.training?.ModelArtifacts).toEqual({
      S3ModelArtifacts: `s3://${BUCKET}/models/sfn-train-1/output/model.tar.gz`,
    });
    expect(output.training?.CreationTime as number).toBeGreaterThan(1e12);
    expect(output.training?.FinalMetricDataList).toEqual(
      expect.arrayContaining([expect.objectContaining({ MetricName: 'validation:accuracy', Value: 0.9 })]),
    );
    // Request-response: the API's answer beside the SDK metadata.
    expect(output.model?.ModelArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:model/sfn-train-1');
    expect(output.config?.EndpointConfigArn).toMatch(/:endpoint-config\/sfn-train-1$/);
    expect(output.endpoint?.EndpointArn).toMatch(/:endpoint\/sfn-train-1$/);
    expect(output.endpoint?.SdkHttpMetadata).toMatchObject({ HttpStatusCode: 200 });
    expect(output.status).toEqual({ EndpointStatus: 'InService' });
    // The loop ran: Creating first, then InService after the Wait.
    const loops = record.history.filter(
      (event) => event.type === 'StateEntered' && event.state?.name === 'WaitForEndpoint',
    ).length;
    expect(loops).toBeGreaterThanOrEqual(1);
    expect(hosting.deployed).toContain('sfn-train-1');
    const polls = describes.filter((action) => action === 'DescribeTrainingJob').length;
    expect(polls).toBeGreaterThanOrEqual(1);
  });

  it('a failed training job fails the Task with States.TaskFailed, caught, its description as Cause', async () => {
    // num_classes is required: the algorithm fails the job (ClientError), as on AWS.
    const record = await engineFor(deployDefinition({ num_classes: undefined }), 'fails').run({
      job: 'sfn-train-bad',
    });
    expect(record.status).toBe('SUCCEEDED');
    const error = (record.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('States.TaskFailed');
    const cause = JSON.parse(error.Cause) as Record<string, unknown>;
    expect(cause.TrainingJobName).toBe('sfn-train-bad');
    expect(cause.TrainingJobStatus).toBe('Failed');
    expect(String(cause.FailureReason)).toMatch(/ClientError: .*num_classes/);
  });

  it('createHyperParameterTuningJob.sync waits for the tuning job and returns its description', async () => {
    const { TrainingJobName: _name, HyperParameters, ...training } = trainingJobRequest('unused');
    const record = await engineFor(
      {
        StartAt: 'Tune',
        States: {
          Tune: {
            Type: 'Task',
            Resource: `${SM}createHyperParameterTuningJob.sync`,
            Parameters: {
              'HyperParameterTuningJobName.$': '$.job',
              HyperParameterTuningJobConfig: {
                Strategy: 'Random',
                HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:accuracy' },
                ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1 },
                ParameterRanges: {
                  ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.001', MaxValue: '0.1' }],
                },
              },
              TrainingJobDefinition: { ...training, StaticHyperParameters: HyperParameters },
            },
            End: true,
          },
        },
      },
      'tune',
    ).run({ job: 'sfn-tune' });
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const tuning = record.output as Record<string, unknown>;
    expect(tuning.HyperParameterTuningJobStatus).toBe('Completed');
    expect(tuning.TrainingJobStatusCounters).toMatchObject({ Completed: 2 });
    expect((tuning.BestTrainingJob as { TrainingJobName: string }).TrainingJobName).toMatch(/^sfn-tune-/);
  });

  it('a .sync Task past its TimeoutSeconds fails with States.Timeout and the training job is stopped', async () => {
    const runner = harness.runner as ScriptedRunner;
    runner.hold();
    try {
      const definition = deployDefinition();
      Object.assign(definition.States.Train, { TimeoutSeconds: 1 });
      const record = await engineFor(definition, 'timeout').run({ job: 'sfn-train-slow' });
      expect(record.status).toBe('FAILED');
      expect(record.error).toBe('States.Timeout');
      const job = await until(
        () => harness.service.call('DescribeTrainingJob', { TrainingJobName: 'sfn-train-slow' }),
        (j) => (j as { TrainingJobStatus: string }).TrainingJobStatus === 'Stopped',
      );
      expect((job as { TrainingJobStatus: string }).TrainingJobStatus).toBe('Stopped');
    } finally {
      runner.release();
    }
  });

  // States.TaskFailed in a Catch matches every Task error (but States.Timeout), as on AWS.
  it('an API refusal is SageMaker.AmazonSageMakerException with the API error code in the Cause', async () => {
    const record = await engineFor(deployDefinition(), 'bad-name').run({ job: 'bad_name!' });
    const error = (record.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('SageMaker.AmazonSageMakerException');
    expect(error.Cause).toMatch(/^1 validation error detected: Value 'bad_name!' at 'trainingJobName'/);
    expect(error.Cause).toMatch(OPTIMIZED_CAUSE('ValidationException'));
  });

  it('a name already taken is the modeled SageMaker.ResourceInUseException; uncaught, it fails the execution', async () => {
    const definition = deployDefinition();
    const states = definition.States as Record<string, unknown>;
    delete (states.Train as { Catch?: unknown }).Catch;
    delete states.TrainingFailed;
    const record = await engineFor(definition, 'taken').run({ job: 'sfn-train-1' });
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('SageMaker.ResourceInUseException');
    expect(record.cause).toMatch(OPTIMIZED_CAUSE('ResourceInUse'));
  });

  it('an AWS SDK integration error is SageMaker.<Code> with the Exception suffix', async () => {
    const record = await engineFor(
      {
        StartAt: 'Describe',
        States: {
          Describe: {
            Type: 'Task',
            Resource: `${SDK}describeEndpoint`,
            Parameters: { EndpointName: 'no-such-endpoint' },
            Catch: [{ ErrorEquals: ['SageMaker.ValidationException'], Next: 'Missing' }],
            End: true,
          },
          Missing: { Type: 'Pass', End: true },
        },
      },
      'sdk-error',
    ).run({});
    expect(record.status).toBe('SUCCEEDED');
    const caught = record.output as { Error: string; Cause: string };
    expect(caught.Error).toBe('SageMaker.ValidationException');
    expect(caught.Cause).toMatch(
      /^Could not find endpoint .*no-such-endpoint.*\(Service: SageMaker, Status Code: 400/,
    );
  });

  it('refuses at build what the local SageMaker cannot run, or an engine without one', () => {
    const task = (Resource: string) => ({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource, Parameters: {}, End: true } },
    });
    expect(() => engineFor(task(`${SM}createTransformJob.sync`), 'transform')).toThrow(
      /createTransformJob.sync is not supported in-process \(the local SageMaker does not run this kind of job/,
    );
    expect(() => engineFor(task(`${SM}createModel.sync`), 'model-sync')).toThrow(
      /\.sync for training and tuning/,
    );
    expect(() => engineFor(task(`${SDK}createNotebookInstance`), 'notebook')).toThrow(
      /does not serve CreateNotebookInstance/,
    );
    expect(
      () =>
        new EmbeddedEngine({
          definition: task(`${SM}createModel`),
          functions: {},
          clients: { s3: harness.s3 },
        }),
    ).toThrow(/needs the local SageMaker/);
  });
});

describe('the timeout of .sync Tasks', () => {
  it('is Step Functions default (none, in practice), not the library 60 s, unless the state sets one', () => {
    const job = (extra: object = {}) => ({
      Type: 'Task',
      Resource: `${SM}createTrainingJob.sync`,
      End: true,
      ...extra,
    });
    const definition = {
      StartAt: 'Train',
      States: {
        Train: job(),
        Timed: job({ TimeoutSeconds: 5 }),
        TimedByPath: job({ TimeoutSecondsPath: '$.t' }),
        Model: { Type: 'Task', Resource: `${SM}createModel`, End: true },
        Branches: {
          Type: 'Parallel',
          End: true,
          Branches: [{ StartAt: 'Nested', States: { Nested: job() } }],
        },
        Each: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'Inner', States: { Inner: job() } } },
      },
    };
    type Timed = { TimeoutSeconds?: number };
    const states = withJobTimeouts(definition as never).States as unknown as {
      [name in 'Train' | 'Timed' | 'TimedByPath' | 'Model']: Timed;
    } & {
      Branches: { Branches: [{ States: { Nested: Timed } }] };
      Each: { ItemProcessor: { States: { Inner: Timed } } };
    };
    expect(states.Train.TimeoutSeconds).toBe(JOB_TIMEOUT_SECONDS);
    expect(JOB_TIMEOUT_SECONDS * 1000).toBeLessThan(2 ** 31);
    expect(JOB_TIMEOUT_SECONDS).toBeGreaterThan(7 * 24 * 3600);
    expect(states.Timed.TimeoutSeconds).toBe(5);
    expect(states.TimedByPath.TimeoutSeconds).toBeUndefined();
    expect(states.Model.TimeoutSeconds).toBeUndefined();
    expect(states.Branches.Branches[0].States.Nested.TimeoutSeconds).toBe(JOB_TIMEOUT_SECONDS);
    expect(states.Each.ItemProcessor.States.Inner.TimeoutSeconds).toBe(JOB_TIMEOUT_SECONDS);
    // The definition given is left as written (DescribeStateMachine shows it).
    expect((definition.States.Train as { TimeoutSeconds?: number }).TimeoutSeconds).toBeUndefined();
  });
});

describe('startEmbeddedRuntime without a stack', () => {
  it('gives the engine a local SageMaker, started on the first SageMaker Task, under the data dir', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sfn-sagemaker-runtime-'));
    // The kit's ASL template takes these substitutions; a Pass state uses them all.
    const substitutions = [
      'SerializeImageDataFunctionArn',
      'ClassifyImageFunctionArn',
      'FilterInferencesFunctionArn',
      'ReviewBucket',
      'ReviewPrefix',
    ];
    const template = JSON.stringify({
      StartAt: 'Names',
      States: {
        Names: {
          Type: 'Pass',
          Result: Object.fromEntries(substitutions.map((name) => [name, `\${${name}}`])),
          ResultPath: '$.names',
          Next: 'List',
        },
        List: { Type: 'Task', Resource: `${SDK}listModels`, Parameters: { MaxResults: 5 }, End: true },
      },
    });
    const runtime = await startEmbeddedRuntime({
      dataDir,
      workflow: { ...REPO_WORKFLOW_CODE, definitions: { 'image-classification.asl.json': template } },
    });
    try {
      expect(runtime.sagemaker).toBeUndefined();
      const record = await runtime.engine.run({}, 'list-models');
      expect(record.status, record.cause).toBe('SUCCEEDED');
      expect(record.output).toEqual({ Models: [] });
      // The control plane keeps its state where a stack would (<dataDir>/sagemaker).
      expect(await readdir(dataDir)).toContain('sagemaker');
    } finally {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
