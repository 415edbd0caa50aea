/**
 * Hosting steps: the model (trained artifact + algorithm image), the endpoint config (variant,
 * real-time or serverless, with data capture) and the endpoint. Models and endpoint configs are
 * immutable in SageMaker, so their names carry a fingerprint and new settings make new ones; the
 * endpoint keeps its name (the classify Lambda calls it) and is updated in place.
 */
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { action } from '../actions.ts';
import { describeOrUndefined, type StepContext } from '../context.ts';
import { sageMakerResourceTags } from '../pages.ts';
import { waitUntilDone } from '../progress.ts';
import { endpointConfigRequest, modelRequest, sagemakerTags } from '../specs.ts';
import type { PromotionAction } from '../types.ts';

export async function ensureModel(
  ctx: StepContext,
  roleArn: string,
  modelDataUrl: string | undefined,
): Promise<PromotionAction> {
  const name = ctx.names.model;
  const existing = await describeOrUndefined(() =>
    ctx.sagemaker.send(new DescribeModelCommand({ ModelName: name })),
  );
  if (existing)
    return action(
      'model',
      'sagemaker model',
      name,
      'none',
      existing.PrimaryContainer?.ModelDataUrl ?? '',
      existing.ModelArn,
    );
  const planned = action(
    'model',
    'sagemaker model',
    name,
    'create',
    modelDataUrl ?? 'artifact of the training step',
  );
  if (!ctx.apply) return planned;
  if (!modelDataUrl) throw new Error('The training step produced no model artifact');
  const created = await ctx.sagemaker.send(
    new CreateModelCommand(modelRequest(ctx.names, ctx.target, roleArn, modelDataUrl)),
  );
  planned.arn = created.ModelArn;
  return planned;
}

function variantSummary(ctx: StepContext): string {
  const o = ctx.options;
  const variant = o.serverless
    ? `serverless ${o.serverlessMemoryMb} MB, max concurrency ${o.serverlessMaxConcurrency}`
    : `${o.endpointInstanceCount} x ${o.endpointInstanceType}`;
  const capture = o.serverless
    ? 'no data capture (serverless)'
    : `data capture ${o.captureSamplingPercentage}% input+output to s3://${ctx.target.bucket}/${o.capturePrefix}`;
  return `${variant}; ${capture}`;
}

export async function ensureEndpointConfig(ctx: StepContext): Promise<PromotionAction> {
  const name = ctx.names.endpointConfig;
  const existing = await describeOrUndefined(() =>
    ctx.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })),
  );
  const type = 'sagemaker endpoint config' as const;
  if (existing)
    return action('endpoint-config', type, name, 'none', variantSummary(ctx), existing.EndpointConfigArn);
  const planned = action('endpoint-config', type, name, 'create', variantSummary(ctx));
  if (!ctx.apply) return planned;
  const created = await ctx.sagemaker.send(
    new CreateEndpointConfigCommand(endpointConfigRequest(ctx.options, ctx.names, ctx.target)),
  );
  planned.arn = created.EndpointConfigArn;
  return planned;
}

function describeEndpoint(ctx: StepContext) {
  return ctx.sagemaker.send(new DescribeEndpointCommand({ EndpointName: ctx.names.endpoint }));
}

function waitForEndpoint(ctx: StepContext) {
  return waitUntilDone({
    resource: `endpoint ${ctx.names.endpoint}`,
    describe: () => describeEndpoint(ctx),
    observe: (endpoint) => ({
      status: endpoint.EndpointStatus ?? 'Unknown',
      failureReason: endpoint.FailureReason,
    }),
    succeeded: ['InService'],
    failed: ['Failed', 'OutOfService', 'Deleting'],
    intervalMs: ctx.options.pollIntervalMs,
    onProgress: ctx.onProgress,
  });
}

async function waitUntilGone(ctx: StepContext): Promise<void> {
  while (await describeOrUndefined(() => describeEndpoint(ctx))) {
    await new Promise((done) => setTimeout(done, ctx.options.pollIntervalMs));
  }
}

