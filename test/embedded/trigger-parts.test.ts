/**
 * The embedded trigger's parts on their own: StartExecution's naming rule and the bounded,
 * journaled execution registry; the bus's Step Functions target; the local event bus; the
 * notification sink and its webhook.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalEventBus, NotificationSink } from '../../src/embedded/events/index.ts';
import {
  EmbeddedEngine,
  ExecutionAlreadyExists,
  ExecutionRegistry,
  ExecutionStarter,
  InvalidName,
  StateMachineRegistry,
} from '../../src/embedded/stepfunctions/index.ts';
import type { ExecutionStatusSnapshot } from '../../src/events/execution-events.ts';
import { compileInputTransformer } from '../../src/events/input-transformer.ts';
import { compileEventPattern } from '../../src/events/pattern.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'scones-trigger-parts-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';
const request = (name: string, input: unknown = { s3_bucket: 'b', s3_key: `incoming/${name}.png` }) => ({
  executionArn: `arn:aws:states:us-east-1:000000000000:execution:m:${name}`,
  stateMachineArn: machine,
  name,
  input,
  startDate: new Date(),
});
const recordOf = (
  r: ReturnType<typeof request>,
  status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED',
): ExecutionRecord => ({
  executionArn: r.executionArn,
  name: r.name,
  status,
  input: r.input,
  ...(status === 'SUCCEEDED'
    ? { output: { decision: 'short-range' } }
    : { error: 'InvalidImage', cause: 'bad' }),
  startDate: r.startDate,
  stopDate: new Date(),
  history: [{ type: 'ExecutionStarted', timestamp: 0 }],
});

/** A run the test finishes when it wants. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('execution registry: StartExecution naming rule', () => {
  it('same name and input while running is the same execution; anything else is ExecutionAlreadyExists', async () => {
    const registry = new ExecutionRegistry();
    const first = request('a');
    const { open, opened } = gate();
    let runs = 0;
    const run = async () => {
      runs++;
      await opened;
      return recordOf(first);
    };
    const started = registry.start(first, run);
    expect(started.started).toBe(true);
    const again = registry.start({ ...first, startDate: new Date() }, run);
    expect(again.started).toBe(false);
    expect(again.executionArn).toBe(started.executionArn);
    expect(() => registry.start(request('a', { other: true }), run)).toThrow(ExecutionAlreadyExists);
    open();
    expect((await again.done).name).toBe('a');
    expect(() => registry.start(first, run)).toThrow(/closed/);
    expect(runs).toBe(1);
  });

  it("refuses names that break Step Functions' name rules (InvalidName)", () => {
    const registry = new ExecutionRegistry();
    const run = async () => recordOf(request('x'));
    expect(() => registry.start({ ...request('x'), name: 'a b' }, run)).toThrow(InvalidName);
    expect(() => registry.start({ ...request('x'), name: 'x'.repeat(81) }, run)).toThrow(
      /Invalid Name: 'x+'/,
    );
    expect(registry.runningCount).toBe(0);
  });

  it('emits RUNNING, then the final status with error and cause', async () => {
    const registry = new ExecutionRegistry();
    const seen: ExecutionStatusSnapshot[] = [];
    registry.subscribe((snapshot) => seen.push(snapshot));
    const failed = request('f');
    await registry.start(failed, async () => recordOf(failed, 'FAILED')).done;
    expect(seen.map((snapshot) => snapshot.status)).toEqual(['RUNNING', 'FAILED']);
    expect(seen[1]).toMatchObject({
      stateMachineArn: machine,
      error: 'InvalidImage',
      cause: 'bad',
      name: 'f',
    });
  });

  it('keeps only the newest summaries, without histories, and finds outcomes by object', async () => {
    const registry = new ExecutionRegistry({ maxClosed: 3 });
    for (const name of ['e1', 'e2', 'e3', 'e4', 'e5']) {
      const r = request(name);
      await registry.start(r, async () => recordOf(r)).done;
    }
    expect(registry.closedCount).toBe(3);
    expect(registry.get('e1')).toBeUndefined();
    expect(registry.get('e5')).toMatchObject({
      status: 'SUCCEEDED',
      s3_key: 'incoming/e5.png',
      output: { decision: 'short-range' },
    });
    expect(registry.get('e5')).not.toHaveProperty('history');
    expect(registry.latestForObject('b', 'incoming/e4.png')?.name).toBe('e4');
    expect(registry.latestForObject('b', 'incoming/e1.png')).toBeUndefined();
  });

  it('journals summaries, reads them back after a restart, and compacts the file', async () => {
    const journal = path.join(directory, 'executions', 'index.jsonl');
    const registry = new ExecutionRegistry({ journal, maxClosed: 2 });
    await registry.load();
    for (const name of ['j1', 'j2', 'j3', 'j4', 'j5']) {
      const r = request(name);
      await registry.start(r, async () => recordOf(r, name === 'j5' ? 'FAILED' : 'SUCCEEDED')).done;
    }
    await registry.idle();
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(4); // compacted past 2 x maxClosed
    await writeFile(journal, `${lines.join('\n')}\n{"name": "cut sh`, 'utf8'); // a crash mid-line
    const restarted = new ExecutionRegistry({ journal, maxClosed: 2 });
    await restarted.load();
    expect(restarted.get('j5')).toMatchObject({ status: 'FAILED', error: 'InvalidImage' });
    expect(restarted.latestForObject('b', 'incoming/j4.png')?.status).toBe('SUCCEEDED');
    expect(() => restarted.start(request('j5'), async () => recordOf(request('j5')))).toThrow(
      ExecutionAlreadyExists,
    );
  });

  it('a burst of closings rewrites the journal a bounded number of times, not once per closing', async () => {
    const journal = path.join(directory, 'burst', 'index.jsonl');
    const registry = new ExecutionRegistry({ journal, maxClosed: 100 });
    await registry.load();
    // 2,000 executions closing in the same turns: the journal's writes are still on the disk.
    const runs = Array.from({ length: 2000 }, (_, i) => {
      const r = request(`b${i}`);
      return registry.start(r, async () => recordOf(r)).done;
    });
    await Promise.all(runs);
    await registry.idle();
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(2 * registry.maxClosed + 1);
    expect(lines.map((line) => JSON.parse(line).name)).toContain('b1999');
    // One compaction per maxClosed closings at most (each is a whole-file rewrite).
    expect(registry.compactions).toBeGreaterThan(0);
    expect(registry.compactions).toBeLessThanOrEqual(2000 / registry.maxClosed);
    const restarted = new ExecutionRegistry({ journal, maxClosed: 100 });
    await restarted.load();
    expect(restarted.closedCount).toBe(100);
    expect(restarted.get('b1999')?.status).toBe('SUCCEEDED');
  });
});

describe("execution starter: the bus's Step Functions target", () => {
  const s3 = new S3Client({ region: 'us-east-1' });
  afterAll(() => s3.destroy());
  const stateMachines = new StateMachineRegistry();
  const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
  const gateArn = 'arn:aws:lambda:us-east-1:000000000000:function:gate';
  let open: () => void = () => undefined;
  let opened = Promise.resolve();
  let calls = 0;
  // The outcome: one Task that waits for the gate.
  new EmbeddedEngine({
    definition: {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: gateArn, 'Payload.$': '$' },
          OutputPath: '$.Payload',
          End: true,
        },
      },
    },
    functions: {
      [gateArn]: async (event: never) => {
        calls++;
        await opened;
        return { done: event };
      },
    },
    clients: { s3 },
    stateMachineArn: arn('work'),
    stateMachines,
  });
  // An intake: starts the named execution, a taken name ends in a Succeed.
  new EmbeddedEngine({
    definition: {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution',
          Parameters: { 'StateMachineArn.$': '$.machine', 'Name.$': '$.name', Input: { 'name.$': '$.name' } },
          Catch: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], Next: 'Taken' }],
          End: true,
        },
        Taken: { Type: 'Succeed' },
      },
    },
    functions: {},
    clients: { s3 },
    stateMachineArn: arn('intake'),
    stateMachines,
  });
  const event = (name: string, machine = arn('work')) => JSON.stringify({ machine, name });

  it('reports what the started execution starts, at most `limit` at once with their children', async () => {
    opened = new Promise((resolve) => {
      open = resolve;
    });
    const logged: string[] = [];
    const starter = new ExecutionStarter(stateMachines, 2, (message) => logged.push(message));
    const outcomes: ExecutionRecord[] = [];
    starter.onOutcome((record) => outcomes.push(record));
    await starter.start(arn('intake'), event('a'));
    await starter.start(arn('intake'), event('b'));
    const third = starter.start(arn('intake'), event('c'));
    // Two intakes closed at once, but their children hold the slots: c waits.
    await vi.waitFor(() => expect(calls).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(2);
    open();
    await third;
    await starter.idle();
    expect(outcomes.map((record) => record.output)).toEqual(
      ['a', 'b', 'c'].map((name) => ({ done: { name } })),
    );
    expect(starter.stats).toEqual({ started: 3, duplicates: 0, failed: 0 });

    await starter.start(arn('intake'), event('a'));
    await starter.start(arn('intake'), event('d', arn('missing')));
    await starter.idle();
    expect(starter.stats).toEqual({ started: 3, duplicates: 1, failed: 1 });
    expect(logged).toEqual([
      expect.stringMatching(/started nothing: FAILED StepFunctions.StateMachineDoesNotExistException/),
    ]);
    await expect(starter.start(arn('intake'), 'not json')).rejects.toThrow(/not JSON/);
    await expect(starter.start(arn('nowhere'), event('e'))).rejects.toThrow(/does not exist/);
    starter.close();
  });

  it('reports a started execution as its own outcome when its state machine starts none', async () => {
    opened = Promise.resolve();
    const starter = new ExecutionStarter(stateMachines, 4, () => undefined);
    const outcomes: ExecutionRecord[] = [];
    starter.onOutcome((record) => outcomes.push(record));
    await starter.start(arn('work'), '{"direct": true}');
    await starter.idle();
    expect(outcomes.map((record) => record.output)).toEqual([{ done: { direct: true } }]);
    expect(starter.stats).toEqual({ started: 1, duplicates: 0, failed: 0 });
    starter.close();
  });
});

describe('local event bus', () => {
  const rule = (name: string, pattern: Record<string, unknown>, deliver: (input: string) => void) => ({
    name,
    arn: `arn:aws:events:us-east-1:000000000000:rule/${name}`,
    matches: compileEventPattern(pattern),
    targets: [
      {
        id: 't',
        arn: 'arn:aws:sqs:us-east-1:000000000000:q',
        transformer: compileInputTransformer({
          InputPathsMap: { key: '$.detail.key' },
          InputTemplate: '{"key": <key>, "rule": <aws.events.rule-name>}',
        }),
        deliver,
      },
    ],
  });

  it('delivers matching events through the transformer, after putEvent returns', async () => {
    const bus = new LocalEventBus();
    const received: string[] = [];
    bus.putRule(
      rule('uploads', { source: ['test'], detail: { key: [{ prefix: 'in/' }] } }, (input) =>
        received.push(input),
      ),
    );
    expect(bus.putEvent({ source: 'test', detail: { key: 'in/a' } })).toBe(1);
    expect(bus.putEvent({ source: 'test', detail: { key: 'out/a' } })).toBe(0);
    expect(received).toEqual([]);
    await bus.idle();
    expect(received.map((input) => JSON.parse(input))).toEqual([{ key: 'in/a', rule: 'uploads' }]);
  });

  it('logs a failing target and still delivers to the others', async () => {
    const logged: string[] = [];
    const bus = new LocalEventBus({ log: (message) => logged.push(message) });
    const received: string[] = [];
    bus.putRule(
      rule('broken', { source: ['test'] }, () => {
        throw new Error('target down');
      }),
    );
    bus.putRule(rule('working', { source: ['test'] }, (input) => received.push(input)));
    bus.putEvent({ source: 'test', detail: { key: 'k' } });
    await bus.idle();
    expect(received).toHaveLength(1);
    expect(logged).toEqual([expect.stringContaining('rule broken, target t')]);
    expect(bus.stats).toEqual({ events: 1, deliveries: 2, failedDeliveries: 1 });
  });
});

describe('notification sink', () => {
  let server: Server;
  let url: string;
  const posts: { body: unknown; type: string | undefined }[] = [];
  let answer = 204;
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        if (request.url === '/slow') return; // never answers: the sink's timeout must end it
        posts.push({ body: JSON.parse(body), type: request.headers['content-type'] });
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const topic = 'arn:aws:sns:us-east-1:000000000000:scones-dev-execution-failures';

  it('appends one JSON line per message and POSTs it to the webhook', async () => {
    const sink = new NotificationSink({
      directory: path.join(directory, 'sink-1'),
      webhookUrl: `${url}/hook`,
    });
    await sink.publish(topic, '{"execution": "a", "error": "InvalidImage"}');
    await sink.publish(topic, '"plain text"');
    await sink.idle();
    const lines = (await readFile(sink.fileOf(topic), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(path.basename(sink.fileOf(topic))).toBe('scones-dev-execution-failures.jsonl');
    expect(lines.map((line) => line.message)).toEqual([
      { execution: 'a', error: 'InvalidImage' },
      'plain text',
    ]);
    expect(lines[0]).toMatchObject({ topicArn: topic, time: expect.any(String) });
    expect(posts.map((post) => post.body)).toEqual(lines);
    expect(posts[0]?.type).toBe('application/json');
  });

  it('logs webhook failures (error status, refused, timeout) and never throws', async () => {
    const logged: string[] = [];
    const log = (message: string) => logged.push(message);
    answer = 500;
    const failing = new NotificationSink({ directory: path.join(directory, 'sink-2'), webhookUrl: url, log });
    await failing.publish(topic, '{"n": 1}');
    const refused = new NotificationSink({
      directory: path.join(directory, 'sink-2'),
      webhookUrl: 'http://127.0.0.1:1/',
      log,
    });
    await refused.publish(topic, '{"n": 2}');
    const slow = new NotificationSink({
      directory: path.join(directory, 'sink-2'),
      webhookUrl: `${url}/slow`,
      webhookTimeoutMs: 200,
      log,
    });
    await slow.publish(topic, '{"n": 3}');
    await Promise.all([failing.idle(), refused.idle(), slow.idle()]);
    expect(logged).toHaveLength(3);
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`webhook ${url} answered 500`),
        expect.stringContaining('webhook http://127.0.0.1:1/ failed'),
        expect.stringMatching(/webhook .*\/slow failed: .*(timeout|abort)/i),
      ]),
    );
    const lines = (await readFile(failing.fileOf(topic), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    answer = 204;
  });
});
