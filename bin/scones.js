#!/usr/bin/env node
// Entry point of the `scones` CLI. The kit's sources are TypeScript run directly by Node >= 22.18
// (type stripping); npm scripts and npx put the project's pinned Node 22 first on the PATH. When
// started by an older system Node, re-run with the pinned one.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const require = createRequire(import.meta.url);
  const pinnedNode = require.resolve('node/bin/node');
  const { status } = spawnSync(pinnedNode, process.argv.slice(1), { stdio: 'inherit' });
  process.exit(status ?? 1);
}
await import('../src/cli/main.ts');
