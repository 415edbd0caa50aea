/**
 * Calls between threads over a MessagePort (or a Worker): `call` posts a value and resolves with
 * the other side's answer, or rejects with the error it threw (name, message and code kept, which
 * structured clone alone would not do). Each side answers the calls it receives with `onCall`.
 * Messages of other shapes are left to the port's other listeners.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { CallHandler, SerializedError, ThreadRpc } from './types.ts';

/** An error as it can cross threads: structured clone would drop `code`. */
export function serializeError(error: unknown): SerializedError {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as NodeJS.ErrnoException).code;
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(err.stack ? { stack: err.stack } : {}),
  };
}

export function deserializeError(serialized: SerializedError): Error {
  const error = Object.assign(
    new Error(serialized.message),
    serialized.code ? { code: serialized.code } : {},
  );
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

type RpcMessage =
  | { rpc: 'call'; id: number; value: unknown }
  | { rpc: 'reply'; id: number; value?: unknown; error?: SerializedError };

export function threadRpc(port: MessagePort | Worker, onCall: CallHandler = () => undefined): ThreadRpc {
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  /** Set once the other thread is gone: later calls fail at once. */
  let gone: Error | undefined;
  const post = (message: RpcMessage) => {
    if (!gone) port.postMessage(message);
  };
  port.on('message', async (message: RpcMessage) => {
    if (message?.rpc === 'reply') {
      const caller = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) caller?.reject(deserializeError(message.error));
      else caller?.resolve(message.value);
    } else if (message?.rpc === 'call') {
      try {
        post({ rpc: 'reply', id: message.id, value: await onCall(message.value) });
      } catch (error) {
        post({ rpc: 'reply', id: message.id, error: serializeError(error) });
      }
    }
  });
  port.once('close', () => {
    gone ??= new Error('the other thread closed its port');
  });
  return {
    call(value) {
      return new Promise((resolve, reject) => {
        if (gone) return reject(gone);
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        post({ rpc: 'call', id, value });
      });
    },
    rejectPending(error) {
      gone ??= error;
      for (const caller of waiting.values()) caller.reject(error);
      waiting.clear();
    },
    get pending() {
      return waiting.size;
    },
  };
}
