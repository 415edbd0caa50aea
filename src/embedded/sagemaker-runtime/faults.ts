import type { Socket } from 'node:net';

/**
 * Fault injection for the local endpoint: error statuses (a countdown such as "503 twice, then
 * succeed"), added latency, and connection faults. Steered in-process through these methods or
 * over HTTP (`POST /_stub/behavior`) by tests driving a server in another process.
 */

/** Statuses an invocation can be made to fail with, and the SageMaker Runtime error each becomes. */
export const FAULT_ERRORS = {
  400: 'ValidationError',
  424: 'ModelError',
  429: 'ThrottlingException',
  500: 'InternalFailure',
  503: 'ServiceUnavailable',
} as const;
export type FaultStatus = keyof typeof FAULT_ERRORS;

/**
 * `refuse`: the listening socket is closed (clients get ECONNREFUSED), as when the endpoint is down.
 * `reset`: connections stay up but every invocation has its socket destroyed (ECONNRESET / socket
 * hang up); the control routes keep working.
 */
export const CONNECTION_MODES = ['accept', 'refuse', 'reset'] as const;
export type ConnectionMode = (typeof CONNECTION_MODES)[number];

/**
 * Bounds on what a control request can set. Latency stays far beyond SageMaker's 60 s invocation
 * limit yet below setTimeout's 2^31-1 ms (past which a timer fires at once); queued failures are
 * capped so a client looping on `fail` cannot grow the server's memory without end.
 */
export const MAX_LATENCY_MS = 600_000;
export const MAX_FAULT_DURATION_MS = 3_600_000;
export const MAX_QUEUED_FAILURES = 1000;

export interface InjectedFailure {
  status: FaultStatus;
  message: string;
}

export interface FaultState {
  latencyMs: number;
  /** Failures still queued; `remaining: null` means every invocation fails. */
  failures: { status: FaultStatus; remaining: number | null; message: string }[];
  connections: ConnectionMode;
}

/** JSON body of `POST /_stub/behavior`; every field optional, applied in this order. */
export interface BehaviorRequest {
  reset?: boolean;
  latencyMs?: number;
  /** Queue a failure: `count` invocations (omitted: all until reset) answer `status`. */
  fail?: { status?: number; count?: number; message?: string };
  connections?: ConnectionMode;
  /** With `connections`: back to `accept` after this many milliseconds (required for `refuse` over HTTP). */
  durationMs?: number;
}

export interface ListenerControl {
  /** Stops accepting and destroys open sockets (but `spare`: the control request's own). */
  closeListener(spare?: Socket): Promise<void>;
  reopenListener(): Promise<void>;
}

export class EndpointFaults {
  #latencyMs = 0;
  #failures: FaultState['failures'] = [];
  #connections: ConnectionMode = 'accept';
  #restoreTimer: NodeJS.Timeout | undefined;
  readonly #listener: ListenerControl;

  constructor(listener: ListenerControl) {
    this.#listener = listener;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  get connections(): ConnectionMode {
    return this.#connections;
  }

  state(): FaultState {
    return {
      latencyMs: this.#latencyMs,
      failures: this.#failures.map((failure) => ({ ...failure })),
      connections: this.#connections,
    };
  }

  /** Delay every invocation by `ms` before it is answered. */
  setLatency(ms: number): void {
    this.#latencyMs = checkLatency(ms);
  }

