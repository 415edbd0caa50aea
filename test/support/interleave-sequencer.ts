/**
 * The order test files are handed to workers (vitest.config.ts, `sequence.sequencer`): vitest's
 * own order within each project (the longest or, without a previous run's timings, the largest
 * first), with the files of the heavy projects (`slow`: emulators and other processes; `models`:
 * real training) interleaved one to one with the fast project's. vitest alone orders projects one
 * after the other, so the heavy files, the longest of the run, would only start once the fast
 * suite is nearly done, and end the run alone.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_PROJECT = 'slow';
export const MODELS_PROJECT = 'models';
const HEAVY_PROJECTS = new Set([SLOW_PROJECT, MODELS_PROJECT]);

export class InterleaveSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const heavy = sorted.filter((file) => HEAVY_PROJECTS.has(file.project.name));
    const fast = sorted.filter((file) => !HEAVY_PROJECTS.has(file.project.name));
    return Array.from({ length: Math.max(heavy.length, fast.length) }, (_, i) => [heavy[i], fast[i]])
      .flat()
      .filter((file): file is TestSpecification => file !== undefined);
  }
}
