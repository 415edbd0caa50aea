/** Retry for AWS's eventual consistency (a new IAM role is not usable for a few seconds). */
import { setTimeout as sleep } from 'node:timers/promises';

export async function retryWhile<T>(
  isTransient: (error: unknown) => boolean,
  action: () => Promise<T>,
  { attempts = 10, delayMs = 2000 }: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await sleep(delayMs);
    }
  }
}
