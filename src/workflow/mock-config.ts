/**
 * Step Functions Local's mock configuration (`MockConfigFile.json`, read by Step Functions Local,
 * LocalStack and MiniStack from `SFN_MOCK_CONFIG`): its schema, and the lookups every engine makes.
 *
 * Format (AWS Step Functions developer guide, "Configuration file for mocked service integrations",
 * https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html):
 * `StateMachines.<name>.TestCases.<case>.<Task state>` names a mocked response;
 * `MockedResponses.<response>.<invocation>` is `{ Return: <service result> }` or
 * `{ Throw: { Error, Cause } }`, keyed by the zero-based invocation of that state in one execution
 * (`"0"`, or an inclusive range `"1-2"`; retries count as invocations). "You must specify a mocked
 * response for every invocation", so keys are checked to run from 0 without gaps or overlaps, as
 * LocalStack enforces when it loads the file.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';

const INVOCATION_KEY = /^(\d+)(?:-(\d+))?$/;

const throwSchema = z.strictObject({
  Error: z.string().min(1, 'Throw.Error must name the error'),
  Cause: z.string(),
});

const mockedResponseSchema = z
  .strictObject({ Return: z.json().optional(), Throw: throwSchema.optional() })
  .refine((response) => 'Return' in response !== 'Throw' in response, {
    message: 'needs exactly one of Return or Throw',
  });
export type MockedResponse = z.infer<typeof mockedResponseSchema>;

interface InvocationRange {
  key: string;
  first: number;
  last: number;
}

function invocationRanges(keys: string[]): { ranges: InvocationRange[]; problems: string[] } {
  const ranges: InvocationRange[] = [];
  const problems: string[] = [];
  for (const key of keys) {
    const match = INVOCATION_KEY.exec(key);
    if (!match) {
      problems.push(`invocation key "${key}" is neither a number ("0") nor a range ("1-2")`);
      continue;
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) problems.push(`invocation range "${key}" ends before it starts`);
    else ranges.push({ key, first, last });
  }
  ranges.sort((a, b) => a.first - b.first);
  let next = 0;
  for (const range of ranges) {
    if (range.first < next) problems.push(`invocation "${range.key}" overlaps an earlier key`);
    else if (range.first > next)
      problems.push(
        `invocation ${next} has no response ("${range.key}" starts at ${range.first}); keys must run from "0" without gaps`,
      );
    next = Math.max(next, range.last + 1);
  }
  if (keys.length === 0) problems.push('defines no invocation ("0": { "Return": ... })');
  return { ranges, problems };
}

const responsesByInvocationSchema = z
  .record(z.string(), mockedResponseSchema)
  .superRefine((responses, context) => {
    for (const message of invocationRanges(Object.keys(responses)).problems)
      context.addIssue({ code: 'custom', message });
  });

const testCaseSchema = z.record(z.string().min(1), z.string().min(1, 'must name a mocked response'));

const mockConfigSchema = z
  .strictObject({
    StateMachines: z.record(
      z.string().min(1),
      z.strictObject({ TestCases: z.record(z.string(), testCaseSchema) }),
    ),
    MockedResponses: z.record(z.string().min(1), responsesByInvocationSchema),
  })
  .superRefine((config, context) => {
    for (const [machine, { TestCases }] of Object.entries(config.StateMachines)) {
      for (const [testCase, states] of Object.entries(TestCases)) {
        for (const [state, response] of Object.entries(states)) {
          if (!(response in config.MockedResponses))
            context.addIssue({
              code: 'custom',
              path: ['StateMachines', machine, 'TestCases', testCase, state],
              message: `names the mocked response "${response}", which MockedResponses does not define`,
            });
        }
      }
    }
  });
export type MockConfig = z.infer<typeof mockConfigSchema>;

export class TestCaseFileError extends Error {
  override name = 'TestCaseFileError';
}

/** An issue path in words: which test case, state, mocked response or invocation is wrong. */
export function describePath(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path.map(String);
  if (top === 'StateMachines' && rest[1] === 'TestCases' && rest[2] !== undefined) {
    const state = rest[3] === undefined ? '' : `, state "${rest[3]}"`;
    return `state machine "${rest[0]}", test case "${rest[2]}"${state}`;
  }
  if (top === 'MockedResponses' && rest[0] !== undefined) {
    const invocation = rest[1] === undefined ? '' : `, invocation "${rest[1]}"`;
    const field = rest.length > 2 ? `, field ${rest.slice(2).join('.')}` : '';
    return `mocked response "${rest[0]}"${invocation}${field}`;
  }
  if (top === 'cases' && rest[0] !== undefined) {
    return `case "${rest[0]}"${rest.length > 1 ? `, field ${rest.slice(1).join('.')}` : ''}`;
  }
  return path.length ? `field ${path.map(String).join('.')}` : 'the file';
}

