/**
 * `npm run bench:sagemaker`: the local SageMaker against the targets its issue sets, on this machine.
 * (a) A training job of the notebook's settings through the SageMaker API of a real `scones up`
 *     process: the CIFAR-100 bicycle/motorcycle set staged as the notebook stages it (the 1,000
 *     training records: 900 train, 100 validation), the promote defaults' hyperparameters
 *     (`num_classes=2`, `epochs=30`, ...). Wall time, FinalMetricDataList, the secondary status
 *     transitions. Target: Completed in <= 2 minutes, validation accuracy >= 0.9.
 * (b) CreateEndpoint -> InService from that job's model, `--runs` times (default 5): min, median,
 *     max. Target <= 2 s. Each endpoint answers one image before it is deleted.
 * (c) InvokeEndpoint through the API's endpoints (variant routing, data capture) against the
 *     runtime's own endpoint (bench:endpoint's path) with and without its capture, interleaved
 *     (bench/sagemaker-routing.ts). Target: routing's overhead within the noise.
 * The job must complete with validation accuracy >= 0.9 (not checked with --quick: 2 epochs),
 * every endpoint must reach InService and answer 200, every invocation must answer and be
 * captured; otherwise nothing is written. Figures go to .scones/bench/sagemaker.json; the last
 * line is JSON. Options: `--runs N`, `--rounds N` (part c), `--quick`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCifarRecord, rgbToPng } from '../test/lambdas/images.ts';
import { stageDataset } from '../training/stage.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench } from './results.ts';
import {
  apiClients,
  startUpProcess,
  type TrainingFigures,
  timeEndpoints,
  trainNotebookJob,
} from './sagemaker-api.ts';
import { measureRoutingOverhead, routingOverhead } from './sagemaker-routing.ts';
import { percentile } from './stats.ts';

const TARGETS = { training_s: 120, validation_accuracy: 0.9, in_service_ms: 2000 };
const BUCKET = 'scones-images';
const PREFIX = 'datasets/cifar-100';

const args = benchArgs(['runs', 'rounds']);
const runs = countOption(args.values.runs, args.quick ? 2 : 5, 'runs');
const rounds = countOption(args.values.rounds, args.quick ? 2 : 6, 'rounds');
const checks = new BenchChecks();
const work = await mkdtemp(path.join(tmpdir(), 'scones-bench-sagemaker-'));

async function trainAndDeploy() {
  const up = await startUpProcess(path.join(work, 'data'));
  const clients = apiClients(up.env);
  try {
    console.error(`bench sagemaker: scones up ready in ${Math.round(up.startToExportsMs)} ms; staging`);
    const staged = await stageDataset({
      s3Client: clients.s3,
      bucket: BUCKET,
      prefix: PREFIX,
      progress: false,
    });
    console.error(
      `bench sagemaker: staged ${staged.splits.train} train, ${staged.splits.validation} validation images; training`,
    );
    const training: TrainingFigures = await trainNotebookJob(clients, {
      bucket: BUCKET,
      prefix: PREFIX,
      trainingSamples: staged.splits.train,
      ...(args.quick ? { epochs: 2 } : {}),
    });
    const accuracy = training.final_metrics['validation:accuracy'];
    console.error(
      `bench sagemaker: training job ${training.status} in ${training.wall_s} s, validation accuracy ${accuracy}`,
    );
    checks.expect(
      training.status === 'Completed',
      `training job ${training.job} ended ${training.status}: ${training.failure_reason ?? ''}`,
    );
    if (!args.quick)
      checks.expect(
        (accuracy ?? 0) >= TARGETS.validation_accuracy,
        `validation accuracy ${accuracy} is below ${TARGETS.validation_accuracy}`,
      );
    const endpoints =
      training.status === 'Completed' && training.model_artifact
        ? await timeEndpoints(
            clients,
            {
              modelArtifact: training.model_artifact,
              bucket: BUCKET,
              runs,
              image: await rgbToPng((await readCifarRecord(0)).rgb),
            },
            checks,
          )
        : [];
    return { startToExportsMs: up.startToExportsMs, training, endpoints };
  } catch (error) {
    console.error(`bench sagemaker: scones up's last lines:\n${up.stderrTail.join('\n')}`);
    throw error;
  } finally {
    clients.destroy();
    await up.stop();
  }
}

try {
  const { startToExportsMs, training, endpoints } = await trainAndDeploy();
  const inService = endpoints.map((run) => run.in_service_ms).sort((a, b) => a - b);
  console.error(
    `bench sagemaker: CreateEndpoint -> InService ${inService.join(', ')} ms; routing and capture`,
  );
  const routing = await measureRoutingOverhead({ rounds, sequentialPerRound: args.quick ? 50 : 200 }, checks);
  const overhead = Object.fromEntries(
    Object.entries(routing.figures).map(([client, figures]) => [
      client,
      { routing: routingOverhead(figures, false), routing_with_capture: routingOverhead(figures, true) },
    ]),
  );
  const accuracy = training.final_metrics['validation:accuracy'];
  await finishBench(
    'sagemaker',
    {
      training_wall_s: training.wall_s,
      training_epochs: Number(training.hyperparameters.epochs),
      training_train_accuracy: training.final_metrics['train:accuracy'],
      training_validation_accuracy: accuracy,
      in_service_runs: inService.length,
      in_service_min_ms: inService[0],
      in_service_median_ms: percentile(inService, 50),
      in_service_max_ms: inService.at(-1),
      routing_overhead_cpu_us: overhead.sdk?.routing.cpu_us_per_request,
      routing_with_capture_overhead_cpu_us: overhead.sdk?.routing_with_capture.cpu_us_per_request,
      plain_noise_cpu_us: overhead.sdk?.routing.plain_noise_cpu_us,
      plain_p50_ms: routing.figures.sdk.plain.p50_ms,
      routed_captured_p50_ms: routing.figures.sdk.routed_captured.p50_ms,
      targets: TARGETS,
      within_targets: {
        training: training.wall_s <= TARGETS.training_s && (accuracy ?? 0) >= TARGETS.validation_accuracy,
        in_service: (inService.at(-1) ?? Infinity) <= TARGETS.in_service_ms,
        invoke_overhead: Object.values(overhead).every(
          (o) => o.routing.within_noise && o.routing_with_capture.within_noise,
        ),
      },
      up_start_to_exports_ms: Math.round(startToExportsMs),
      training,
      endpoints,
      invoke: { ...routing, overhead },
      quick: args.quick,
    },
    checks,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
