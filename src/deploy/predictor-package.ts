/**
 * The kit's predictor (training/predictor.ts) for a Lambda: EvaluateCandidate imports it at run
 * time from the module PREDICTOR_MODULE names (`./predictor.mjs`, beside the handler), so it is a
 * second esbuild entry of that function's zip. What esbuild cannot inline goes beside it:
 * - tfjs-backend-wasm's `.wasm` files, which its Node build reads from `__dirname` (defined by the
 *   banner: ES modules have none);
 * - onnxruntime-node (native): its JavaScript, onnxruntime-common, and the prebuilt binding and
 *   libonnxruntime for linux and the Lambda's architecture only (the package ships every platform's,
 *   ~290 MB, over Lambda's 250 MB unzipped limit);
 * - sharp, as for the other functions (sharp-package.ts).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { lambdaEsmBuild } from './esm-build.ts';
import { addSharpForLambda, type LambdaArchitecture } from './sharp-package.ts';

const NODE_CPU: Record<LambdaArchitecture, string> = { x86_64: 'x64', arm64: 'arm64' };

/** `require`, `__filename` and `__dirname` for the CommonJS code inside an ES module bundle. */
const PREDICTOR_BANNER = [
  "import { createRequire as __sconesCreateRequire } from 'node:module';",
  "import { fileURLToPath as __sconesFileURLToPath } from 'node:url';",
  "import { dirname as __sconesDirname } from 'node:path';",
  'const require = __sconesCreateRequire(import.meta.url);',
  'const __filename = __sconesFileURLToPath(import.meta.url);',
  'const __dirname = __sconesDirname(__filename);',
].join(' ');

function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`Cannot find package ${name} from ${fromDir}`);
  }
}

async function filesUnder(root: string, dir = root): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(root, path)));
    else if (entry.isFile()) found.push(relative(root, path).split('\\').join('/'));
  }
  return found;
}

async function addFiles(
  files: Map<string, Uint8Array>,
  into: string,
  dir: string,
  keep: (path: string) => boolean,
): Promise<void> {
  for (const file of (await filesUnder(dir)).filter(keep)) {
    files.set(`${into}/${file}`, await readFile(join(dir, file)));
  }
}

export class PredictorPackageError extends Error {
  override name = 'PredictorPackageError';
}

/** Adds predictor.mjs (and its map), the wasm files, onnxruntime-node for `arch` and sharp to `files`. */
export async function addPredictorForLambda(
  files: Map<string, Uint8Array>,
  arch: LambdaArchitecture,
  cacheDir: string,
  rootDir: string,
): Promise<{ nativePackages: string[] }> {
  const result = await build(
    lambdaEsmBuild({
      entry: join(rootDir, 'training', 'predictor.ts'),
      rootDir,
      outfile: 'predictor.mjs',
      external: ['sharp', 'onnxruntime-node'],
      banner: PREDICTOR_BANNER,
    }),
  );
  for (const file of result.outputFiles) files.set(file.path.split(/[\\/]/).pop() as string, file.contents);

  const wasmDir = join(packageDir('@tensorflow/tfjs-backend-wasm', rootDir), 'dist');
  for (const name of (await readdir(wasmDir)).filter((file) => file.endsWith('.wasm'))) {
    files.set(name, await readFile(join(wasmDir, name)));
  }

  const ortDir = packageDir('onnxruntime-node', rootDir);
  const ort = JSON.parse(await readFile(join(ortDir, 'package.json'), 'utf8')) as { version: string };
  const native = `bin/napi-v6/linux/${NODE_CPU[arch]}/`;
  if (!existsSync(join(ortDir, native)))
    throw new PredictorPackageError(
      `onnxruntime-node ${ort.version} in ${ortDir} has no prebuilt binary for linux ${NODE_CPU[arch]}`,
    );
  await addFiles(
    files,
    'node_modules/onnxruntime-node',
    ortDir,
    (path) => path === 'package.json' || path.startsWith('dist/') || path.startsWith(native),
  );
  await addFiles(
    files,
    'node_modules/onnxruntime-common',
    packageDir('onnxruntime-common', ortDir),
    (path) => path === 'package.json' || path.startsWith('dist/'),
  );
  const sharp = await addSharpForLambda(files, arch, cacheDir, rootDir);
  return {
    nativePackages: [`onnxruntime-node@${ort.version} (linux-${NODE_CPU[arch]})`, ...sharp.nativePackages],
  };
}