/** Zod's issues as one error naming the file and, for each issue, the case and the field. */
export function fileError(source: string, what: string, error: z.ZodError): TestCaseFileError {
  const lines = error.issues.map((issue) => {
    // A record key that fails its own schema carries the reason one level down.
    const inner = issue.code === 'invalid_key' ? issue.issues.map((i) => i.message).join('; ') : '';
    return `  - ${describePath(issue.path)}: ${inner ? `invalid name: ${inner}` : issue.message}`;
  });
  return new TestCaseFileError(`${source} is not a valid ${what}:\n${lines.join('\n')}`);
}

export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new TestCaseFileError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TestCaseFileError(`${basename(path)} is not JSON: ${(error as Error).message}`);
  }
}

export function parseMockConfig(json: unknown, source = 'the mock configuration'): MockConfig {
  const parsed = mockConfigSchema.safeParse(json);
  if (!parsed.success) throw fileError(source, 'Step Functions mock configuration', parsed.error);
  return parsed.data;
}

export async function readMockConfig(path: string): Promise<MockConfig> {
  return parseMockConfig(await readJsonFile(path), basename(path));
}

/** Task state -> mocked response name of one test case; fails naming what is missing. */
export function testCaseStates(
  config: MockConfig,
  stateMachine: string,
  testCase: string,
): Record<string, string> {
  const machine = config.StateMachines[stateMachine];
  if (!machine) {
    throw new TestCaseFileError(
      `the mock configuration has no state machine "${stateMachine}" (it has: ${Object.keys(config.StateMachines).join(', ') || 'none'})`,
    );
  }
  const states = machine.TestCases[testCase];
  if (!states) throw new TestCaseFileError(`state machine "${stateMachine}" has no test case "${testCase}"`);
  return states;
}

/** The mocked response for the `invocation`-th (zero-based) call, or undefined past the last key. */
export function mockedResponseAt(
  config: MockConfig,
  responseName: string,
  invocation: number,
): MockedResponse | undefined {
  const responses = config.MockedResponses[responseName] ?? {};
  const range = invocationRanges(Object.keys(responses)).ranges.find(
    ({ first, last }) => first <= invocation && invocation <= last,
  );
  return range ? responses[range.key] : undefined;
}

/** Every mocked state of every test case must be a Task state of the definition. */
export function checkAgainstDefinition(
  config: MockConfig,
  stateMachine: string,
  definition: { States: Record<string, { Type: string }> },
): void {
  const problems: string[] = [];
  for (const [testCase, states] of Object.entries(config.StateMachines[stateMachine]?.TestCases ?? {})) {
    for (const state of Object.keys(states)) {
      const type = definition.States[state]?.Type;
      if (type !== 'Task')
        problems.push(
          `  - test case "${testCase}", state "${state}": ${type ? `is a ${type} state; only Task states can be mocked` : 'is not a state of the definition'}`,
        );
    }
  }
  if (problems.length)
    throw new TestCaseFileError(`the mock configuration does not fit the ASL:\n${problems.join('\n')}`);
}
