/**
 * The deploy module validates every definition it will send before it creates anything: against a
 * stand-in for the target that answers STS (the account the ARNs are built with) and records every
 * other request, a broken definition refuses the deploy (a plan too) with its diagnostics and
 * nothing else is asked; the kit's own definitions pass, and the deploy goes on to its first
 * resource (the bucket).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidDefinitionError } from '../../src/asl/index.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { deploy } from '../../src/deploy/index.ts';
import { readTemplate } from '../../src/workflow/definition.ts';

const ACCOUNT = '000000000000';
const CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:root</Arn><UserId>${ACCOUNT}</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

let server: Server;
let config: KitConfig;
/** Every request but STS's: `<method> <path>`. */
let asked: string[];
let lines: string[];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (Buffer.concat(chunks).toString().includes('Action=GetCallerIdentity')) {
        response.writeHead(200, { 'Content-Type': 'text/xml' }).end(CALLER_IDENTITY);
        return;
      }
      asked.push(`${request.method} ${request.url}`);
      // Refused: a deploy that got this far stops at its first resource.
      response.writeHead(403).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  config = loadConfig({
    SCONES_TARGET: 'emulator',
    SCONES_STAGE: 'defcheck',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  asked = [];
  lines = [];
});

const options = { functions: false, events: false, log: (line: string) => lines.push(line) } as const;

describe('deploy validates its definitions first', () => {
  it('a broken definition refuses the deploy with its diagnostics; nothing is asked of the target', async () => {
    const classification = JSON.parse(readTemplate('classification'));
    classification.States.ClassifyImage.Next = 'FilterInference';
    // Not JSON, its placeholders all there.
    const retraining = readTemplate('retraining').replace('{', '{,');
    const refusal = deploy({
      ...options,
      config,
      definitions: { classification: JSON.stringify(classification), retraining },
    });
    await expect(refusal).rejects.toBeInstanceOf(InvalidDefinitionError);
    const { message, refused } = (await refusal.catch((error: unknown) => error)) as InvalidDefinitionError;
    expect(refused.map((definition) => definition.source)).toEqual([
      'the classification definition given in place of statemachine/image-classification.asl.json',
      'the retraining definition given in place of statemachine/model-retraining.asl.json',
    ]);
    expect(message).toContain(
      "MISSING_TRANSITION_TARGET: Missing 'Next' target: FilterInference at /States/ClassifyImage/Next",
    );
    expect(message).toContain('MISSING_TRANSITION_TARGET: State "FilterInferences" is not reachable.');
    expect(message).toMatch(/INVALID_JSON_DESCRIPTION: .* at line 1, column 2$/);
    expect(asked).toEqual([]);
    expect(lines.join('\n')).not.toContain('definitions: valid');
  });

  it('a plan is refused alike', async () => {
    const intake = readTemplate('intake').replace('"Type": "Task"', '"Type": "Lambda"');
    await expect(deploy({ ...options, config, plan: true, definitions: { intake } })).rejects.toThrow(
      /statemachine\/image-intake\.asl\.json:\n {2}SCHEMA_VALIDATION_FAILED: Value is not a valid state type: "Lambda"/,
    );
    expect(asked).toEqual([]);
  });

  it("the kit's definitions pass, and the deploy goes on to the bucket", async () => {
    await expect(deploy({ ...options, config })).rejects.toThrow();
    expect(lines).toContain('state machine definitions: valid');
    expect(asked[0]).toMatch(/^HEAD \/scones-/);
  });
});
