/**
 * The batch state machine on MiniStack, as far as MiniStack goes: the deploy module deploys it
 * (with SummarizeBatch and both roles) beside the workflow; started through the Step Functions
 * API over a prefix, its Distributed Map lists the objects (ItemReader, S3 ListObjectsV2), builds
 * each item with `$$.Map.Item` (ItemSelector) and runs the per-image workflow through
 * `states:startExecution.sync:2` under the name `<batch>-<index>`. MiniStack 1.5.33 has no
 * ResultWriter and reads neither MaxConcurrencyPath nor ToleratedFailurePercentagePath
 * (docs/emulator-differences.md, "Distributed Map"): the parts that need them are skipped here with
 * that reason, and run on the embedded tier (test/batch/) instead.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import { batchSubstitutionsFor, loadDefinition } from '../../src/workflow/definition.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';
import { closedExecution, type EmulatorStack, startSharedEmulatorStack } from '../support/emulator-stack.ts';

const NO_RESULT_WRITER =
  'MiniStack 1.5.33 does not implement the Distributed Map ResultWriter (no manifest.json or result files; the Map state returns the outputs as an array), which SummarizeBatch reads: checked on the embedded tier, test/batch/batch-workflow.test.ts';
const NO_SETTING_PATHS =
  'MiniStack 1.5.33 reads ToleratedFailurePercentage and MaxConcurrency only as literals, not their *Path forms the batch ASL uses (its Map Run fails on the first failure, and runs up to 64 children at once): checked on the embedded tier, test/batch/distributed-map.test.ts';

const STAGE = 'batchemu';

describe('batch state machine on MiniStack', () => {
  let endpoint: EndpointServer;
  let stack: EmulatorStack;
  const names = resourceNames(STAGE);

  beforeAll(async () => {
    endpoint = await startEndpointServer({ predictor: createStubPredictor() });
    stack = await startSharedEmulatorStack(STAGE, { endpointUrl: endpoint.url });
    const png = await rgbToPng((await readCifarRecord(0)).rgb);
    for (const key of ['batch-emu/a.png', 'batch-emu/b.png', 'batch-emu/c.png']) {
      await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.bucket, Key: key, Body: png }));
    }
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await endpoint?.stop();
  });

  const finished = (executionArn: string) =>
    closedExecution(stack.sfn, executionArn, { timeout: 90_000, interval: 200 });

  it('deploys the batch state machine from the one ASL file, with its substitutions, a valid definition', async () => {
    const { deployment } = stack;
    expect(deployment.batchStateMachineArn).toBe(
      deployment.stateMachineArn.replace(names.stateMachine, names.batchStateMachine),
    );
    const described = await stack.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: deployment.batchStateMachineArn }),
    );
    const definition = JSON.parse(described.definition ?? '{}');
    expect(definition).toEqual(
      loadDefinition(
        batchSubstitutionsFor({
          classificationStateMachineArn: deployment.stateMachineArn,
          summarizeFunctionArn: deployment.batchFunctionArn as string,
          resultsBucket: stack.config.bucket,
        }),
        'batch',
      ),
    );
    const validation = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(validation.errorsText?.('; ') ?? '').toBe('');
    expect(validation.isValid).toBe(true);
    expect(described.roleArn).toContain(`:role/${names.batchStateMachineRole}`);
  });

  it('lists the prefix and runs the per-image workflow once per object, named <batch>-<index>', async () => {
    const { executionArn } = await stack.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stack.deployment.batchStateMachineArn,
        name: 'emu-batch',
        input: JSON.stringify({ s3_bucket: stack.config.bucket, s3_prefix: 'batch-emu/' }),
      }),
    );
    const parent = await finished(executionArn as string);
    // Without a ResultWriter the Map state has no ResultWriterDetails, which MiniStack passes on as
    // null: SummarizeBatch refuses the event (docs/emulator-differences.md, "Distributed Map"). When
    // this fails, MiniStack has changed: update that section and un-skip the parts below.
    expect(parent).toMatchObject({ status: 'FAILED', error: 'InvalidEvent' });
    expect(parent.cause).toContain('SummarizeBatch manifest: the event must be a JSON object; got null');
    const children = await Promise.all(
      [0, 1, 2].map((index) =>
        finished(
          `${stack.deployment.stateMachineArn.replace(':stateMachine:', ':execution:')}:emu-batch-${index}`,
        ),
      ),
    );
    expect(children.map((child) => child.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const keys = children.map((child) => JSON.parse(child.input ?? '{}').s3_key as string).sort();
    expect(keys).toEqual(['batch-emu/a.png', 'batch-emu/b.png', 'batch-emu/c.png']);
    for (const child of children) {
      expect(['short-range', 'long-range', 'manual-review']).toContain(
        JSON.parse(child.output ?? '{}').decision,
      );
    }
  }, 120_000);

  it('writes the per-item results and the summary (ResultWriter, SummarizeBatch)', (context) => {
    console.warn(`skipped: ${NO_RESULT_WRITER}`);
    context.skip();
  });

  it('tolerates failures up to the share in tolerated_failure_percentage, bounded by max_concurrency', (context) => {
    console.warn(`skipped: ${NO_SETTING_PATHS}`);
    context.skip();
  });
});