  /** The next `count` invocations answer `status` (queued after failures already pending). */
  failNext(count: number, status: FaultStatus = 503, message?: string): void {
    checkCount(count);
    this.#checkRoom();
    this.#failures.push({
      status: checkStatus(status),
      remaining: count,
      message: message ?? defaultMessage(status),
    });
  }

  /** Every invocation answers `status` until `reset()`. */
  failAlways(status: FaultStatus = 503, message?: string): void {
    this.#checkRoom();
    this.#failures.push({
      status: checkStatus(status),
      remaining: null,
      message: message ?? defaultMessage(status),
    });
  }

  /** Consumes the failure for the current invocation, if one is queued. */
  takeFailure(): InjectedFailure | undefined {
    const next = this.#failures[0];
    if (!next) return undefined;
    if (next.remaining !== null && --next.remaining === 0) this.#failures.shift();
    return { status: next.status, message: next.message };
  }

  /** Stop accepting connections (ECONNREFUSED); `durationMs` restores them automatically. */
  async refuseConnections(durationMs?: number): Promise<void> {
    await this.#setConnections('refuse', durationMs);
  }

  /** Destroy the socket of every invocation; `durationMs` restores normal answers automatically. */
  async resetConnections(durationMs?: number): Promise<void> {
    await this.#setConnections('reset', durationMs);
  }

  async acceptConnections(): Promise<void> {
    await this.#setConnections('accept');
  }

  /** No latency, no queued failures, connections accepted. */
  async reset(): Promise<void> {
    this.#latencyMs = 0;
    this.#failures = [];
    await this.acceptConnections();
  }

  /**
   * Applies a control request; `spare` is the socket it came on, kept open to carry the answer.
   * The whole request is checked first: a refused one changes nothing.
   */
  async apply(request: BehaviorRequest, spare?: Socket): Promise<FaultState> {
    this.check(request);
    if (request.reset) await this.reset();
    if (request.latencyMs !== undefined) this.setLatency(request.latencyMs);
    if (request.fail) {
      const status = (request.fail.status ?? 503) as FaultStatus;
      if (request.fail.count === undefined) this.failAlways(status, request.fail.message);
      else this.failNext(request.fail.count, status, request.fail.message);
    }
    if (request.connections !== undefined) {
      await this.#setConnections(request.connections, request.durationMs, spare);
    }
    return this.state();
  }

  /** Throws a RangeError naming the field if `apply(request)` would refuse it; changes nothing. */
  check(request: BehaviorRequest): void {
    if (request.latencyMs !== undefined) checkLatency(request.latencyMs);
    if (request.fail) {
      checkStatus(request.fail.status ?? 503);
      if (request.fail.count !== undefined) checkCount(request.fail.count);
      if (!request.reset) this.#checkRoom();
    }
    if (request.durationMs !== undefined) checkDuration(request.durationMs);
    if (request.connections !== undefined) {
      if (!CONNECTION_MODES.includes(request.connections)) {
        throw new RangeError(
          `connections must be one of ${CONNECTION_MODES.join(', ')}; got ${JSON.stringify(request.connections)}`,
        );
      }
      if (request.connections === 'refuse' && request.durationMs === undefined) {
        // Over HTTP nobody could reach the server again to switch it back on.
        throw new RangeError('connections "refuse" needs durationMs when set over HTTP');
      }
    }
  }

  /** Clears the restore timer; used when the server stops. */
  dispose(): void {
    clearTimeout(this.#restoreTimer);
  }

  #checkRoom(): void {
    if (this.#failures.length >= MAX_QUEUED_FAILURES) {
      throw new RangeError(`${MAX_QUEUED_FAILURES} failures are queued already; reset first`);
    }
  }

  async #setConnections(mode: ConnectionMode, durationMs?: number, spare?: Socket): Promise<void> {
    clearTimeout(this.#restoreTimer);
    this.#restoreTimer = undefined;
    const previous = this.#connections;
    this.#connections = mode;
    if (mode === 'refuse' && previous !== 'refuse') await this.#listener.closeListener(spare);
    if (mode !== 'refuse' && previous === 'refuse') await this.#listener.reopenListener();
    if (mode !== 'accept' && durationMs !== undefined) {
      this.#restoreTimer = setTimeout(() => {
        this.acceptConnections().catch((error: unknown) => {
          // The port may have been taken meanwhile; say so rather than crash the process.
          console.error(`endpoint: could not accept connections again: ${(error as Error).message}`);
        });
      }, durationMs);
      this.#restoreTimer.unref();
    }
  }
}

function checkLatency(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
    throw new RangeError(`latency must be a non-negative number of ms up to ${MAX_LATENCY_MS}; got ${ms}`);
  }
  return ms;
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new RangeError(`count must be a positive integer; got ${count}`);
}

function checkDuration(ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_FAULT_DURATION_MS) {
    throw new RangeError(
      `durationMs must be a non-negative number of ms up to ${MAX_FAULT_DURATION_MS}; got ${ms}`,
    );
  }
}

function checkStatus(status: number): FaultStatus {
  // Own keys only: `"constructor" in FAULT_ERRORS` is true, and a string "503" is not a status.
  if (typeof status !== 'number' || !Object.hasOwn(FAULT_ERRORS, status)) {
    throw new RangeError(
      `fault status must be one of ${Object.keys(FAULT_ERRORS).join(', ')}; got ${status}`,
    );
  }
  return status as FaultStatus;
}

function defaultMessage(status: FaultStatus): string {
  return `Injected fault: ${FAULT_ERRORS[status]} (${status})`;
}
