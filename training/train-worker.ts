/**
 * Worker-thread entry of one ensemble member (see trainMemberInWorker in train.ts): its own tfjs
 * wasm instance on its own core. Posts each epoch's report, then the weights as plain arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type MemberJob, trainMember } from './train.ts';

const port = parentPort;
if (!port) throw new Error('train-worker.ts runs as a worker thread');

try {
  const weights = await trainMember(workerData as MemberJob, (epoch) => port.postMessage({ epoch }));
  port.postMessage({
    weights: weights.map((layer) =>
      layer.map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape })),
    ),
  });
} catch (error) {
  port.postMessage({ error: (error as Error).stack ?? String(error) });
}
