/**
 * The matcher against the examples of the EventBridge user guide ("Creating event patterns",
 * "Arrays in event patterns", "Matching null values and empty strings", "Content filtering",
 * "Comparison operators") and of the event-ruler README, the library behind EventBridge.
 */
import { describe, expect, it } from 'vitest';
import { compileEventPattern, EventPatternError, matchesEventPattern } from '../../src/events/pattern.ts';

// The event of the event-ruler README ("Ruler by Example") and the content-filtering guide.
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const matches = (pattern: Record<string, unknown>, event: unknown = ec2Event) =>
  matchesEventPattern(pattern, event);

describe('event patterns: structure', () => {
  it('matches fields with AND and array values with OR (user guide: EC2 termination example)', () => {
    const terminated = { ...ec2Event, detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' } };
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(matches(pattern, terminated)).toBe(true);
    expect(matches(pattern)).toBe(false);
    expect(matches({ ...pattern, detail: { state: ['terminated', 'running'] } })).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] }, terminated)).toBe(false);
  });

  it('matches event arrays by non-empty intersection (user guide: arrays)', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    const pattern = (arns: string[]) => ({ resources: arns });
    expect(
      matches(
        pattern([
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        ]),
        event,
      ),
    ).toBe(true);
    expect(matches(pattern(['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f']), event)).toBe(false);
  });

  it('keeps fields of one array element together (event-ruler: JSON array matching)', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
    const nested = { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] };
    expect(matches({ employees: { firstName: ['Peter'] } }, nested)).toBe(true);
  });

  it('tells null from the empty string (user guide: null values and empty strings)', () => {
    const event = { source: 'aws.autoscaling', detail: { eventVersion: '', responseElements: null } };
    expect(matches({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matches({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matches({ detail: { responseElements: [''] } }, event)).toBe(false);
  });

  it('compares strings exactly and numbers by value, never across types', () => {
    expect(matches({ detail: { 'x-limit': [3.018e2] } })).toBe(true);
    expect(matches({ detail: { 'c-count': ['5'] } })).toBe(false);
    expect(matches({ detail: { state: ['Running'] } })).toBe(false);
  });

  it('combines alternatives with $or, at the top and nested (event-ruler examples)', () => {
    const metric = {
      source: 'aws.cloudwatch',
      metricName: 'ReadLatency',
      namespace: 'AWS/RDS',
      scope: 'Service',
    };
    const normalOr = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matches(normalOr, metric)).toBe(true);
    expect(matches(normalOr, { ...metric, metricName: 'Other' })).toBe(false);
    expect(matches(normalOr, { ...metric, metricName: 'Other', namespace: 'AWS/ES' })).toBe(true);
    const nestedOr = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    expect(matches(nestedOr, metric)).toBe(true);
    const typed = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 };
    expect(matches(nestedOr, typed)).toBe(true);
    expect(matches(nestedOr, { ...typed, spaceId: 1 })).toBe(false);
  });
});

describe('event patterns: comparison operators', () => {
  it('prefix, suffix and their ignore-case forms (strings only)', () => {
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-03' }] })).toBe(false);
    expect(matches({ source: [{ suffix: 'ec2' }] })).toBe(true);
    expect(matches({ source: [{ prefix: { 'equals-ignore-case': 'AWS.E' } }] })).toBe(true);
    expect(matches({ source: [{ suffix: { 'equals-ignore-case': 'EC2' } }] })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } })).toBe(false);
  });

  it('equals-ignore-case and wildcard', () => {
    expect(matches({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] })).toBe(true);
    expect(matches({ source: [{ wildcard: 'aws.*' }] })).toBe(true);
    expect(matches({ source: [{ wildcard: '*.s3' }] })).toBe(false);
    const file = { FilePath: 'dir/lib/file.png', FileName: 'file.png' };
    expect(matches({ FilePath: [{ wildcard: '*/lib/*' }] }, file)).toBe(true);
    expect(matches({ FilePath: [{ wildcard: 'dir/*.png' }] }, file)).toBe(true);
    expect(matches({ FileName: [{ wildcard: 'file\\*.png' }] }, { FileName: 'file*.png' })).toBe(true);
    expect(matches({ FileName: [{ wildcard: 'file\\*.png' }] }, file)).toBe(false);
  });

  it('anything-but: values, lists, prefix, suffix, ignore case, wildcard (content filtering guide)', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'running' }] } })).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } })).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } })).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': [301.8] }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { suffix: 'ing' } }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } })).toBe(
      false,
    );
    expect(matches({ detail: { state: [{ 'anything-but': { wildcard: 'r*g' } }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { wildcard: ['x*', 'y*'] } }] } })).toBe(true);
    // anything-but needs the field to be there.
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('numeric ranges on JSON numbers (content filtering guide)', () => {
    expect(
      matches({
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      }),
    ).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>=', 5] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('IP address ranges, IPv4 and IPv6', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
    const v6 = { detail: { 'source-ip': '2001:db8::1' } };
    expect(matches({ detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } }, v6)).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, v6)).toBe(false);
  });

  it('exists on leaves only (content filtering guide)', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { 'e-count': [{ exists: false }] } })).toBe(true);
    // c-count is not a leaf here, so "exists: false" matches and "exists: true" does not.
    const nested = { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } };
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, nested)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, nested)).toBe(false);
    // A missing intermediate object: only "exists: false" can match below it.
    expect(matches({ other: { field: [{ exists: false }] } })).toBe(true);
    expect(matches({ other: { field: [{ exists: true }] } })).toBe(false);
  });

  it('the complex example of the content filtering guide and event-ruler', () => {
    const complex = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    expect(matches(complex)).toBe(true);
    expect(matches(complex, { ...ec2Event, detail: { ...ec2Event.detail, 'x-limit': 200 } })).toBe(false);
  });
});

describe('event patterns: bad patterns name the field', () => {
  const error = (pattern: unknown) => {
    try {
      compileEventPattern(pattern);
    } catch (caught) {
      expect(caught).toBeInstanceOf(EventPatternError);
      return (caught as Error).message;
    }
    throw new Error('expected the pattern to be rejected');
  };

  it.each([
    [[], 'event pattern: must be a JSON object'],
    [{}, 'event pattern: must not be empty'],
    [{ source: 'aws.s3' }, 'source: must be an array of values or a nested object'],
    [{ source: [] }, 'source: must not be an empty array'],
    [{ detail: { key: [{ prefx: 'a' }] } }, 'detail.key[0]: unknown operator "prefx"'],
    [
      { detail: { key: [{ prefix: 'a', suffix: 'b' }] } },
      'detail.key[0]: an operator object has exactly one key',
    ],
    [{ n: [{ numeric: ['>', 'five'] }] }, 'n[0].numeric[1]: must be a number'],
    [{ n: [{ numeric: ['<', 5, '>', 0] }] }, 'n[0].numeric: a range is'],
    [{ s: [{ 'anything-but': { prefix: ['a', 'b'] } }] }, 's[0].anything-but.prefix: takes a single string'],
    [{ s: [{ 'anything-but': ['a', 1] }] }, 's[0].anything-but: must be a string, a number, or a list'],
    [{ s: [{ wildcard: 'a**b' }] }, 's[0].wildcard: consecutive wildcard characters'],
    [{ ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr: must be an IPv4 or IPv6 CIDR block'],
    [{ $or: [{ a: ['x'] }] }, '$or: must be an array of at least two pattern objects'],
    [{ e: [{ exists: 'yes' }] }, 'e[0].exists: must be true or false'],
  ])('%j', (pattern, message) => {
    expect(error(pattern)).toContain(message);
  });
});
