/**
 * The generated template against AWS's own resource specification: cfn-lint (pinned in
 * requirements-cfn-lint.txt, installed into .venv-cfn-lint/ on first use) over the AWS and the
 * emulator template of a stage. Zero findings, informational ones included. A broken copy proves
 * the linter bites (a bad alarm statistic, a SageMaker instance type that does not exist).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  ensureCfnLintVenv,
  type PythonEnvironment,
  PythonMissingError,
} from '../../src/emulator/python-venv.ts';
import { type CfnTemplate, generateTemplate } from '../../src/template/index.ts';

const run = promisify(execFile);

const stage = (target: string) =>
  loadConfig({
    SCONES_TARGET: target,
    SCONES_STAGE: 'lint',
    AWS_REGION: 'us-east-1',
    SCONES_BUCKET: 'scones-lint-bucket',
  });

/** A copy with a bad alarm statistic and a SageMaker instance type that does not exist. */
function broken(): CfnTemplate {
  const copy = structuredClone(generateTemplate({ config: stage('aws') }));
  (copy.Resources.LowConfidenceShareAlarm?.Properties as Record<string, unknown>).Statistic = 'Mean';
  const config = copy.Resources.InitialEndpointConfig?.Properties as {
    ProductionVariants: Record<string, unknown>[];
  };
  (config.ProductionVariants[0] as Record<string, unknown>).InstanceType = 'ml.bogus.large';
  return copy;
}

const TEMPLATES: Record<string, () => CfnTemplate> = {
  'aws.json': () => generateTemplate({ config: stage('aws') }),
  'emulator.json': () => generateTemplate({ config: stage('emulator'), arch: 'arm64' }),
  'broken.json': broken,
};

/** Findings per file name ("E3030 message"); undefined with the reason when Python is missing. */
const state: { findings?: Record<string, string[]>; skip?: string; dir?: string } = {};

beforeAll(async () => {
  let python: PythonEnvironment;
  try {
    python = await ensureCfnLintVenv();
  } catch (error) {
    if (!(error instanceof PythonMissingError)) throw error;
    state.skip = error.message;
    return;
  }
  state.dir = await mkdtemp(join(tmpdir(), 'scones-cfn-lint-'));
  const files = Object.keys(TEMPLATES).map((name) => join(state.dir as string, name));
  for (const [name, template] of Object.entries(TEMPLATES)) {
    await writeFile(join(state.dir, name), JSON.stringify(template(), null, 2));
  }
  // One run for every file: cfn-lint's start-up (its specification) is most of its time.
  const output = await run(python.bin('cfn-lint'), [...files, '--format', 'json', '--include-checks', 'I'], {
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (done) => done.stdout,
    // cfn-lint exits non-zero when it finds something; the findings are still on stdout.
    (failed: { stdout?: string; stderr?: string }) => {
      if (!failed.stdout) throw new Error(`cfn-lint failed: ${failed.stderr}`);
      return failed.stdout;
    },
  );
  const findings: Record<string, string[]> = Object.fromEntries(Object.keys(TEMPLATES).map((n) => [n, []]));
  for (const finding of JSON.parse(output || '[]') as {
    Filename: string;
    Rule: { Id: string };
    Message: string;
  }[]) {
    findings[basename(finding.Filename)]?.push(`${finding.Rule.Id} ${finding.Message}`);
  }
  state.findings = findings;
}, 300_000);
afterAll(async () => {
  if (state.dir) await rm(state.dir, { recursive: true, force: true });
});

function findingsOf(context: TestContext, name: string): string[] {
  if (!state.findings) {
    console.warn(`skipped: ${state.skip}`);
    context.skip();
  }
  return state.findings?.[name] ?? [];
}

describe('cfn-lint on the generated template', () => {
  it('finds nothing in the AWS template', (context) => {
    expect(findingsOf(context, 'aws.json')).toEqual([]);
  });

  it('finds nothing in the emulator template (endpoints in the Lambdas, arm64)', (context) => {
    expect(findingsOf(context, 'emulator.json')).toEqual([]);
  });

  it('catches a bad alarm statistic and instance type in a broken copy', (context) => {
    expect(findingsOf(context, 'broken.json').filter((f) => f.startsWith('E3030'))).toHaveLength(2);
  });
});
