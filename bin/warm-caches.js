// Run by `npm ci` / `npm install` (postinstall): fills the CLI's stripped-TypeScript cache
// (bin/startup-caches.js) for every TypeScript file of the kit, so the first `npm run demo` or
// `npm test` of a fresh clone, and each process and thread they start, load the kit's code without
// stripping it again (measured: the first `test:fast` of a fresh clone took 67 s against 58 s for
// the next). Best effort: it never fails an install.
import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { warmStrippedTypeScript } from './startup-caches.js';

// The real path: Node loads modules by their real paths, and the cache is keyed by the path.
const KIT_ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const SOURCE_FOLDERS = ['src', 'lambdas', 'training', 'bench'];

function typeScriptFiles(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

try {
  const started = Date.now();
  const files = SOURCE_FOLDERS.flatMap((folder) => typeScriptFiles(path.join(KIT_ROOT, folder)));
  const warmed = warmStrippedTypeScript(files);
  if (warmed > 0)
    console.log(`scones: start-up cache of ${warmed} TypeScript files ready in ${Date.now() - started} ms`);
} catch (error) {
  console.log(`scones: start-up cache not warmed (${error.message}); the first run strips as it goes`);
}
