/** The kit's rule files: what they match, what their targets receive, and how bad files are reported. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionStatusChangeEvent } from '../../src/events/execution-events.ts';
import { parseTargetInput } from '../../src/events/input-transformer.ts';
import { type EventRule, eventRuleSubstitutionsFor, loadEventRules } from '../../src/events/rules.ts';
import { type S3ObjectChange, s3ObjectEvent } from '../../src/events/s3-events.ts';

const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-dev-image-classification';
const intakeStateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-dev-image-intake';
const substitutions = eventRuleSubstitutionsFor({
  bucket: 'scones-images',
  intakePrefix: 'incoming/',
  stateMachineArn,
  intakeStateMachineArn,
  notificationTopicArn: 'arn:aws:sns:us-east-1:000000000000:scones-dev-execution-failures',
});
const scope = { region: 'us-east-1', accountId: '000000000000' };
const context = { ruleName: 'r', ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r' };

const rules = loadEventRules(substitutions);
const rule = (id: string) => rules.find((candidate) => candidate.id === id) as EventRule;
const targetInput = (ruleId: string, event: unknown) => {
  const loaded = rule(ruleId);
  const transformer = Object.values(loaded.transformers)[0];
  return parseTargetInput(transformer?.render(event as Record<string, unknown>, context) ?? '');
};

const upload = (change: Partial<S3ObjectChange>) =>
  s3ObjectEvent(
    {
      kind: 'ObjectCreated',
      reason: 'PutObject',
      bucket: 'scones-images',
      key: 'incoming/bike.png',
      size: 10,
      etag: 'abc',
      sequencer: '0001',
      requestId: 'r',
      sourceIp: '127.0.0.1',
      time: new Date(),
      ...change,
    },
    scope,
  );

describe('image-uploaded rule', () => {
  const matches = (event: unknown) => rule('image-uploaded').matches(event);

  it('matches objects created under the intake prefix of the bucket, however they were created', () => {
    expect(matches(upload({}))).toBe(true);
    expect(matches(upload({ reason: 'CopyObject' }))).toBe(true);
    expect(matches(upload({ reason: 'CompleteMultipartUpload', key: 'incoming/a/b/c.jpg' }))).toBe(true);
  });

  it('ignores deletes, other prefixes (the kit writes review/ and capture/), and other buckets', () => {
    expect(matches(upload({ kind: 'ObjectDeleted', reason: 'DeleteObject' }))).toBe(false);
    expect(matches(upload({ key: 'review/x.json' }))).toBe(false);
    expect(matches(upload({ key: 'data_capture/endpoint/a.jsonl' }))).toBe(false);
    expect(matches(upload({ key: 'Incoming/bike.png' }))).toBe(false);
    expect(matches(upload({ bucket: 'other-bucket' }))).toBe(false);
  });

  it('targets the intake state machine with bucket, key and sequencer, escaping any key', () => {
    expect(rule('image-uploaded').targets.map((target) => target.Arn)).toEqual([intakeStateMachineArn]);
    expect(targetInput('image-uploaded', upload({}))).toEqual({
      bucket: 'scones-images',
      key: 'incoming/bike.png',
      sequencer: '0001',
    });
    const odd = 'incoming/a "quoted" \\ key <1>.png';
    expect(targetInput('image-uploaded', upload({ key: odd }))).toMatchObject({ key: odd });
  });
});

describe('execution-failed rule', () => {
  const change = (status: 'FAILED' | 'SUCCEEDED' | 'TIMED_OUT' | 'ABORTED', machine = stateMachineArn) =>
    executionStatusChangeEvent(
      {
        executionArn: `${machine.replace(':stateMachine:', ':execution:')}:bike-png-0123`,
        stateMachineArn: machine,
        name: 'bike-png-0123',
        status,
        startDate: new Date('2026-01-01T00:00:00Z'),
        stopDate: new Date('2026-01-01T00:00:01Z'),
        input: { image_data: '', s3_bucket: 'scones-images', s3_key: 'incoming/bike.png' },
        ...(status === 'FAILED'
          ? { error: 'InvalidImage', cause: '{"errorMessage":"not an \\"image\\""}' }
          : {}),
      },
      scope,
    );

  it('matches failed, timed-out and aborted executions of this state machine only', () => {
    const matches = (event: unknown) => rule('execution-failed').matches(event);
    expect(matches(change('FAILED'))).toBe(true);
    expect(matches(change('TIMED_OUT'))).toBe(true);
    expect(matches(change('ABORTED'))).toBe(true);
    expect(matches(change('SUCCEEDED'))).toBe(false);
    expect(matches(change('FAILED', `${stateMachineArn}-other`))).toBe(false);
  });

  it('sends name, status, input (with the key), Error, Cause and a console link', () => {
    const message = targetInput('execution-failed', change('FAILED')) as Record<string, unknown>;
    expect(message).toEqual({
      subject: 'scones: execution bike-png-0123 FAILED',
      execution: 'bike-png-0123',
      status: 'FAILED',
      time: '2026-01-01T00:00:01Z',
      input: '{"image_data":"","s3_bucket":"scones-images","s3_key":"incoming/bike.png"}',
      error: 'InvalidImage',
      cause: '{"errorMessage":"not an \\"image\\""}',
      console:
        'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/' +
        'arn:aws:states:us-east-1:000000000000:execution:scones-dev-image-classification:bike-png-0123',
    });
    expect(JSON.parse(message.input as string).s3_key).toBe('incoming/bike.png');
    // Timed-out and aborted executions carry no error here: null, still valid JSON.
    expect(targetInput('execution-failed', change('ABORTED'))).toMatchObject({ error: null, cause: null });
  });
});

describe('rule files: errors name the file and the field', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'scones-rules-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const loadOne = async (name: string, content: unknown, subs: Record<string, string> = {}) => {
    const folder = await mkdtemp(path.join(directory, 'case-'));
    await writeFile(path.join(folder, name), typeof content === 'string' ? content : JSON.stringify(content));
    return () => loadEventRules(subs, folder);
  };
  const valid = {
    EventPattern: { source: ['aws.s3'] },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a definition substitution, not a template literal
    Targets: [{ Id: 't', Arn: '${Arn}', InputTransformer: { InputTemplate: '"x"' } }],
  };

  it.each([
    ['not JSON', '{', {}, /broken\.json: .*JSON/],
    ['a missing substitution', valid, {}, /broken\.json: No value for definition substitution \$\{Arn\}/],
    ['an unused substitution', valid, { Arn: 'a', Extra: 'x' }, /substitutions no rule uses: Extra/],
    ['an unknown field', { ...valid, Pattern: {} }, { Arn: 'a' }, /broken\.json: .*Pattern/],
    ['no targets', { ...valid, Targets: [] }, { Arn: 'a' }, /broken\.json: Targets: /],
    [
      'a bad target id',
      { ...valid, Targets: [{ ...valid.Targets[0], Id: 'bad id' }] },
      { Arn: 'a' },
      /broken\.json: Targets\.0\.Id: must be 1-64 characters/,
    ],
    [
      'a bad pattern',
      { ...valid, EventPattern: { detail: { key: [{ prefx: 'a' }] } } },
      { Arn: 'a' },
      /broken\.json: EventPattern: detail\.key\[0\]: unknown operator "prefx"/,
    ],
    [
      'an undefined placeholder',
      { ...valid, Targets: [{ ...valid.Targets[0], InputTransformer: { InputTemplate: '{"a": <nope>}' } }] },
      { Arn: 'a' },
      /broken\.json: Targets\.0\.InputTransformer: InputTemplate contains invalid placeholder nope/,
    ],
  ])('%s', async (_case, content, subs, message) => {
    const load = await loadOne('broken.json', content, subs);
    expect(load).toThrow(message);
  });

  it('the shipped files load with their four substitutions', () => {
    expect(rules.map((loaded) => loaded.id)).toEqual(['execution-failed', 'image-uploaded']);
    expect(() => loadEventRules({ ...substitutions, Typo: 'x' })).toThrow(/Typo/);
  });
});
