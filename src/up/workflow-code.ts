/**
 * Loads the workflow code of a source tree (`lambdas/`, `statemachine/` under `root`) fresh, for
 * `scones up --watch`. ES modules cannot be re-imported with their dependencies by changing one
 * URL (each dependency stays cached under its own URL), so each Lambda handler is bundled by
 * esbuild with everything it imports from the tree, and the bundle is imported from a new file:
 * one folder per version. Packages stay external (fast, and the one installed copy of the SDK,
 * sharp and Powertools is shared); the bundles live under the kit's `node_modules/.cache/`, so
 * Node resolves those packages from the kit's `node_modules`. Each ASL file is checked with
 * asl-validator; the engine's own build check (aws-local-stepfunctions) follows in swapWorkflow.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import aslValidator from 'asl-validator';
import { build } from 'esbuild';
import type { WorkflowCode } from '../embedded/runtime.ts';
import { FUNCTIONS, type FunctionKey } from '../workflow/definition.ts';

export const KIT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE_CACHE = path.join(KIT_ROOT, 'node_modules', '.cache', 'scones-up');

export class WorkflowCodeError extends Error {
  override name = 'WorkflowCodeError';
}

export interface WorkflowCodeLoader {
  /** Bundles, imports and checks the tree's code as it is now; throws WorkflowCodeError naming the file. */
  load(): Promise<WorkflowCode>;
  /** Removes this loader's bundles (modules already imported stay in memory). */
  close(): Promise<void>;
}

export async function workflowCodeLoader(root: string): Promise<WorkflowCodeLoader> {
  await mkdir(BUNDLE_CACHE, { recursive: true });
  const folder = await mkdtemp(path.join(BUNDLE_CACHE, 'run-'));
  let version = 0;
  return {
    async load() {
      version++;
      const definitions = await readDefinitions(path.join(root, 'statemachine'));
      const handlers = await bundleHandlers(root, path.join(folder, `v${version}`));
      return { handlers, definitions };
    },
    close: () => rm(folder, { recursive: true, force: true }),
  };
}

async function bundleHandlers(root: string, outdir: string): Promise<WorkflowCode['handlers']> {
  const entries = Object.entries(FUNCTIONS) as [FunctionKey, (typeof FUNCTIONS)[FunctionKey]][];
  try {
    await build({
      entryPoints: Object.fromEntries(
        entries.map(([key, fn]) => [key, path.join(root, 'lambdas', fn.folder, 'handler.ts')]),
      ),
      // Error locations relative to the tree: `lambdas/<fn>/<file>.ts:line:column`.
      absWorkingDir: path.resolve(root),
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      packages: 'external',
      platform: 'node',
      target: 'node22',
      format: 'esm',
      logLevel: 'silent',
    });
  } catch (error) {
    throw new WorkflowCodeError((error as Error).message);
  }
  const handlers: Partial<Record<FunctionKey, unknown>> = {};
  for (const [key, fn] of entries) {
    const where = `lambdas/${fn.folder}/handler.ts`;
    let module: { createHandler?: unknown };
    try {
      module = (await import(pathToFileURL(path.join(outdir, `${key}.mjs`)).href)) as typeof module;
    } catch (error) {
      throw new WorkflowCodeError(`${where}: does not load: ${(error as Error).message}`);
    }
    if (typeof module.createHandler !== 'function') {
      throw new WorkflowCodeError(`${where}: exports no createHandler function`);
    }
    handlers[key] = module.createHandler;
  }
  return handlers as WorkflowCode['handlers'];
}

/** Every `*.asl.json` of the folder, parsed and validated (placeholders stay in their strings). */
async function readDefinitions(folder: string): Promise<Record<string, string>> {
  const definitions: Record<string, string> = {};
  const files = (await readdir(folder)).filter((name) => name.endsWith('.asl.json')).sort();
  for (const name of files) {
    const where = `statemachine/${name}`;
    const text = await readFile(path.join(folder, name), 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new WorkflowCodeError(`${where}: not JSON: ${(error as Error).message}`);
    }
    // ARNs are still `${...}` placeholders here; the engine checks the substituted ones.
    const result = aslValidator(parsed, { checkArn: false, checkPaths: true });
    if (!result.isValid) throw new WorkflowCodeError(`${where}: ${result.errorsText('; ')}`);
    definitions[name] = text;
  }
  return definitions;
}
