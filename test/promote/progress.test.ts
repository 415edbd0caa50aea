/** The poller behind every wait of a promotion: transitions once each, metrics when they change, failures with their reason. */
import { describe, expect, it } from 'vitest';
import {
  type Observation,
  type PromoteEvent,
  WaitFailedError,
  waitUntilDone,
} from '../../src/promote/progress.ts';

function poll(sequence: Observation[]) {
  let index = 0;
  const events: PromoteEvent[] = [];
  const run = () =>
    waitUntilDone({
      resource: 'training job j',
      describe: async () => sequence[Math.min(index++, sequence.length - 1)] as Observation,
      observe: (observation) => observation,
      succeeded: ['Completed'],
      failed: ['Failed', 'Stopped'],
      intervalMs: 1,
      onProgress: (event) => events.push(event),
    });
  return { run, events, polls: () => index };
}

describe('waitUntilDone', () => {
  it('reports each status transition once and each metric when its value changes', async () => {
    const { run, events, polls } = poll([
      { status: 'InProgress', detail: 'Starting' },
      { status: 'InProgress', detail: 'Starting' },
      { status: 'InProgress', detail: 'Training', metrics: [{ name: 'train:accuracy', value: 0.6 }] },
      { status: 'InProgress', detail: 'Training', metrics: [{ name: 'train:accuracy', value: 0.6 }] },
      { status: 'InProgress', detail: 'Training', metrics: [{ name: 'train:accuracy', value: 0.8 }] },
      { status: 'Completed', detail: 'Completed', metrics: [{ name: 'validation:accuracy', value: 0.9 }] },
    ]);
    const done = await run();
    expect(done.status).toBe('Completed');
    expect(polls()).toBe(6);
    expect(events.filter((e) => e.type === 'status').map((e) => e.message.replace(/ \[\d+s\]$/, ''))).toEqual(
      [
        '  training job j: InProgress (Starting)',
        '  training job j: InProgress (Training)',
        '  training job j: Completed (Completed)',
      ],
    );
    expect(events.filter((e) => e.type === 'metric').map((e) => e.message)).toEqual([
      '  training job j: train:accuracy = 0.6',
      '  training job j: train:accuracy = 0.8',
      '  training job j: validation:accuracy = 0.9',
    ]);
  });

  it('fails with the reason SageMaker gave', async () => {
    const { run } = poll([
      { status: 'InProgress' },
      { status: 'Failed', failureReason: 'ClientError: Unable to download data from channel train' },
    ]);
    await expect(run()).rejects.toThrow(WaitFailedError);
    await expect(poll([{ status: 'Failed', failureReason: 'ClientError: bad lst' }]).run()).rejects.toThrow(
      /training job j ended Failed: ClientError: bad lst/,
    );
  });
});
