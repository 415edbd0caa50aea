/**
 * Lambda bundles: one zip per function, as the nodejs22.x runtime loads it. esbuild bundles the
 * handler and its dependencies (AWS SDK included: the runtime's copy is not pinned) into one ES
 * module, `index.mjs` with its source map; handler `index.handler`. sharp stays external (native
 * code): when a function imports it, its package and the prebuilt binary for the Lambda's
 * architecture go under node_modules/ in the zip. Zips are deterministic (see zip.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  BATCH_FUNCTIONS,
  type BatchFunctionKey,
  FUNCTIONS,
  type FunctionKey,
  RETRAINING_FUNCTIONS,
  type RetrainingFunctionKey,
} from '../workflow/definition.ts';
import { lambdaEsmBuild } from './esm-build.ts';
import { addPredictorForLambda } from './predictor-package.ts';
import { addSharpForLambda, type LambdaArchitecture } from './sharp-package.ts';
import { codeSha256, deterministicZip } from './zip.ts';

export type { LambdaArchitecture } from './sharp-package.ts';

/** The workflow's three functions, the batch's summary function and the retraining's two. */
const KIT_FUNCTIONS = { ...FUNCTIONS, ...BATCH_FUNCTIONS, ...RETRAINING_FUNCTIONS };

/** Functions that load the kit's predictor at run time (PREDICTOR_MODULE): predictor-package.ts. */
const LOADS_PREDICTOR = new Set<string>([RETRAINING_FUNCTIONS.evaluate.folder]);

export interface BundleInfo {
  key: FunctionKey | BatchFunctionKey | RetrainingFunctionKey;
  /** Folder under lambdas/ the function comes from. */
  folder: string;
  arch: LambdaArchitecture;
  zipPath: string;
  /** Base64 SHA-256 of the zip, comparable with Lambda's CodeSha256. */
  codeSha256: string;
  sizeBytes: number;
  /** e.g. `@img/sharp-linux-x64@0.35.5`; empty when the function does not use sharp. */
  nativePackages: string[];
}

export interface BuildOptions {
  arch: LambdaArchitecture;
  outDir: string;
  /** Repository root holding lambdas/; default this kit's root, wherever the command runs. */
  rootDir?: string;
  /** Where registry tarballs of other-architecture packages are cached; default .scones/npm. */
  cacheDir?: string;
  /** Only these functions (default every one): a check of one bundle need not pack the predictor's. */
  only?: readonly BundleInfo['key'][];
}

/** The repository root (src/deploy/../..). */
export const KIT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const NATIVE_EXTERNALS = ['sharp'];

/** ESM output still meets CommonJS dependencies that call require(): give them one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __sconesCreateRequire } from 'node:module'; const require = __sconesCreateRequire(import.meta.url);";

async function bundleHandler(entry: string, rootDir: string) {
  const result = await build({
    ...lambdaEsmBuild({
      entry,
      rootDir,
      outfile: 'index.mjs',
      external: NATIVE_EXTERNALS,
      banner: ESM_REQUIRE_BANNER,
    }),
    metafile: true,
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  const usesSharp = imports.some((entry) => entry.external && entry.path === 'sharp');
  const files = new Map(
    result.outputFiles.map((file) => [file.path.split(/[\\/]/).pop() as string, file.contents]),
  );
  return { files, usesSharp };
}

export async function buildBundles(options: BuildOptions): Promise<BundleInfo[]> {
  const rootDir = resolve(options.rootDir ?? KIT_ROOT);
  const cacheDir = resolve(options.cacheDir ?? join(rootDir, '.scones', 'npm'));
  await mkdir(options.outDir, { recursive: true });
  const bundles: BundleInfo[] = [];
  for (const [key, fn] of Object.entries(KIT_FUNCTIONS) as [BundleInfo['key'], { folder: string }][]) {
    if (options.only && !options.only.includes(key)) continue;
    const { files, usesSharp } = await bundleHandler(
      join(rootDir, 'lambdas', fn.folder, 'handler.ts'),
      rootDir,
    );
    const native = LOADS_PREDICTOR.has(fn.folder)
      ? await addPredictorForLambda(files, options.arch, cacheDir, rootDir)
      : usesSharp
        ? await addSharpForLambda(files, options.arch, cacheDir, rootDir)
        : { nativePackages: [] };
    const zip = deterministicZip(files);
    const zipPath = resolve(options.outDir, `${fn.folder}.zip`);
    await writeFile(zipPath, zip);
    bundles.push({
      key,
      folder: fn.folder,
      arch: options.arch,
      zipPath,
      codeSha256: codeSha256(zip),
      sizeBytes: zip.byteLength,
      nativePackages: native.nativePackages,
    });
  }
  return bundles;
}

export class BundlesMissing extends Error {
  override name = 'BundlesMissing';
}

/**
 * Bundles built before (`scones build --out DIR`, as `sam build` comes before `sam deploy`): every
 * function's `<folder>.zip` in `dir`, or BundlesMissing naming the ones that are not there. Their
 * native packages are not known from the zip alone, so they are reported as none.
 */
export async function readBundles(dir: string, arch: LambdaArchitecture): Promise<BundleInfo[]> {
  const entries = Object.entries(KIT_FUNCTIONS) as [BundleInfo['key'], { folder: string }][];
  const read = await Promise.all(
    entries.map(async ([key, fn]) => {
      const zipPath = resolve(dir, `${fn.folder}.zip`);
      const zip = await readFile(zipPath).catch(() => undefined);
      return { key, folder: fn.folder, zipPath, zip };
    }),
  );
  const missing = read.filter((bundle) => !bundle.zip).map((bundle) => `${bundle.folder}.zip`);
  if (missing.length > 0)
    throw new BundlesMissing(`${dir} lacks ${missing.join(', ')}: build them with scones build --out ${dir}`);
  return read.map(({ key, folder, zipPath, zip }) => ({
    key,
    folder,
    arch,
    zipPath,
    codeSha256: codeSha256(zip as Buffer),
    sizeBytes: (zip as Buffer).byteLength,
    nativePackages: [],
  }));
}
