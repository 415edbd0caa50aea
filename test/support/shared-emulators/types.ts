/** Shapes shared by the emulator broker (vitest's main process) and the test files that use it. */

declare module 'vitest' {
  interface ProvidedContext {
    /** Base URL of the run's emulator broker (global-setup.ts), for shared servers and bundles. */
    emulatorBroker: string;
  }
}

/** The servers one run shares between its test files, each started once, on first demand. */
export const SHARED_SERVER_NAMES = [
  'ministack',
  'ministack-released',
  'moto',
  'moto-released',
  'moto-interpreter',
  'localstack',
] as const;
export type SharedServerName = (typeof SHARED_SERVER_NAMES)[number];

/** What the broker answers for a started server. */
export interface SharedServerInfo {
  name: SharedServerName;
  url: string;
  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send the kit's clients to it. */
  environment: Record<string, string>;
}

/** A broker answer: the value, a failure (with the server's output), or "still starting, ask again". */
export type BrokerAnswer<T> = { value: T } | { error: string } | { pending: true };
