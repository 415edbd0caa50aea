/**
 * patches/aws-local-stepfunctions+3.0.0.patch follows simple paths (`$`, `$.a.b`, `$$.Execution.Name`)
 * itself instead of through jsonpath-plus, whose evaluator throws and catches an Error for every
 * scalar result. Whatever the input, the result must be jsonpath-plus's own.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';

const PATHS = [
  '$',
  '$.a',
  '$.a.b',
  '$.a.b.c',
  '$.a.length',
  '$.s.length',
  '$.list.length',
  '$.n',
  '$.missing',
  '$.a_1',
];

const keys = fc.constantFrom('a', 'b', 'c', 's', 'n', 'list', 'length', 'a_1', 'x');
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, 0, 1, '', 'text', true, false),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** What the engine's path lookup gives: a Pass state's Parameters, or undefined when it failed. */
async function viaEngine(machine: StateMachine, input: unknown): Promise<unknown> {
  try {
    const output = (await machine.run(input as never).result) as { v: unknown };
    return output.v;
  } catch {
    return undefined; // "Path expression ... does not point to a value"
  }
}

describe('simple JSONPath lookups in the engine', () => {
  it.each(PATHS)('%s gives what jsonpath-plus gives, for any input', async (path) => {
    const machine = new StateMachine(
      { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': path }, End: true } } } as never,
      { validationOptions: { checkPaths: false } } as never,
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(keys, json, { maxKeys: 5 }), async (input) => {
        const expected = JSONPath({ path, json: input, wrap: false });
        expect(await viaEngine(machine, input)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('reads the context object for $$ paths', async () => {
    const machine = new StateMachine({
      StartAt: 'P',
      States: { P: { Type: 'Pass', Parameters: { 'v.$': '$$.Execution.Name' }, End: true } },
    } as never);
    const output = await machine.run({} as never, { context: { Execution: { Name: 'run-1' } } } as never)
      .result;
    expect(output).toEqual({ v: 'run-1' });
  });
});
