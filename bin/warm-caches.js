// Run by `npm ci` / `npm install` (postinstall): fills the CLI's stripped-TypeScript cache
// (bin/startup-caches.js) for every TypeScript file of the kit, so the first `npm run demo` or
// `npm test` of a fresh clone, and each process and thread they start, load the kit's code without
// stripping it again (measured: the first `test:fast` of a fresh clone took 67 s against 58 s for
// the next). Best effort: it never fails an install.
import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { enableStartupCaches, warmStrippedTypeScript } from './startup-caches.js';

// The real path: Node loads modules by their real paths, and the cache is keyed by the path.
const KIT_ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const SOURCE_FOLDERS = ['src', 'lambdas', 'training', 'bench'];
/**
 * Modules the kit's processes and threads load, none of which does anything on import: importing
 * them here compiles them and their dependencies (the AWS SDK's clients above all) into V8's
 * compile cache, which the CLI, its threads and the servers reuse.
 */
const COMPILED_ON_INSTALL = [
  'src/embedded/runtime.ts',
  'src/embedded/aws-apis.ts',
  'src/monitor/index.ts',
  'src/load/run.ts',
  'lambdas/serialize-image-data/handler.ts',
  'lambdas/classify-image/handler.ts',
  'lambdas/filter-inferences/handler.ts',
];

function typeScriptFiles(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

try {
  const started = Date.now();
  const files = SOURCE_FOLDERS.flatMap((folder) => typeScriptFiles(path.join(KIT_ROOT, folder)));
  const warmed = warmStrippedTypeScript(files);
  if (warmed > 0) {
    enableStartupCaches();
    for (const file of COMPILED_ON_INSTALL) await import(path.join(KIT_ROOT, file));
    console.log(`scones: start-up caches of ${warmed} TypeScript files ready in ${Date.now() - started} ms`);
  }
} catch (error) {
  console.log(`scones: start-up cache not warmed (${error.message}); the first run strips as it goes`);
}
