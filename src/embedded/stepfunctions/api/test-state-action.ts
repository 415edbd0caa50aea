/**
 * TestState on the embedded Step Functions API (test-state/ runs the state): members checked as the
 * service model declares them (definition up to 1 MiB, input, variables and context up to 262,144
 * characters, inspectionLevel INFO, DEBUG or TRACE, stateName 1-80, retry and failure counts >= 0),
 * the folder's refusals sent with the code the API reference lists for them.
 */
import { z } from 'zod';
import { TestStateRefused, testState } from '../test-state/index.ts';
import { SfnApiError, sfnErrors } from './errors.ts';
import { type Action, parse, required } from './requests.ts';

const sensitive = z.string().max(262_144).optional();

const schema = z.object({
  definition: z.string(required()).min(1).max(1_048_576),
  roleArn: z.string().min(1).max(256).optional(),
  input: sensitive,
  inspectionLevel: z.enum(['INFO', 'DEBUG', 'TRACE']).optional(),
  revealSecrets: z.boolean().optional(),
  variables: sensitive,
  stateName: z.string().min(1).max(80).optional(),
  mock: z
    .object({
      result: sensitive,
      errorOutput: z
        .object({ error: z.string().max(256).optional(), cause: z.string().max(32_768).optional() })
        .optional(),
      fieldValidationMode: z.enum(['STRICT', 'PRESENT', 'NONE']).optional(),
    })
    .optional(),
  context: sensitive,
  stateConfiguration: z
    .object({
      retrierRetryCount: z.number().int().min(0).optional(),
      errorCausedByState: z.string().min(1).max(80).optional(),
      mapIterationFailureCount: z.number().int().min(0).optional(),
      mapItemReaderData: sensitive,
    })
    .optional(),
});

function apiErrorOf(refused: TestStateRefused): SfnApiError {
  switch (refused.code) {
    case 'ValidationException':
      return sfnErrors.validation(refused.message);
    case 'InvalidDefinition':
    case 'InvalidExecutionInput':
    case 'InvalidArn':
      return new SfnApiError(refused.code, refused.message);
  }
}

export const TEST_STATE: Record<string, Action> = {
  async TestState(host, request) {
    const parsed = parse(schema, request);
    const anyArn = host.stateMachines()[0]?.stateMachineArn.split(':');
    try {
      return await testState(parsed, anyArn ? { region: anyArn[3], account: anyArn[4] } : {});
    } catch (error) {
      if (error instanceof TestStateRefused) throw apiErrorOf(error);
      throw error;
    }
  },
};
