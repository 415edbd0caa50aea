/**
 * Project-local Python environments of the emulator servers, one per pinned requirements file:
 * `.venv/` (MiniStack, moto: `requirements-emulators.txt`, installed together so pip resolves
 * one consistent set; the two share botocore) and `.venv-localstack/` (LocalStack:
 * `requirements-localstack.txt`; it needs a newer Python and pins its own botocore). Shared by
 * every server harness; safe to call from parallel test files (a lock directory serializes
 * installs, a stamp of the requirements skips work already done).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { withInstallLock } from './install-lock.ts';
import { createVenv, type InstallerSettings, installRequirements } from './pip-install.ts';

const run = promisify(execFile);

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export class PythonMissingError extends Error {
  override name = 'PythonMissingError';
}

export interface VenvSpec {
  /** Who needs it, for messages ("MiniStack and moto"). */
  purpose: string;
  dir: string;
  requirementsFile: string;
  /** Lowest Python (major 3) minor version that runs these requirements. */
  minMinor: number;
  /** Environment variable naming a Python to use before any other. */
  pythonVariable: string;
}

export const EMULATOR_VENV: VenvSpec = {
  purpose: 'MiniStack and moto',
  dir: join(PROJECT_ROOT, '.venv'),
  requirementsFile: join(PROJECT_ROOT, 'requirements-emulators.txt'),
  minMinor: 9,
  pythonVariable: 'SCONES_PYTHON',
};

/**
 * LocalStack 4.14 declares Python >= 3.10 but uses PEP 695 syntax (3.12) in its services and
 * `warnings.deprecated` (3.13) in the tagging code its Lambda API imports.
 */
export const LOCALSTACK_VENV: VenvSpec = {
  purpose: 'LocalStack',
  dir: join(PROJECT_ROOT, '.venv-localstack'),
  requirementsFile: join(PROJECT_ROOT, 'requirements-localstack.txt'),
  minMinor: 13,
  pythonVariable: 'SCONES_LOCALSTACK_PYTHON',
};

function howToGetPython(spec: VenvSpec): string {
  const version = `3.${spec.minMinor}`;
  return (
    `The ${spec.purpose} tests run as host processes and need Python >= ${version} with venv. ` +
    `Install it (Debian/Ubuntu: \`apt-get install python${version} python${version}-venv\` or ` +
    `\`pyenv install ${version}\`; macOS: \`brew install python@${version}\`; others: ` +
    `https://www.python.org/downloads/), or name one with ${spec.pythonVariable}=/path/to/python, ` +
    'or run the fast suite alone: `npm run test:fast`.'
  );
}

/** Interpreters installed by pyenv (`$PYENV_ROOT/versions/3.x.y/bin/python`), newest first. */
async function pyenvPythons(): Promise<string[]> {
  const root = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const versions = await readdir(join(root, 'versions')).catch(() => [] as string[]);
  const numeric = (name: string) => name.split('.').map((part) => Number.parseInt(part, 10) || 0);
  return versions
    .filter((name) => /^3\.\d+\.\d+$/.test(name))
    .sort((a, b) => {
      const [x, y] = [numeric(a), numeric(b)];
      return (y[1] ?? 0) - (x[1] ?? 0) || (y[2] ?? 0) - (x[2] ?? 0);
    })
    .map((name) => join(root, 'versions', name, 'bin', 'python'));
}

async function pythonVersion(command: string): Promise<[number, number] | undefined> {
  try {
    const { stdout } = await run(command, [
      '-c',
      'import sys, venv; print(sys.version_info[0], sys.version_info[1])',
    ]);
    const [major, minor] = stdout.trim().split(' ').map(Number);
    return [major ?? 0, minor ?? 0];
  } catch {
    return undefined; // Not installed, a pyenv shim without that version, or no venv module.
  }
}

/** The first Python that runs the spec's requirements: the named one, then PATH, then pyenv. */
export async function findPython(spec: VenvSpec): Promise<string> {
  const onPath = ['3.14', '3.13', '3.12', '3.11', '3.10', '3.9']
    .filter((version) => Number(version.split('.')[1]) >= spec.minMinor)
    .map((version) => `python${version}`);
  const candidates = [
    process.env[spec.pythonVariable],
    ...onPath,
    'python3',
    'python',
    ...(await pyenvPythons()),
  ].filter((candidate): candidate is string => Boolean(candidate));
  for (const candidate of candidates) {
    const version = await pythonVersion(candidate);
    if (version && version[0] === 3 && version[1] >= spec.minMinor) return candidate;
  }
  throw new PythonMissingError(
    `No Python >= 3.${spec.minMinor} was found (tried ${[...new Set(candidates)].join(', ')}). ${howToGetPython(spec)}`,
  );
}

/** cfn-lint, which checks the generated CloudFormation template (test/template/cfn-lint.test.ts). */
export const CFN_LINT_VENV: VenvSpec = {
  purpose: 'cfn-lint',
  dir: join(PROJECT_ROOT, '.venv-cfn-lint'),
  requirementsFile: join(PROJECT_ROOT, 'requirements-cfn-lint.txt'),
  minMinor: 9,
  pythonVariable: 'SCONES_PYTHON',
};

/** uv goes to `.scones/uv`, installed with any Python 3 that has pip (pip-install.ts). */
const INSTALLER: InstallerSettings = {
  toolsDir: join(PROJECT_ROOT, '.scones'),
  bootstrapPython: () => findPython(EMULATOR_VENV),
};

export interface PythonEnvironment {
  python: string;
  /** Path of a console script the requirements installed, e.g. `moto_server`. */
  bin(name: string): string;
}

/** Creates the spec's venv when missing (or too old) and installs its pinned requirements once. */
export async function ensureVenv(spec: VenvSpec): Promise<PythonEnvironment> {
  const requirements = await readFile(spec.requirementsFile);
  const wanted = createHash('sha256').update(requirements).digest('hex');
  const stampFile = join(spec.dir, '.scones-requirements.sha256');
  const bin = (name: string) => join(spec.dir, 'bin', name);
  const environment = { python: bin('python'), bin };
  const installed = async () => (await readFile(stampFile, 'utf8').catch(() => '')).trim() === wanted;
  if (existsSync(bin('python')) && (await installed())) return environment;

  await withInstallLock(`${spec.dir}.lock`, async () => {
    if (existsSync(bin('python')) && (await installed())) return;
    const current = existsSync(bin('python')) ? await pythonVersion(bin('python')) : undefined;
    if (!current || current[1] < spec.minMinor) {
      await rm(spec.dir, { recursive: true, force: true });
      await createVenv(await findPython(spec), spec.dir, INSTALLER);
    }
    await installRequirements(bin('python'), spec.requirementsFile, INSTALLER);
    await writeFile(stampFile, `${wanted}\n`);
  });
  return environment;
}

/** `.venv-cfn-lint/` with cfn-lint. */
export function ensureCfnLintVenv(): Promise<PythonEnvironment> {
  return ensureVenv(CFN_LINT_VENV);
}

/** `.venv/` with MiniStack and moto. */
export function ensureEmulatorVenv(): Promise<PythonEnvironment> {
  return ensureVenv(EMULATOR_VENV);
}
