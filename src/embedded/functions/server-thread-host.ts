/**
 * The worker side of server-thread.ts: starts a server with the thread's `workerData`, reports
 * `ready` (or `failed` with the error), lets the server call the main thread, and on `stop`
 * closes it and reports `stopped`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError, threadRpc } from './thread-rpc.ts';
import type { ControlMessage, HostedServer, MainThreadCall } from './types.ts';

/** Runs in a worker module: `start` gets the workerData and the function that calls the main thread. */
export async function hostServer<Options>(
  start: (options: Options, call: MainThreadCall) => Promise<HostedServer>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('hostServer runs in a worker thread (server-thread.ts starts it)');
  const send = (message: ControlMessage) => port.postMessage(message);
  let server: HostedServer | undefined;
  const rpc = threadRpc(port, (value) => {
    if (!server?.onCall) throw new Error('this server takes no calls');
    return server.onCall(value);
  });
  port.on('message', async (message: ControlMessage) => {
    if (message?.kind !== 'stop') return;
    try {
      await server?.stop();
    } catch (error) {
      process.stderr.write(`server thread: stopping failed: ${(error as Error).stack ?? error}\n`);
    }
    send({ kind: 'stopped' });
    port.close();
  });
  try {
    server = await start(workerData as Options, (value) => rpc.call(value));
  } catch (error) {
    send({ kind: 'failed', error: serializeError(error) });
    port.close();
    return;
  }
  send({ kind: 'ready', value: server.ready });
}
