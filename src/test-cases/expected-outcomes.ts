/**
 * The kit's own files beside the mock configuration, one per state machine: for each test case,
 * the outcome every engine must give (status, the decision or the Error, the states entered in
 * order, the invocations of each Task state entered) and, for a review, fields the stored review
 * item must hold. AWS's format has no place for expectations, so they live here; each file names
 * the same cases as its state machine's entry in the mock configuration. `definition` says which
 * ASL of statemachine/ the cases are for, `decisionField` which output field is the decision
 * (the classification's `decision`, the retraining's `outcome`).
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { DEFINITION_PATHS, type DefinitionName } from '../workflow/definition.ts';
import { fileError, type MockConfig, readJsonFile, TestCaseFileError } from '../workflow/mock-config.ts';

/** An execution input: a JSON object (the classification's S3 event, the retraining's settings). */
const inputSchema = z.record(z.string(), z.json());

// An execution name: 1-80 letters, digits, - and _ (StartExecution's `name`).
const executionNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'an execution name is 1-80 letters, digits, - or _');

const common = {
  description: z.string().optional(),
  /** Execution input of this case; default the file's `input`. */
  input: inputSchema.optional(),
  /**
   * A fixed execution name, for a case whose mocked responses name it (default `<case>-<run id>`);
   * a persistent stack refuses a second execution of that name (ExecutionAlreadyExists).
   */
  executionName: executionNameSchema.optional(),
  states: z.array(z.string().min(1)).min(1, 'must list at least the first state'),
  attempts: z.record(z.string().min(1), z.int().positive('must be a positive number of invocations')),
};

const outcomeSchema = z.discriminatedUnion('status', [
  z.strictObject({
    ...common,
    status: z.literal('SUCCEEDED'),
    /** The output's `decisionField`: short-range, long-range, manual-review; promoted, rejected... */
    decision: z.string().min(1),
    /** Fields the review item object (review/<execution name>.json) must hold, compared as JSON. */
    reviewItem: z.record(z.string(), z.json()).optional(),
  }),
  z.strictObject({ ...common, status: z.literal('FAILED'), error: z.string().min(1) }),
]);
export type ExpectedOutcome = z.infer<typeof outcomeSchema>;

const expectedOutcomesSchema = z
  .strictObject({
    $comment: z.string().optional(),
    stateMachine: z.string().min(1),
    /** The ASL of statemachine/ the cases are for (definition.ts DEFINITION_PATHS); default the classification. */
    definition: z
      .enum(Object.keys(DEFINITION_PATHS) as [DefinitionName, ...DefinitionName[]])
      .default('classification'),
    /** The field of a succeeded execution's output that is its decision. */
    decisionField: z.string().min(1).default('decision'),
    input: inputSchema,
    // A case name ends up in execution names (`<case>-<run id>`): letters, digits, - and _ only.
    cases: z.record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a case name is 1-64 letters, digits, - or _'),
      outcomeSchema,
    ),
  })
  .superRefine((file, context) => {
    for (const [name, outcome] of Object.entries(file.cases)) {
      const unvisited = Object.keys(outcome.attempts).filter((state) => !outcome.states.includes(state));
      if (unvisited.length)
        context.addIssue({
          code: 'custom',
          path: ['cases', name, 'attempts'],
          message: `counts states that "states" does not list: ${unvisited.join(', ')}`,
        });
    }
  });
export type ExpectedOutcomes = z.infer<typeof expectedOutcomesSchema>;

export function parseExpectedOutcomes(json: unknown, source = 'the expected outcomes'): ExpectedOutcomes {
  const parsed = expectedOutcomesSchema.safeParse(json);
  if (!parsed.success) throw fileError(source, 'expected-outcomes file', parsed.error);
  return parsed.data;
}

export async function readExpectedOutcomes(path: string): Promise<ExpectedOutcomes> {
  return parseExpectedOutcomes(await readJsonFile(path), basename(path));
}

/** Both files must name the same state machine and the same cases. */
export function checkSameCases(expected: ExpectedOutcomes, config: MockConfig): void {
  const machine = config.StateMachines[expected.stateMachine];
  if (!machine)
    throw new TestCaseFileError(
      `the expected outcomes are for state machine "${expected.stateMachine}", which the mock configuration does not define`,
    );
  const mocked = Object.keys(machine.TestCases);
  const listed = Object.keys(expected.cases);
  const problems = [
    ...mocked
      .filter((name) => !listed.includes(name))
      .map((name) => `  - case "${name}": in the mock configuration, without an expected outcome`),
    ...listed
      .filter((name) => !mocked.includes(name))
      .map(
        (name) => `  - case "${name}": has an expected outcome, but no test case in the mock configuration`,
      ),
  ];
  if (problems.length)
    throw new TestCaseFileError(
      `the two test-case files do not list the same cases:\n${problems.join('\n')}`,
    );
}
