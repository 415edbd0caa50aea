/**
 * `scones up --watch` over a temporary copy of lambdas/, statemachine/ and eventrules/ (the real
 * files are never edited): an edit swaps code for the next execution while one in flight finishes
 * on the old code; a broken edit is reported and the previous version keeps serving.
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KIT_ROOT } from '../../src/up/workflow-code.ts';
import { bikePng, startTestStack, type TestStack } from './support.ts';

let root: string;
let up: TestStack;
let png: Buffer;

const ASL = 'statemachine/image-classification.asl.json';
const INTAKE_ASL = 'statemachine/image-intake.asl.json';
const FILTER = 'lambdas/filter-inferences/filter.ts';
const RULE = 'eventrules/image-uploaded.json';

async function edit(file: string, change: (text: string) => string) {
  const full = path.join(root, file);
  const before = await readFile(full, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(full, after);
}

/** A definition substitution as the ASL and rule files write it. */
const placeholder = (name: string) => `$\{${name}}`;

/** Waits for a log line containing every fragment. */
async function logged(...fragments: string[]) {
  await vi.waitFor(
    () =>
      expect(
        up.logged.some((line) => fragments.every((fragment) => line.includes(fragment))),
        `a log line with ${fragments.join(', ')} in:\n${up.logged.join('\n')}`,
      ).toBe(true),
    { timeout: 20_000, interval: 20 },
  );
}

beforeAll(async () => {
  png = await bikePng();
  root = await mkdtemp(path.join(tmpdir(), 'scones-watch-'));
  for (const folder of ['lambdas', 'statemachine', 'eventrules']) {
    await cp(path.join(KIT_ROOT, folder), path.join(root, folder), { recursive: true });
  }
  // The copied handlers import ../../src/...: the kit's own sources.
  await symlink(path.join(KIT_ROOT, 'src'), path.join(root, 'src'));
  up = await startTestStack({ watch: { root, debounceMs: 50 } });
}, 60_000);
afterAll(async () => {
  await up?.close();
  if (root) await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  up.stub.reset();
  up.stub.setProbabilities([0.93, 0.07]);
  up.stack.runtime.endpoint.faults.reset();
});

