/**
 * The files of `sharp` for a Lambda: its JavaScript package with its dependencies, plus the prebuilt
 * native package for the Lambda's architecture (linux glibc, as Amazon Linux 2023 is). The host's
 * node_modules supplies a package when it holds the exact version; otherwise the tarball comes from
 * the npm registry (`npm pack`), cached under .scones/npm/.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';

const run = promisify(execFile);

export type LambdaArchitecture = 'x86_64' | 'arm64';
const NODE_CPU: Record<LambdaArchitecture, string> = { x86_64: 'x64', arm64: 'arm64' };

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The directory of `name` as Node would find it from `fromDir` (nearest node_modules upwards). */
function findPackageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`Cannot find package ${name} from ${fromDir}`);
  }
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...(await listFiles(root, path)));
    } else if (entry.isFile()) {
      files.push(relative(root, path));
    }
  }
  return files;
}

async function addPackage(files: Map<string, Uint8Array>, name: string, dir: string): Promise<void> {
  for (const file of await listFiles(dir)) {
    files.set(`node_modules/${name}/${file.split('\\').join('/')}`, await readFile(join(dir, file)));
  }
}

/** `name@version` from the registry, unpacked once into the cache. */
async function fromRegistry(name: string, version: string, cacheDir: string): Promise<string> {
  const target = join(cacheDir, `${name.replace('/', '+')}@${version}`);
  if (existsSync(join(target, 'package.json'))) return target;
  await mkdir(cacheDir, { recursive: true });
  const { stdout } = await run('npm', [
    'pack',
    `${name}@${version}`,
    '--json',
    '--pack-destination',
    cacheDir,
  ]);
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${name}@${version} produced no tarball`);
  const tarball = join(cacheDir, packed.filename);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await tar.x({ file: tarball, cwd: target, strip: 1 });
  await rm(tarball);
  return target;
}

async function resolveExact(name: string, version: string, fromDir: string, cacheDir: string) {
  try {
    const local = findPackageDir(name, fromDir);
    if ((await readPackageJson(local)).version === version) return local;
  } catch {
    // not installed for this host's platform: fetch it
  }
  return fromRegistry(name, version, cacheDir);
}

/** Adds sharp, its dependencies and the native packages for `arch` under node_modules/ in `files`. */
export async function addSharpForLambda(
  files: Map<string, Uint8Array>,
  arch: LambdaArchitecture,
  cacheDir: string,
  rootDir: string,
): Promise<{ sharpVersion: string; nativePackages: string[] }> {
  const sharpDir = findPackageDir('sharp', rootDir);
  const sharp = await readPackageJson(sharpDir);
  const added = new Set<string>();
  const addWithDependencies = async (name: string, dir: string) => {
    if (added.has(name)) return;
    added.add(name);
    await addPackage(files, name, dir);
    for (const dependency of Object.keys((await readPackageJson(dir)).dependencies ?? {})) {
      await addWithDependencies(dependency, findPackageDir(dependency, dir));
    }
  };
  await addWithDependencies('sharp', sharpDir);

  const nativeName = `@img/sharp-linux-${NODE_CPU[arch]}`;
  const nativeVersion = sharp.optionalDependencies?.[nativeName];
  if (!nativeVersion) throw new Error(`sharp ${sharp.version} lists no ${nativeName}`);
  const nativeDir = await resolveExact(nativeName, nativeVersion, sharpDir, cacheDir);
  await addPackage(files, nativeName, nativeDir);
  const nativePackages = [`${nativeName}@${nativeVersion}`];
  for (const [libvips, version] of Object.entries(
    (await readPackageJson(nativeDir)).optionalDependencies ?? {},
  )) {
    await addPackage(files, libvips, await resolveExact(libvips, version, sharpDir, cacheDir));
    nativePackages.push(`${libvips}@${version}`);
  }
  return { sharpVersion: sharp.version, nativePackages };
}
