/**
 * The layering rules of `.dependency-cruiser.cjs` fail on what they forbid: a small tree with one
 * deliberate violation per rule (a type-only cycle among them) is cruised with the project's own
 * configuration, and each rule must name its violation; the same tree without them must pass.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** Files that obey every rule. */
const CLEAN: Record<string, string> = {
  'src/workflow/shapes.ts': 'export interface Shape { id: string }\n',
  'src/embedded/s3/index.ts': "export { store } from './store.ts';\n",
  'src/embedded/s3/store.ts':
    "import type { Shape } from '../../workflow/shapes.ts';\nexport const store = (s: Shape) => s.id;\n",
  'src/embedded/runtime.ts': "import { store } from './s3/index.ts';\nexport const runtime = store;\n",
  'src/cli/main.ts': "import { runtime } from '../embedded/runtime.ts';\nexport const main = runtime;\n",
  'lambdas/classify/handler.ts':
    "import type { Shape } from '../../src/workflow/shapes.ts';\nexport type Event = Shape;\n",
  'training/train.ts':
    "import type { Shape } from '../src/workflow/shapes.ts';\nexport type Sample = Shape;\n",
};

/** One violation per rule: rule name -> files added to the clean tree. */
const VIOLATIONS: Record<string, Record<string, string>> = {
  'no-cycles': {
    'src/workflow/a.ts': "import type { B } from './b.ts';\nexport interface A { b?: B }\n",
    'src/workflow/b.ts': "import type { A } from './a.ts';\nexport interface B { a?: A }\n",
  },
  'embedded-points-down': {
    'src/embedded/s3/deploys.ts': "import { main } from '../../cli/main.ts';\nexport const x = main;\n",
  },
  'lambdas-see-only-shared-shapes': {
    'lambdas/classify/reach.ts':
      "import { runtime } from '../../src/embedded/runtime.ts';\nexport const x = runtime;\n",
  },
  'training-knows-no-endpoint': {
    'training/serve.ts': "import { store } from '../src/embedded/s3/index.ts';\nexport const x = store;\n",
  },
  'embedded-service-one-door-from-outside': {
    'src/cli/inside.ts': "import { store } from '../embedded/s3/store.ts';\nexport const x = store;\n",
  },
  'embedded-service-one-door-between-services': {
    'src/embedded/stepfunctions/engine.ts':
      "import { store } from '../s3/store.ts';\nexport const x = store;\n",
  },
};

const trees: string[] = [];

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'scones-layering-'));
  trees.push(root);
  const all = {
    ...files,
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        allowImportingTsExtensions: true,
        noEmit: true,
      },
    }),
  };
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

async function cruise(root: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      [
        DEPCRUISE,
        'src',
        'lambdas',
        'training',
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'err',
      ],
      { cwd: root },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

afterAll(async () => {
  await Promise.all(trees.map((root) => rm(root, { recursive: true, force: true })));
});

describe('layering rules (.dependency-cruiser.cjs)', () => {
  it('pass a tree that obeys them', async () => {
    const result = await cruise(await tree(CLEAN));
    expect(result.output).not.toMatch(/error /);
    expect(result.code).toBe(0);
  });

  it('fail on one deliberate violation of each rule, type-only cycles included', async () => {
    const bad = Object.assign({}, CLEAN, ...Object.values(VIOLATIONS));
    const result = await cruise(await tree(bad));
    expect(result.code).not.toBe(0);
    for (const rule of Object.keys(VIOLATIONS)) expect(result.output).toContain(`error ${rule}:`);
    expect(result.output).toMatch(/src\/workflow\/a\.ts → \s*src\/workflow\/b\.ts →\s*src\/workflow\/a\.ts/);
  });
});
