/**
 * Puts tfjs on the wasm backend (SIMD, one thread in Node) with the training kernels registered.
 * Importing tfjs-backend-wasm registers the backend; `setBackend` loads the .wasm file shipped
 * in the package, so this works offline.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './kernels.ts';

let ready: Promise<void> | undefined;

export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    registerTrainingKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
  })();
  return ready;
}

export { tf };
