import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { InterleaveSequencer, MODELS_PROJECT, SLOW_PROJECT } from './test/support/interleave-sequencer.ts';

/**
 * The tiers that start processes outside Node (MiniStack, moto, LocalStack, containers, the Python
 * S3 clients). They wait on those processes more than they compute, so they run beside the fast
 * suite in the same pool rather than after it.
 */
const SLOW_TIERS = [
  'test/emulator/**/*.test.ts',
  'test/**/*.moto.test.ts',
  'test/test-cases/*.{ministack,localstack}.test.ts',
  'test/containers/{parity,compose-stack}.test.ts',
  'test/s3-clients/{aws-cli,boto3}.test.ts',
  // scones up driven by the Python clients of .venv: aws-cli, boto3, the SageMaker Python SDK.
  'test/up/{aws-cli,aws-cli-sagemaker,boto3,sagemaker-sdk,cloudwatch-python}.test.ts',
  'test/promote/promote.local.test.ts',
  // cfn-lint (Python, .venv-cfn-lint/) over the generated CloudFormation template.
  'test/template/cfn-lint.test.ts',
];

/**
 * The end-to-end scenarios that train a model for real (the kit's trainer, seconds of CPU each on
 * 2 cores) and drive the workflow through it: in-process like the fast suite, but together about
 * 60 s of CPU, more than the whole rest of it. The trainer's logic itself stays covered in the fast
 * suite (hyperparameters, tuning and training-job state machines with a scripted runner).
 */
const TRAINS_MODELS = [
  'test/training/train.test.ts',
  'test/embedded/real-model.test.ts',
  'test/embedded/sagemaker/real-training.test.ts',
  'test/load/drift-caught.test.ts',
  'test/up/sagemaker.test.ts',
  'test/cli/retrain.test.ts',
  'test/embedded/retraining-real.test.ts',
];

/**
 * Three projects: `fast` (unit + embedded, nothing outside Node, no model trained;
 * `npm run test:fast`), `models` (the scenarios above) and `slow`. `npm test` runs all three in
 * one pool. The slow project's global setup (only run when the run holds
 * one of its files) starts the emulator broker: each emulator starts once per run, on the first
 * file's demand, and files share it, kept apart by their own stage and resource names.
 */
export default defineConfig({
  test: {
    // Test files share worker processes: a third less wall time on 2 cores. Tests therefore keep
    // no global state (no process.env mutation; servers and clients are per file).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two workers more than cores (vitest's default is one less: a single worker on 2 cores): a
    // slow-tier file spends most of its time waiting on an emulator, a Python client or a child
    // process, whose own processes then use the cores, while other workers run the fast suite.
    maxWorkers: availableParallelism() + 2,
    // Slow-tier files start from the beginning, beside the fast ones (see that file).
    sequence: { sequencer: InterleaveSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...SLOW_TIERS, ...TRAINS_MODELS],
        },
      },
      {
        extends: true,
        test: { name: MODELS_PROJECT, include: TRAINS_MODELS },
      },
      {
        extends: true,
        test: {
          name: SLOW_PROJECT,
          include: SLOW_TIERS,
          globalSetup: ['test/support/shared-emulators/global-setup.ts'],
        },
      },
    ],
  },
});
