/** Shapes of TestState (API reference, "TestState"): the request once parsed, and the answer. */

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type TestExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

/** `mock`: a result (JSON text) or an error output, never both. */
export interface StateMock {
  result?: string;
  errorOutput?: { error?: string; cause?: string };
  fieldValidationMode?: 'STRICT' | 'PRESENT' | 'NONE';
}

export interface TestStateConfiguration {
  retrierRetryCount?: number;
  errorCausedByState?: string;
  mapIterationFailureCount?: number;
  mapItemReaderData?: string;
}

/** The request's members, as the service model declares them (strings hold JSON text). */
export interface TestStateRequest {
  definition: string;
  roleArn?: string;
  input?: string;
  inspectionLevel?: InspectionLevel;
  revealSecrets?: boolean;
  variables?: string;
  stateName?: string;
  mock?: StateMock;
  context?: string;
  stateConfiguration?: TestStateConfiguration;
}

export interface InspectionErrorDetails {
  catchIndex?: number;
  retryIndex?: number;
  retryBackoffIntervalSeconds?: number;
}

/** `inspectionData`: every data member is JSON text. */
export interface InspectionData {
  input?: string;
  afterArguments?: string;
  afterInputPath?: string;
  afterParameters?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  variables?: string;
  errorDetails?: InspectionErrorDetails;
  afterItemsPath?: string;
  afterItemSelector?: string;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  maxConcurrency?: number;
}

export interface TestStateResponse {
  output?: string;
  error?: string;
  cause?: string;
  inspectionData?: InspectionData;
  nextState?: string;
  status: TestExecutionStatus;
}

/** The state under test, picked out of the request's definition. */
export interface StateUnderTest {
  name: string;
  /** The state's definition with its `QueryLanguage` written on it. */
  definition: Record<string, unknown> & { Type: string; QueryLanguage: 'JSONPath' | 'JSONata' };
  /** Set when the state sits in a Map's ItemProcessor (its context gets `Map.Item`). */
  insideMap: boolean;
}
