/**
 * The InputTransformer against the examples of "Amazon EventBridge input transformation" (the EC2
 * event and each template of its table) and the behaviours AWS was recorded with in LocalStack's
 * AWS-validated snapshots (missing paths, undefined placeholders, predefined variables).
 */
import { describe, expect, it } from 'vitest';
import { compileInputTransformer, InputTransformerError } from '../../src/events/input-transformer.ts';
import { evaluateJsonPath, parseJsonPath } from '../../src/events/json-path.ts';

const ec2Event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const paths = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const context = {
  ruleName: 'example',
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ingestionTime: new Date('2015-11-11T21:29:55.123Z'),
};
const render = (
  InputTemplate: string,
  InputPathsMap: Record<string, string> = paths,
  event: Record<string, unknown> = ec2Event,
) => compileInputTransformer({ InputPathsMap, InputTemplate }).render(event, context);

describe('input transformer: the user guide examples', () => {
  it('simple string', () => {
    expect(render('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('string with escaped quotes', () => {
    expect(render('"instance \\"<instance>\\" is in <state>"')).toBe(
      '"instance \\"i-0123456789\\" is in RUNNING"',
    );
  });

  it('simple JSON', () => {
    expect(JSON.parse(render('{\n  "instance" : <instance>,\n  "state": <state>\n}'))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
    });
  });

  it('JSON with strings and variables', () => {
    const template =
      '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}';
    expect(JSON.parse(render(template))).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
  });

  it('JSON with a mix of variables and static information', () => {
    const template = '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}';
    expect(JSON.parse(render(template))).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
  });

  it('reserved variables in JSON and in a string', () => {
    const template =
      '{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event>, "json": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}';
    const output = JSON.parse(render(template));
    expect(output).toMatchObject({ instance: 'i-0123456789', ruleArn: context.ruleArn, ruleName: 'example' });
    // AWS renders the envelope without detail and spells detail-type "detailType".
    expect(output.originalEvent).toEqual({
      version: '0',
      id: ec2Event.id,
      detailType: 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ec2Event.resources,
    });
    expect(output.json).toEqual(ec2Event);
    expect(output.at).toBe('2015-11-11T21:29:55Z');
    expect(render('"<aws.events.rule-name> triggered"', {})).toBe('"example triggered"');
  });

  it('a text template (the API reference example) stays text', () => {
    expect(render('<instance> is in state <state>')).toBe('i-0123456789 is in state RUNNING');
  });
});

describe('input transformer: behaviours AWS was recorded with', () => {
  const template = '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>"';
  const map = { 'detail-type': '$.detail-type', timestamp: '$.time', command: '$.detail.notinmessage' };

  it('a path the event does not have renders empty, in a string and in JSON', () => {
    expect(render(template, map)).toBe(
      '"Event of EC2 Instance State-change Notification type, at time 2015-11-11T21:29:54Z, info extracted from detail "',
    );
    expect(JSON.parse(render('{"detailType": <detail-type>, "command": <command>}', map))).toEqual({
      detailType: 'EC2 Instance State-change Notification',
      command: '',
    });
  });

  it('rejects a placeholder that is neither defined nor predefined', () => {
    expect(() => render('"Event of <detail-type> type, with not defined key <notdefinedkey>"', map)).toThrow(
      'InputTemplate contains invalid placeholder notdefinedkey',
    );
  });

  it('rejects a placeholder used as an object key, and broken JSON', () => {
    expect(() => render('{<instance>: 1}')).toThrow(InputTransformerError);
    expect(() => render('{"<instance>": 1}')).toThrow('cannot be an object key');
    expect(() => render('{"instance": <instance>')).toThrow('not valid JSON');
  });

  it('rejects reserved and invalid variable names and paths', () => {
    expect(() => render('"<awsThing>"', { awsThing: '$.id' })).toThrow('cannot start with "AWS"');
    expect(() => render('"<x>"', { x: 'detail.state' })).toThrow(
      'InputPathsMap.x: "detail.state" must start with "$"',
    );
    expect(() => render('"<x>"', { x: "$['detail']" })).toThrow('dot notation');
  });

  it('escapes values in value positions, leaves them raw inside strings (as AWS does)', () => {
    const event = { ...ec2Event, detail: { 'instance-id': 'a "quoted" id', state: { nested: true } } };
    const json = render('{"id": <instance>, "state": <state>}', paths, event);
    expect(JSON.parse(json)).toEqual({ id: 'a "quoted" id', state: { nested: true } });
    expect(render('"id <instance>, state <state>"', paths, event)).toBe(
      '"id a "quoted" id, state {nested:true}"',
    );
  });
});

describe('EventBridge JSONPath subset', () => {
  const document = { detail: { 'a-b': [{ x: 1 }, { x: 2 }], 's/t': 'slash', n: null } };
  const at = (path: string) => evaluateJsonPath(document, parseJsonPath(path));

  it('dots, dashes, slashes, indices and wildcards', () => {
    expect(at('$')).toBe(document);
    expect(at('$.detail.a-b[1].x')).toBe(2);
    expect(at('$.detail.s/t')).toBe('slash');
    expect(at('$.detail.a-b[*].x')).toEqual([1, 2]);
    expect(at('$.detail.a-b.*.x')).toEqual([1, 2]);
    expect(at('$.detail.n')).toBeNull();
    expect(at('$.detail.missing')).toBeUndefined();
    expect(at('$.detail.a-b[5]')).toBeUndefined();
  });
});
