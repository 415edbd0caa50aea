/**
 * Why a TestState request is refused, with the error code the API reference lists for it
 * (InvalidDefinition, InvalidExecutionInput, ValidationException, InvalidArn): the API layer sends
 * it in the service's wire shape; this folder stays free of the HTTP side.
 */
export type TestStateRefusalCode =
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'ValidationException'
  | 'InvalidArn';

export class TestStateRefused extends Error {
  readonly code: TestStateRefusalCode;

  constructor(code: TestStateRefusalCode, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

export const refuse = {
  definition: (why: string) => new TestStateRefused('InvalidDefinition', why),
  input: (why: string) => new TestStateRefused('InvalidExecutionInput', why),
  validation: (why: string) => new TestStateRefused('ValidationException', why),
  arn: (why: string) => new TestStateRefused('InvalidArn', why),
};
