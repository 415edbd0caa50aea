/**
 * The order test files are handed to workers (vitest.config.ts, `sequence.sequencer`): vitest's
 * own order within each project (the longest or, without a previous run's timings, the largest
 * first), with the slow project's files interleaved one to one with the fast project's. vitest
 * alone orders projects one after the other, so the slow tiers, which wait on emulators the most,
 * would only start once the fast suite is nearly done, and end the run alone.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_PROJECT = 'slow';

export class InterleaveSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slow = sorted.filter((file) => file.project.name === SLOW_PROJECT);
    const fast = sorted.filter((file) => file.project.name !== SLOW_PROJECT);
    return Array.from({ length: Math.max(slow.length, fast.length) }, (_, i) => [slow[i], fast[i]])
      .flat()
      .filter((file): file is TestSpecification => file !== undefined);
  }
}
