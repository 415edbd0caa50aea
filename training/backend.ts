/**
 * Puts tfjs on the wasm backend (SIMD, one thread in Node) with the training kernels registered.
 * Importing tfjs-backend-wasm registers the backend; `setBackend` loads the .wasm file shipped
 * in the package, so this works offline.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './kernels.ts';

let initialised: Promise<void> | undefined;

async function activateWasm(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
}

/**
 * The backend is process-wide state: whoever switched it since (a test comparing with the CPU
 * backend, say) would otherwise make training run on the pure-JS backend, minutes per epoch.
 */
export async function useWasmBackend(): Promise<void> {
  initialised ??= (async () => {
    registerTrainingKernels();
    await activateWasm();
  })();
  await initialised;
  if (tf.getBackend() !== 'wasm') await activateWasm();
}

export { tf };
