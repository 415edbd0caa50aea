#!/usr/bin/env node
// Entry point of the `scones` CLI. The kit's sources are TypeScript run directly by Node >= 22.18
// (type stripping); npm scripts and npx put the project's pinned Node 22 first on the PATH. When
// started by an older system Node, it runs itself again under the pinned one and stands in for it:
// signals sent to this process reach the child, and this process ends as the child did.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const require = createRequire(import.meta.url);
  runUnder(require.resolve('node/bin/node'));
} else {
  const { enableStartupCaches } = await import('./startup-caches.js');
  enableStartupCaches();
  await import('../src/cli/main.ts');
}

function runUnder(pinnedNode) {
  const child = spawn(pinnedNode, process.argv.slice(1), { stdio: 'inherit' });
  const forward = (signal) => {
    // Ctrl-C reaches the terminal's whole foreground process group, the child included: passing
    // it on would make it a second Ctrl-C (`scones up` would quit instead of draining).
    if (signal === 'SIGINT' && inForegroundOfTerminal()) return;
    child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`scones: cannot start ${pinnedNode}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    // Ended by a signal: end by the same one (the shell then reports it as such), else 128 + n.
    process.removeAllListeners(signal);
    try {
      process.kill(process.pid, signal);
    } catch {
      // A signal this process cannot raise.
    }
    process.exit(128 + (constants.signals[signal] ?? 0));
  });
}

/** Whether this process is in its terminal's foreground process group (Linux: /proc), where Ctrl-C lands. */
function inForegroundOfTerminal() {
  try {
    // Fields after the command name: state ppid pgrp session tty_nr tpgid ... (proc(5)).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const [, , pgrp, , , tpgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return pgrp === tpgid;
  } catch {
    return process.stdin.isTTY === true;
  }
}