async function ensureEndpointTags(ctx: StepContext, arn: string): Promise<void> {
  const have = new Map((await sageMakerResourceTags(ctx.sagemaker, arn)).map((tag) => [tag.Key, tag.Value]));
  const missing = sagemakerTags(ctx.target.stage).filter((tag) => have.get(tag.Key) !== tag.Value);
  if (missing.length > 0) await ctx.sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: missing }));
}

/** Whether the endpoint's current config is serverless (AWS cannot update across the two kinds). */
async function servesServerless(
  ctx: StepContext,
  endpointConfigName: string | undefined,
): Promise<boolean | undefined> {
  if (!endpointConfigName) return undefined;
  const current = await describeOrUndefined(() =>
    ctx.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpointConfigName })),
  );
  return current ? current.ProductionVariants?.[0]?.ServerlessConfig !== undefined : undefined;
}

type EndpointMove = 'create' | 'replace' | 'update' | 'wait' | 'none';

async function decideEndpoint(ctx: StepContext, existing: DescribeEndpointCommandOutput | undefined) {
  const { endpointConfig } = ctx.names;
  if (!existing) return { move: 'create' as EndpointMove, detail: `config ${endpointConfig}` };
  if (existing.EndpointStatus === 'Failed') {
    return {
      move: 'replace' as EndpointMove,
      detail: `failed earlier (${existing.FailureReason ?? 'no reason'}): delete and create`,
    };
  }
  if (existing.EndpointConfigName !== endpointConfig) {
    const wasServerless = await servesServerless(ctx, existing.EndpointConfigName);
    if (wasServerless !== undefined && wasServerless !== ctx.options.serverless) {
      // SageMaker does not update a real-time endpoint to serverless (nor back): replace it.
      const kinds = ctx.options.serverless ? 'real-time -> serverless' : 'serverless -> real-time';
      return {
        move: 'replace' as EndpointMove,
        detail: `${kinds} (no in-place update across kinds): delete and create with ${endpointConfig}`,
      };
    }
    return {
      move: 'update' as EndpointMove,
      detail: `config ${existing.EndpointConfigName} -> ${endpointConfig}`,
    };
  }
  if (existing.EndpointStatus !== 'InService') {
    return { move: 'wait' as EndpointMove, detail: `already ${existing.EndpointStatus}: waiting for it` };
  }
  return { move: 'none' as EndpointMove, detail: `InService with config ${endpointConfig}` };
}

const CHANGE_OF: Record<EndpointMove, PromotionAction['change']> = {
  create: 'create',
  replace: 'update',
  update: 'update',
  wait: 'wait',
  none: 'none',
};

export async function ensureEndpoint(ctx: StepContext): Promise<PromotionAction> {
  const { endpoint: name, endpointConfig } = ctx.names;
  const existing = await describeOrUndefined(() => describeEndpoint(ctx));
  const { move, detail } = await decideEndpoint(ctx, existing);
  const billing =
    ctx.target.kind === 'local'
      ? 'served by the local stack until torn down'
      : ctx.options.serverless
        ? 'billed per request'
        : 'billed per hour until torn down';
  const planned = action(
    'endpoint',
    'sagemaker endpoint',
    name,
    CHANGE_OF[move],
    `${detail} (${billing})`,
    existing?.EndpointArn,
  );
  if (!ctx.apply) return planned;

  const create = async () => {
    const created = await ctx.sagemaker.send(
      new CreateEndpointCommand({
        EndpointName: name,
        EndpointConfigName: endpointConfig,
        Tags: sagemakerTags(ctx.target.stage),
      }),
    );
    planned.arn = created.EndpointArn;
  };
  if (move === 'create') await create();
  if (move === 'replace') {
    await ctx.sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
    await waitUntilGone(ctx);
    await create();
  }
  if (move === 'update') {
    await ctx.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: endpointConfig }),
    );
  }
  if (planned.arn) await ensureEndpointTags(ctx, planned.arn);
  if (move !== 'none') await waitForEndpoint(ctx);
  return planned;
}
