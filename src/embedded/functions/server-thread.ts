/**
 * A local server in a worker thread, so the embedded tier uses a second core: the engine, the
 * Lambda handlers and their SDK clients keep their threads, the server's HTTP parsing, routing and
 * responses run beside them. Clients still reach it over real HTTP on 127.0.0.1; only control
 * crosses the thread boundary, as messages.
 *
 * Protocol: the worker (server-thread-host.ts) answers `ready` with what the server reports (its
 * URL, ...) or `failed` with the start-up error (name, message, code: an EADDRINUSE stays
 * recognizable); while it runs it may call the main thread (thread-rpc.ts: hand over an object
 * notification, ...); `stop` makes it close its server and answer `stopped`. A worker that dies
 * on its own is reported on stderr.
 */
import { Worker } from 'node:worker_threads';
import { kitThreadExecArgv } from '../../threads.ts';
import { deserializeError, threadRpc } from './thread-rpc.ts';
import type { CallHandler, ControlMessage, ServerThread } from './types.ts';

/** Longest wait for a stopping server to close its connections before the thread is terminated. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `entry` (a module calling `hostServer`) in a worker with `workerData`; resolves once its
 * server listens, rejects with the server's own start-up error. `onCall` answers its calls.
 */
export function startServerThread<Ready>(
  entry: URL,
  workerData: unknown,
  name: string,
  onCall?: CallHandler,
): Promise<ServerThread<Ready>> {
  const worker = new Worker(entry, { workerData, name, execArgv: kitThreadExecArgv() });
  const rpc = threadRpc(worker, onCall);
  let stopping: Promise<void> | undefined;
  let exited = false;
  const exit = new Promise<void>((done) => worker.once('exit', () => done()));

  function stop(): Promise<void> {
    stopping ??= (async () => {
      if (exited) return;
      const stopped = new Promise<void>((done) => {
        worker.on('message', (message: ControlMessage) => message.kind === 'stopped' && done());
      });
      worker.postMessage({ kind: 'stop' } satisfies ControlMessage);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((done) => {
        timer = setTimeout(done, STOP_TIMEOUT_MS);
      });
      await Promise.race([stopped, exit, timeout]);
      clearTimeout(timer);
      await worker.terminate();
    })();
    return stopping;
  }

  return new Promise((resolve, reject) => {
    let started = false;
    worker.on('message', (message: ControlMessage) => {
      if (message.kind === 'failed') reject(deserializeError(message.error));
      else if (message.kind === 'ready') {
        started = true;
        resolve({ ready: message.value as Ready, worker, call: (value) => rpc.call(value), stop });
      }
    });
    worker.on('error', (error) => {
      if (!started) reject(error);
      else if (!stopping)
        process.stderr.write(`${name}: the server thread failed: ${error.stack ?? error}\n`);
    });
    worker.once('exit', (code) => {
      exited = true;
      rpc.rejectPending(new Error(`${name}: the thread exited (code ${code})`));
      if (!started) reject(new Error(`${name}: the server thread exited (code ${code}) before it listened`));
      else if (!stopping && code !== 0)
        process.stderr.write(`${name}: the server thread exited (code ${code})\n`);
    });
  });
}
