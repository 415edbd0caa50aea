/**
 * ValidateStateMachineDefinition on the stack's Step Functions API (`scones up` in-process),
 * through the real `@aws-sdk/client-sfn`: the kit's own definitions as the stack serves them, a
 * broken one, a JSONata one, the severity, maxResults and truncated members, requests the model
 * refuses (ValidationException, the server answering on), and CreateStateMachine refusing with the
 * same diagnostics in the service's InvalidDefinition wording.
 */
import { readFileSync } from 'node:fs';
import {
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  ValidateStateMachineDefinitionCommand,
  type ValidateStateMachineDefinitionCommandInput,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support.ts';

const JSONATA = readFileSync(new URL('../asl/fixtures/jsonata-routing.asl.json', import.meta.url), 'utf8');
const ROLE = 'arn:aws:iam::000000000000:role/validate-test';
/** Classify's Next names a state that does not exist, which leaves Route unreachable. */
const BROKEN = JSON.stringify({
  StartAt: 'Classify',
  States: {
    Classify: { Type: 'Pass', Next: 'Router' },
    Route: { Type: 'Succeed' },
  },
});

let test: TestStack;
const validate = (input: Partial<ValidateStateMachineDefinitionCommandInput>) =>
  test.sfn.send(
    new ValidateStateMachineDefinitionCommand(input as ValidateStateMachineDefinitionCommandInput),
  );

beforeAll(async () => {
  test = await startTestStack();
});
afterAll(async () => {
  await test?.close();
});

describe('ValidateStateMachineDefinition on the stack', () => {
  it("the kit's state machines, as the stack serves them, are OK", async () => {
    const { stateMachines = [] } = await test.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines.length).toBeGreaterThanOrEqual(4);
    for (const { stateMachineArn } of stateMachines) {
      const { definition } = await test.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
      const answer = await validate({ definition });
      expect({ stateMachineArn, ...answer, $metadata: undefined }).toEqual({
        stateMachineArn,
        result: 'OK',
        diagnostics: [],
        truncated: false,
        $metadata: undefined,
      });
    }
  });

  it('a broken definition FAILs with the diagnostics and their locations; a JSONata one is OK', async () => {
    const broken = await validate({ definition: BROKEN, type: 'STANDARD' });
    expect(broken.result).toBe('FAIL');
    expect(broken.diagnostics).toEqual([
      {
        severity: 'ERROR',
        code: 'MISSING_TRANSITION_TARGET',
        message: "Missing 'Next' target: Router",
        location: '/States/Classify/Next',
      },
      {
        severity: 'ERROR',
        code: 'MISSING_TRANSITION_TARGET',
        message: 'State "Route" is not reachable.',
        location: '/States/Route',
      },
    ]);
    const jsonata = await validate({ definition: JSONATA });
    expect([jsonata.result, jsonata.diagnostics, jsonata.truncated]).toEqual(['OK', [], false]);
    const notJson = await validate({ definition: '{"StartAt": ' });
    expect(notJson.diagnostics?.[0]).toMatchObject({
      code: 'INVALID_JSON_DESCRIPTION',
      location: 'line 1, column 13',
    });
  });

  it('severity WARNING adds the warnings, the engine refusals among them; the result stays OK', async () => {
    const definition = JSON.stringify({
      StartAt: 'Label',
      States: {
        Label: { Type: 'Pass', Parameters: { key: '$.s3_key' }, Next: 'Transform' },
        Transform: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sagemaker:createTransformJob.sync',
          End: true,
        },
      },
    });
    expect(await validate({ definition })).toMatchObject({ result: 'OK', diagnostics: [] });
    const warned = await validate({ definition, severity: 'WARNING' });
    expect(warned.result).toBe('OK');
    expect(warned.diagnostics?.map((d) => [d.severity, d.code, d.location])).toEqual([
      ['WARNING', 'NO_DOLLAR', '/States/Label/Parameters/key'],
      ['WARNING', 'INVALID_RESOURCE', undefined],
    ]);
    expect(warned.diagnostics?.[1]?.message).toMatch(
      /scones up cannot run this definition.*createTransformJob/,
    );
  });

  it('maxResults caps the list and says it did with truncated; 0 is the default 100', async () => {
    const definition = JSON.stringify({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'X' },
        B: { Type: 'Pass', Next: 'Y' },
        C: { Type: 'Pass', Next: 'Z' },
      },
    });
    const capped = await validate({ definition, maxResults: 2 });
    expect([capped.result, capped.diagnostics?.length, capped.truncated]).toEqual(['FAIL', 2, true]);
    const all = await validate({ definition, maxResults: 0 });
    expect([all.diagnostics?.length, all.truncated]).toEqual([6, false]);
  });

  it('requests the model refuses are ValidationException, and the server answers the next one', async () => {
    const refused = [
      {},
      { definition: '' },
      { definition: BROKEN, type: 'BOGUS' },
      { definition: BROKEN, severity: 'INFO' },
      { definition: BROKEN, maxResults: 101 },
      { definition: 'x'.repeat(1_048_577) },
    ] as Partial<ValidateStateMachineDefinitionCommandInput>[];
    for (const input of refused) {
      await expect(validate(input), JSON.stringify(input).slice(0, 80)).rejects.toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect((await validate({ definition: JSONATA })).result).toBe('OK');
  });

  it('CreateStateMachine refuses the broken definition with the same diagnostics', async () => {
    await expect(
      test.sfn.send(new CreateStateMachineCommand({ name: 'broken', definition: BROKEN, roleArn: ROLE })),
    ).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Router at /States/Classify/Next, MISSING_TRANSITION_TARGET: State "Route" is not reachable. at /States/Route'`,
    });
  });
});
