/**
 * The order test files are handed to workers (vitest.config.ts, `sequence.sequencer`): vitest's
 * own order within each project (the longest first by a previous run's timings, else the largest
 * file first), with the files of the heavy projects (`slow`: emulators and other processes;
 * `models`: real training) interleaved one to one with the fast project's. vitest alone orders
 * projects one after the other, so the heavy files, the longest of the run, would only start once
 * the fast suite is nearly done, and end the run alone.
 *
 * A fresh clone has no timings, and the largest files are not the longest: the known-long files
 * below go first in their project, so none of them starts last and ends the run alone.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_PROJECT = 'slow';
export const MODELS_PROJECT = 'models';
const HEAVY_PROJECTS = new Set([SLOW_PROJECT, MODELS_PROJECT]);

/** The longest files of each project on these machines (measured alone; seconds of wall time). */
export const KNOWN_LONG_FILES = [
  // fast: thousands of executions, CLI processes
  'test/load/load.test.ts',
  'test/load/cli.test.ts',
  'test/monitor/cli.test.ts',
  'test/up/watch.test.ts',
  'test/up/cli.test.ts',
  'test/embedded/sagemaker/wire.test.ts',
  'test/batch/batch-workflow.test.ts',
  'test/training/stage.test.ts',
  // models
  'test/load/drift-caught.test.ts',
  'test/up/sagemaker.test.ts',
  // slow (in the order of their length in a whole run here)
  'test/up/sagemaker-sdk.test.ts',
  'test/promote/promote.moto.test.ts',
  'test/promote/promote.local.test.ts',
  'test/promote/smoke.moto.test.ts',
  'test/emulator/cloudformation.test.ts',
  'test/up/aws-cli-sagemaker.test.ts',
  'test/emulator/parity.test.ts',
  'test/promote/events.moto.test.ts',
  'test/up/boto3.test.ts',
  'test/promote/pagination.moto.test.ts',
  'test/s3-clients/aws-cli.test.ts',
  'test/embedded/retraining-real.test.ts',
  'test/emulator/events.test.ts',
  'test/emulator/promote-stack.test.ts',
  'test/containers/parity.test.ts',
  'test/emulator/bundle.test.ts',
  'test/test-cases/engines-agree.localstack.test.ts',
  'test/emulator/deploy.test.ts',
  'test/cli/retrain.test.ts',
  'test/up/aws-cli.test.ts',
];

function rank(file: TestSpecification): number {
  const index = KNOWN_LONG_FILES.findIndex((known) => file.moduleId.endsWith(known));
  return index < 0 ? KNOWN_LONG_FILES.length : index;
}

export class InterleaveSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Array.prototype.sort is stable: vitest's order stays among files of the same rank.
    const sorted = (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
    const heavy = sorted.filter((file) => HEAVY_PROJECTS.has(file.project.name));
    const fast = sorted.filter((file) => !HEAVY_PROJECTS.has(file.project.name));
    return Array.from({ length: Math.max(heavy.length, fast.length) }, (_, i) => [heavy[i], fast[i]])
      .flat()
      .filter((file): file is TestSpecification => file !== undefined);
  }
}