describe('scones up --watch', () => {
  it('serves the watched tree from the start (version 1)', async () => {
    expect(up.stack.watcher?.version).toBe(1);
    await up.put('incoming/v1.png', png);
    expect(await up.lineWith('incoming/v1.png')).toContain('short-range  bicycle 0.930');
  });

  it('an ASL edit serves the next execution', async () => {
    await edit(ASL, (text) => text.replace('"decision": "short-range"', '"decision": "short-range-edited"'));
    await logged(ASL, 'version 2 serves the next executions');
    await up.put('incoming/v2.png', png);
    expect(await up.lineWith('incoming/v2.png')).toContain('short-range-edited  bicycle');
  });

  it('a Lambda edit serves the next execution; the one in flight finishes on the old code', async () => {
    up.stack.runtime.endpoint.faults.setLatency(800);
    await up.put('incoming/in-flight.png', png);
    await expect.poll(() => up.stack.inFlight, { timeout: 10_000, interval: 10 }).toBe(1);
    await edit(FILTER, (text) =>
      text.replace('confident: topProbability >= options.threshold', 'confident: false'),
    );
    await logged(FILTER, 'version 3 serves the next executions');
    up.stack.runtime.endpoint.faults.setLatency(0);
    await up.put('incoming/v3.png', png);
    expect(await up.lineWith('incoming/v3.png')).toContain('manual-review  bicycle 0.930');
    // Started on version 2: its filter still called 0.93 confident.
    expect(await up.lineWith('incoming/in-flight.png')).toContain('short-range-edited  bicycle 0.930');
  });

  it('a broken Lambda edit is reported with its error, and the previous version keeps serving', async () => {
    await edit(FILTER, (text) =>
      text.replace('export function filterInferences(', 'export function filterInferences(('),
    );
    await logged(FILTER, 'version 3 keeps serving');
    expect(up.logged.at(-1)).toMatch(
      /changed; Build failed with 1 error:\nlambdas\/filter-inferences\/filter\.ts:\d+:\d+: ERROR: /,
    );
    await up.put('incoming/after-broken-lambda.png', png);
    expect(await up.lineWith('incoming/after-broken-lambda.png')).toContain('manual-review');
    expect(up.stack.watcher?.version).toBe(3);
    // Fixed again: version 4, the same code as version 3.
    await edit(FILTER, (text) =>
      text.replace('export function filterInferences((', 'export function filterInferences('),
    );
    await logged(FILTER, 'version 4 serves the next executions');
  });

  it('a broken ASL edit (bad JSON, then an unknown Next) keeps the previous version serving', async () => {
    const original = await readFile(path.join(root, ASL), 'utf8');
    await writeFile(path.join(root, ASL), `${original},`);
    await logged(ASL, 'not JSON', 'version 4 keeps serving');
    await writeFile(path.join(root, ASL), original.replace('"Next": "ClassifyImage"', '"Next": "Nowhere"'));
    await logged(ASL, 'Nowhere', 'keeps serving');
    // Valid ASL to asl-validator, refused when the runtime renders it for the engine.
    const unknown = placeholder('NoSuchFunctionArn');
    await writeFile(path.join(root, ASL), original.replace(placeholder('ClassifyImageFunctionArn'), unknown));
    await logged(ASL, `DefinitionError: No value for definition substitution ${unknown}`, 'keeps serving');
    await up.put('incoming/after-broken-asl.png', png);
    expect(await up.lineWith('incoming/after-broken-asl.png')).toContain('manual-review');
    expect(up.stack.watcher?.version).toBe(4);
    await writeFile(path.join(root, ASL), original);
    await logged(ASL, 'version 5 serves the next executions');
  });

  it('the intake ASL is part of the version: a broken one rejects the whole edit, classification too', async () => {
    const intakeFile = path.join(root, INTAKE_ASL);
    const intake = await readFile(intakeFile, 'utf8');
    const arn = placeholder('ClassificationStateMachineArn');
    await edit(ASL, (text) => text.replace('"decision": "manual-review"', '"decision": "manual-review-v5"'));
    await writeFile(intakeFile, intake.replace(arn, placeholder('NoSuchStateMachineArn')));
    await logged(INTAKE_ASL, 'DefinitionError', 'version 5 keeps serving');
    await up.put('incoming/after-broken-intake.png', png);
    expect(await up.lineWith('incoming/after-broken-intake.png')).toContain('  manual-review  ');
    await writeFile(intakeFile, intake);
    await logged(INTAKE_ASL, 'version 6 serves the next executions');
    await up.put('incoming/v6.png', png);
    expect(await up.lineWith('incoming/v6.png')).toContain('  manual-review-v5  ');
  });

  it('a rule edit changes which uploads start executions; a broken rule file keeps the rules', async () => {
    const intake = placeholder('IntakePrefix');
    await edit(RULE, (text) => text.replace(`"prefix": "${intake}"`, `"prefix": "${intake}only/"`));
    await logged(RULE, 'rules reloaded');
    await up.put('incoming/not-matching.png', png);
    await up.put('incoming/only/matching.png', png);
    await up.lineWith('incoming/only/matching.png');
    await up.stack.trigger.idle();
    expect(up.printed.some((line) => line.includes('incoming/not-matching.png'))).toBe(false);
    await writeFile(path.join(root, RULE), '{ "EventPattern": ');
    await logged(RULE, 'EventRuleError: ', 'Unexpected end of JSON input', 'the previous rules keep serving');
    await up.put('incoming/only/still.png', png);
    await up.lineWith('incoming/only/still.png');
  });

  it('never touched the repository files', async () => {
    const asl = await readFile(path.join(KIT_ROOT, ASL), 'utf8');
    expect(asl).toContain('"decision": "short-range"');
    expect(asl).not.toContain('short-range-edited');
  });
});
