/**
 * The project-local Python environment of the emulator servers (MiniStack, moto): `.venv/` with
 * every pin of `requirements-emulators.txt`, installed together so pip resolves one consistent
 * set (the two share botocore). Shared by every server harness; safe to call from parallel test
 * files (a lock directory serializes installs, a stamp skips work already done).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const REQUIREMENTS_FILE = join(PROJECT_ROOT, 'requirements-emulators.txt');
export const VENV_DIR = join(PROJECT_ROOT, '.venv');
const STAMP_FILE = join(VENV_DIR, '.scones-requirements.sha256');
const LOCK_DIR = `${VENV_DIR}.lock`;
/** A lock older than this belongs to a run that died; pip installs here take well under it. */
const STALE_LOCK_MS = 15 * 60_000;

export class PythonMissingError extends Error {
  override name = 'PythonMissingError';
}

const HOW_TO_GET_PYTHON =
  'The emulator tests run MiniStack and moto (PyPI) as host processes and need Python >= 3.9 with venv. ' +
  'Install it (Debian/Ubuntu: `apt-get install python3 python3-venv`; macOS: `brew install python`; ' +
  'others: https://www.python.org/downloads/) or run the fast suite alone: `npm run test:fast`.';

async function systemPython(): Promise<string> {
  for (const candidate of [process.env.SCONES_PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    try {
      const { stdout } = await run(candidate, [
        '-c',
        'import sys, venv; print(sys.version_info[0], sys.version_info[1])',
      ]);
      const [major, minor] = stdout.trim().split(' ').map(Number);
      if (major === 3 && (minor ?? 0) >= 9) return candidate;
    } catch {
      // Not installed, or without the venv module: try the next candidate.
    }
  }
  throw new PythonMissingError(`Python 3 was not found. ${HOW_TO_GET_PYTHON}`);
}

async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age =
        Date.now() -
        (await stat(LOCK_DIR).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > STALE_LOCK_MS) await rm(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((done) => setTimeout(done, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

export interface PythonEnvironment {
  python: string;
  /** Path of a console script the requirements installed, e.g. `moto_server`. */
  bin(name: string): string;
}

/** Creates `.venv/` when missing and installs the pinned requirements unless already installed. */
export async function ensureEmulatorVenv(): Promise<PythonEnvironment> {
  const requirements = await readFile(REQUIREMENTS_FILE);
  const wanted = createHash('sha256').update(requirements).digest('hex');
  const bin = (name: string) => join(VENV_DIR, 'bin', name);
  const environment = { python: bin('python'), bin };
  const installed = async () => (await readFile(STAMP_FILE, 'utf8').catch(() => '')).trim() === wanted;
  if (existsSync(bin('python')) && (await installed())) return environment;

  await withInstallLock(async () => {
    if (existsSync(bin('python')) && (await installed())) return;
    if (!existsSync(bin('python'))) await run(await systemPython(), ['-m', 'venv', VENV_DIR]);
    try {
      await run(bin('python'), ['-m', 'pip', 'install', '--quiet', '-r', REQUIREMENTS_FILE], {
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`pip install -r requirements-emulators.txt failed:\n${stderr.slice(-4000)}`);
    }
    await writeFile(STAMP_FILE, `${wanted}\n`);
  });
  return environment;
}
