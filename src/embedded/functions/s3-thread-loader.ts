/**
 * The entry points of s3-thread.ts, loading it on first use: that module (and the sharp it
 * preloads for the functions it hosts) costs start-up time a run that keeps its S3 in the main
 * thread (`scones classify` of a few images) should not pay.
 */
import type { LocalS3, LocalS3Options } from '../s3/index.ts';
import type { ThreadedLocalS3, ThreadedS3Options } from './types.ts';

export async function startLocalS3Thread(options: ThreadedS3Options = {}): Promise<ThreadedLocalS3> {
  return (await import('./s3-thread.ts')).startLocalS3Thread(options);
}

export async function startLocalS3Threaded(options: LocalS3Options = {}): Promise<LocalS3 | ThreadedLocalS3> {
  return (await import('./s3-thread.ts')).startLocalS3Threaded(options);
}
