/**
 * Preloaded (`node --import`) into a `scones` process by startup.test.ts: records the URL of every
 * module the process resolves (ES imports and require calls alike, module.registerHooks) and writes
 * them as JSON lines to the file named by SCONES_MODULE_TRACE when the process exits.
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.SCONES_MODULE_TRACE;
const resolved = new Set<string>();
if (out) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const result = nextResolve(specifier, context);
      resolved.add(result.url);
      return result;
    },
  });
  process.on('exit', () => appendFileSync(out, [...resolved].map((url) => `${url}\n`).join('')));
}
