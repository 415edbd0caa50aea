/**
 * FilterLogEvents' filter patterns, with the examples of CloudWatch Logs' "Filter pattern syntax"
 * pages: terms, phrases, exclusions, `?` alternatives, regexes, JSON and space-delimited patterns,
 * and the errors of patterns that do not parse. Then through the service: `filterPattern` over a
 * group's events, and a bad pattern answered with InvalidParameterException.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../src/embedded/logs/filter-pattern.ts';
import { createLogsService, InvalidParameterException } from '../../../src/embedded/logs/index.ts';

function matching(pattern: string, messages: string[]): string[] {
  const matches = compileFilterPattern(pattern);
  return messages.filter((message) => matches(message));
}

const LINES = [
  '[ERROR] A fatal exception has occurred',
  'Exiting with ERRORCODE: -1',
  '[ERROR] Caught IllegalArgumentException',
  '[WARN] Failed to process the request',
  '[INFO] all good',
  '[WARN] Deadlock detected',
  'error in lower case',
];

describe('filter patterns of unstructured events', () => {
  it('matches every event for an empty pattern, "" and " "', () => {
    for (const pattern of ['', '  ', '""', '" "']) expect(matching(pattern, LINES)).toEqual(LINES);
    expect(compileFilterPattern(undefined)('anything')).toBe(true);
  });

  it('a term anywhere, case-sensitive (ERRORCODE holds ERROR, "error" does not)', () => {
    expect(matching('ERROR', LINES)).toEqual([LINES[0], LINES[1], LINES[2]]);
  });

  it('all terms, a quoted phrase, an excluded term', () => {
    expect(matching('ERROR Exception', LINES)).toEqual([LINES[2]]);
    expect(matching('"Failed to process the request"', LINES)).toEqual([LINES[3]]);
    expect(matching('"to the process"', LINES)).toEqual([]);
    expect(matching('ERROR -Exiting', LINES)).toEqual([LINES[0], LINES[2]]);
  });

  it('?term alternatives, and ? groups as the CDK writes anyTermGroup', () => {
    expect(matching('?ERROR ?WARN', LINES)).toEqual([LINES[0], LINES[1], LINES[2], LINES[3], LINES[5]]);
    expect(matching('?"fatal exception" ?Deadlock', LINES)).toEqual([LINES[0], LINES[5]]);
    expect(matching('?"ERROR" "Caught" ?"WARN" "Deadlock"', LINES)).toEqual([LINES[2], LINES[5]]);
  });

  it('a %regex% alone, within the characters the syntax allows', () => {
    expect(matching('%fatal|Deadlock%', LINES)).toEqual([LINES[0], LINES[5]]);
    expect(matching('%^\\[WARN\\]%', LINES)).toEqual([LINES[3], LINES[5]]);
    expect(matching('%ERRORCODE:\\s-[0-9]+$%', LINES)).toEqual([LINES[1]]);
    expect(() => compileFilterPattern('%(a|b)%')).toThrow(InvalidParameterException);
    expect(() => compileFilterPattern('%something!%')).toThrow(/does not support/);
  });

  it('refuses an unbalanced quote', () => {
    expect(() => compileFilterPattern('"no end')).toThrow(/unbalanced double quote/);
  });
});

const EVENTS = [
  { level: 'ERROR', latency: 700, user: { id: 1, name: 'ann' }, tags: ['a', 'b'], retry: true },
  { level: 'ERROR', latency: 20, user: { id: 2, name: 'bob' }, tags: ['c'], retry: false },
  { level: 'INFO', latency: 900, user: { id: 3 }, sourceIPAddress: '123.123.0.7', note: null },
  { level: 'INFO', latency: 5, sourceIPAddress: '10.0.0.1' },
].map((event) => JSON.stringify(event));

describe('JSON filter patterns', () => {
  it('string equality and inequality, quoted or bare, with * wildcards', () => {
    expect(matching('{ $.level = "ERROR" }', EVENTS)).toEqual([EVENTS[0], EVENTS[1]]);
    expect(matching('{ $.level = ERROR }', EVENTS)).toEqual([EVENTS[0], EVENTS[1]]);
    expect(matching('{ $.level != "ERROR" }', EVENTS)).toEqual([EVENTS[2], EVENTS[3]]);
    expect(matching('{ $.sourceIPAddress != 123.123.* }', EVENTS)).toEqual([EVENTS[3]]);
    expect(matching('{ $.user.name = "a*" }', EVENTS)).toEqual([EVENTS[0]]);
  });

  it('numbers, nested selectors, array indexes', () => {
    expect(matching('{ $.latency > 500 }', EVENTS)).toEqual([EVENTS[0], EVENTS[2]]);
    expect(matching('{ $.latency <= 20 }', EVENTS)).toEqual([EVENTS[1], EVENTS[3]]);
    expect(matching('{ $.user.id = 2 }', EVENTS)).toEqual([EVENTS[1]]);
    expect(matching('{ $.tags[1] = "b" }', EVENTS)).toEqual([EVENTS[0]]);
    expect(matching('{ $.tags[5] = "b" }', EVENTS)).toEqual([]);
  });

  it('&& binds tighter than ||; parentheses; IS TRUE/FALSE/NULL; NOT EXISTS; %regex% values', () => {
    expect(matching('{ $.level = "INFO" || $.level = "ERROR" && $.latency > 500 }', EVENTS)).toEqual([
      EVENTS[0],
      EVENTS[2],
      EVENTS[3],
    ]);
    expect(matching('{ ($.level = "INFO" || $.level = "ERROR") && $.latency > 500 }', EVENTS)).toEqual([
      EVENTS[0],
      EVENTS[2],
    ]);
    expect(matching('{ $.retry IS TRUE }', EVENTS)).toEqual([EVENTS[0]]);
    expect(matching('{ $.retry IS FALSE }', EVENTS)).toEqual([EVENTS[1]]);
    expect(matching('{ $.note IS NULL }', EVENTS)).toEqual([EVENTS[2]]);
    expect(matching('{ $.user NOT EXISTS }', EVENTS)).toEqual([EVENTS[3]]);
    expect(matching('{ $.user.name = %^b% }', EVENTS)).toEqual([EVENTS[1]]);
  });

  it('matches no event that is not a JSON object, and refuses what does not parse', () => {
    expect(matching('{ $.level = "ERROR" }', ['ERROR not json', '["ERROR"]', 'null'])).toEqual([]);
    expect(() => compileFilterPattern('{ $.level = "ERROR" ')).toThrow(/ends with \}/);
    expect(() => compileFilterPattern('{ level = "ERROR" }')).toThrow(/selector/);
    expect(() => compileFilterPattern('{ $.level > "ERROR" }')).toThrow(/compares numbers only/);
    expect(() => compileFilterPattern('{ $.level = }')).toThrow(InvalidParameterException);
  });
});

const ACCESS = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
  '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /index.html HTTP/1.0" 404 310',
  '10.1.1.1 - - [10/Oct/2000:13:50:35 -0700] "GET /a.html HTTP/1.0" 500 0',
];

describe('space-delimited filter patterns', () => {
  it('names columns ("" and [] hold one), compares them, and ... skips any number', () => {
    expect(
      matching('[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes]', ACCESS),
    ).toEqual([ACCESS[1]]);
    expect(matching('[..., status_code >= 400, bytes]', ACCESS)).toEqual([ACCESS[1], ACCESS[2]]);
    expect(matching('[ip = 127.0.0.1, ...]', ACCESS)).toEqual([ACCESS[0], ACCESS[1]]);
    expect(matching('[..., status_code = 200 || status_code = 500, bytes]', ACCESS)).toEqual([
      ACCESS[0],
      ACCESS[2],
    ]);
    expect(matching('[..., code >= 400 && code < 500, bytes]', ACCESS)).toEqual([ACCESS[1]]);
    // Without ..., the column count must be the event's.
    expect(matching('[ip, user, username]', ACCESS)).toEqual([]);
  });

  it('refuses a condition on another column and a missing bracket', () => {
    expect(() => compileFilterPattern('[a = 1 && b = 2]')).toThrow(/names another column/);
    expect(() => compileFilterPattern('[a, b')).toThrow(InvalidParameterException);
  });
});

describe('FilterLogEvents with filterPattern', () => {
  it('filters a group with each form, and answers a bad pattern with InvalidParameterException', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'filter-pattern-'));
    const logs = await createLogsService({ dataDir: dir });
    try {
      await logs.call('CreateLogGroup', { logGroupName: '/test/patterns' });
      await logs.call('CreateLogStream', { logGroupName: '/test/patterns', logStreamName: 's' });
      const now = Date.now();
      await logs.call('PutLogEvents', {
        logGroupName: '/test/patterns',
        logStreamName: 's',
        logEvents: [...LINES, ...EVENTS].map((message, i) => ({ timestamp: now + i, message })),
      });
      const filtered = async (filterPattern: string) =>
        (
          (await logs.call('FilterLogEvents', { logGroupName: '/test/patterns', filterPattern })) as {
            events: { message: string }[];
          }
        ).events.map((event) => event.message);
      expect(await filtered('?Deadlock ?fatal')).toEqual([LINES[0], LINES[5]]);
      expect(await filtered('{ $.level = "ERROR" }')).toEqual([EVENTS[0], EVENTS[1]]);
      await expect(
        logs.call('FilterLogEvents', { logGroupName: '/test/patterns', filterPattern: '{ $.x' }),
      ).rejects.toMatchObject({ code: 'InvalidParameterException' });
      await expect(
        logs.call('FilterLogEvents', { logGroupName: '/test/patterns', filterPattern: 'x'.repeat(1025) }),
      ).rejects.toMatchObject({ code: 'ValidationException' });
    } finally {
      await logs.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
