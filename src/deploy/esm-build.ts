/**
 * How the kit's code becomes one ES module a Lambda (nodejs22.x) loads: esbuild bundles it,
 * minified with names kept (stack traces stay readable), a linked source map beside it, paths
 * relative to the repository root so the zip's hash does not depend on the working folder.
 * The handlers' bundles (bundle.ts) and the predictor EvaluateCandidate loads (predictor-package.ts)
 * differ only in their entry point, file name, natives left out and banner.
 */
import type { BuildOptions } from 'esbuild';

export function lambdaEsmBuild(input: {
  entry: string;
  rootDir: string;
  outfile: string;
  external: string[];
  banner: string;
}): BuildOptions & { write: false } {
  return {
    entryPoints: [input.entry],
    absWorkingDir: input.rootDir,
    outfile: input.outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    // `linked` adds the sourceMappingURL comment NODE_OPTIONS=--enable-source-maps follows.
    sourcemap: 'linked',
    minify: true,
    keepNames: true,
    external: input.external,
    banner: { js: input.banner },
    write: false,
    logLevel: 'warning',
  };
}
