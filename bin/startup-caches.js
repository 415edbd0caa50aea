// Start-up caches of the `scones` CLI, under node_modules/.cache/scones/ (best effort: a cache that
// cannot be written only costs time). Plain JavaScript: it runs before any TypeScript is loaded.
//
// - V8's compile cache (module.enableCompileCache): compiled code of the kit's modules and its
//   dependencies, reused by the next run. Exported through NODE_COMPILE_CACHE, so worker threads
//   and child Node processes use it too.
// - Type-stripped TypeScript: Node 22 strips the types of every .ts file on every run with amaro, a
//   WebAssembly build of swc that alone takes about 50 ms to load, before any file is stripped (100
//   files for `scones classify`). A load hook serves a file's stripped code from the cache while its
//   source is unchanged, so a warm run never loads amaro. Node 23.8+ caches this itself in the
//   compile cache (nodejs/node#56629), so the hook is installed on Node 22 only.
// NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) turns both off.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const KIT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_DIR = path.join(KIT_ROOT, 'node_modules', '.cache', 'scones');

export function enableStartupCaches() {
  const compileCache = path.join(CACHE_DIR, 'v8');
  const { status, directory } = module.enableCompileCache(compileCache);
  if (status === module.constants.compileCacheStatus.DISABLED) return;
  if (directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = directory;
  const [major] = process.versions.node.split('.').map(Number);
  if (major === 22 && typeof module.registerHooks === 'function') cacheStrippedTypeScript();
}

/** The kit's own ES modules in TypeScript; dependencies are never stripped (Node refuses to). */
function isKitTypeScript(url, context) {
  return (
    context.format === 'module-typescript' &&
    url.startsWith('file:') &&
    url.endsWith('.ts') &&
    !url.includes('/node_modules/')
  );
}

const STRIPPED_DIR = path.join(CACHE_DIR, 'ts', process.versions.node);

function cacheStrippedTypeScript() {
  module.registerHooks({
    load(url, context, nextLoad) {
      if (!isKitTypeScript(url, context)) return nextLoad(url, context);
      return { format: 'module', source: strippedTypeScript(fileURLToPath(url)), shortCircuit: true };
    },
  });
}

let created = false;

/** The file's code with its types stripped, from the cache while its source is unchanged. */
function strippedTypeScript(file) {
  const source = readFileSync(file, 'utf8');
  // One entry per file, overwritten when the file changes; the source's hash ends the entry as a
  // comment (at the end, so line numbers stay those of the source).
  const trailer = `\n//# scones-source-sha1=${createHash('sha1').update(source).digest('hex')}\n`;
  const entry = path.join(STRIPPED_DIR, `${createHash('sha1').update(file).digest('hex')}.js`);
  let stripped;
  try {
    stripped = readFileSync(entry, 'utf8');
  } catch {
    stripped = undefined;
  }
  if (stripped === undefined || !stripped.endsWith(trailer)) {
    stripped = strip(source) + trailer;
    try {
      if (!created) mkdirSync(STRIPPED_DIR, { recursive: true });
      created = true;
      // Written aside, then renamed: a concurrent run reads the old entry or the new one whole.
      const partial = `${entry}.${process.pid}.tmp`;
      writeFileSync(partial, stripped);
      renameSync(partial, entry);
    } catch {
      // Not writable: strip again next time.
    }
  }
  return stripped;
}

/**
 * Strips every given TypeScript file into the cache now (`npm ci` runs this through
 * bin/warm-caches.js): the first run of a fresh clone, and every process and thread it starts, then
 * load the kit's code without stripping it again. Returns how many files it read.
 */
export function warmStrippedTypeScript(files) {
  const [major] = process.versions.node.split('.').map(Number);
  if (major !== 22 || typeof module.stripTypeScriptTypes !== 'function') return 0;
  for (const file of files) strippedTypeScript(file);
  return files.length;
}

/** What Node's loader does with a .ts file (strip mode: types become spaces, positions stay). */
function strip(source) {
  // stripTypeScriptTypes warns that it is experimental, as Node's own stripping no longer does on 22.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return module.stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}
