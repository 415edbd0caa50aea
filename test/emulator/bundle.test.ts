/**
 * Lambda bundles: deterministic zips (a rebuild has the same CodeSha256, so a redeploy changes
 * nothing), sharp's native package for the chosen Lambda architecture, and a bundle that loads in
 * Node 22 from its own folder as the nodejs22.x runtime loads it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BundleInfo, buildBundles, readBundles } from '../../src/deploy/bundle.ts';
import { codeSha256, deterministicZip } from '../../src/deploy/zip.ts';
import { sharedBundles } from '../support/shared-emulators/client.ts';

const run = promisify(execFile);
const ELF_MACHINE = { x86_64: 62, arm64: 183 } as const;

async function entriesOf(bundle: BundleInfo): Promise<Record<string, Uint8Array>> {
  return unzipSync(await readFile(bundle.zipPath));
}

function byKey(bundles: BundleInfo[], key: BundleInfo['key']): BundleInfo {
  const bundle = bundles.find((b) => b.key === key);
  if (!bundle) throw new Error(`no bundle ${key}`);
  return bundle;
}

/** e_machine of the one sharp .node binary in a bundle. */
function nativeMachine(entries: Record<string, Uint8Array>): number {
  const binaries = Object.keys(entries).filter((name) => name.endsWith('.node'));
  expect(binaries).toHaveLength(1);
  const elf = entries[binaries[0] as string] as Uint8Array;
  expect(Buffer.from(elf.subarray(0, 4)).toString('latin1')).toBe('\x7fELF');
  return Buffer.from(elf).readUInt16LE(18);
}

describe('Lambda bundles', () => {
  const dirs: string[] = [];
  let x64: BundleInfo[];

  const outDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scones-bundle-test-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    // The run's build (shared-emulators/broker.ts), made by buildBundles as any other.
    x64 = await sharedBundles();
  }, 600_000);

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('builds one zip per function with handler index.mjs and its source map', async () => {
    expect(x64.map((b) => b.key).sort()).toEqual([
      'build',
      'classify',
      'evaluate',
      'filter',
      'serialize',
      'summarize',
    ]);
    for (const bundle of x64) {
      const entries = await entriesOf(bundle);
      expect(Object.keys(entries)).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
      expect(new TextDecoder().decode(entries['index.mjs'])).toContain('export');
      expect(bundle.codeSha256).toBe(codeSha256(await readFile(bundle.zipPath)));
    }
  });

  it('rebuilds byte for byte: same CodeSha256 for every function', async () => {
    // All but EvaluateCandidate, whose 90 MB of predictor packages go through the same zip code and
    // take most of a build's time.
    const only = x64.map((b) => b.key).filter((key) => key !== 'evaluate');
    const kept = (key: BundleInfo['key']) => (only as string[]).includes(key);
    const again = await buildBundles({ arch: 'x86_64', outDir: await outDir(), only });
    expect(again.map((b) => [b.key, b.codeSha256])).toEqual(
      x64.filter((b) => kept(b.key)).map((b) => [b.key, b.codeSha256]),
    );
  }, 120_000);

  it('reads the zips of a build back (scones promote --bundles DIR), the same CodeSha256, and names a missing one', async () => {
    const dir = dirname(x64[0]?.zipPath as string);
    const read = await readBundles(dir, 'x86_64');
    expect(read.map((b) => [b.key, b.codeSha256])).toEqual(x64.map((b) => [b.key, b.codeSha256]));
    const partial = await outDir();
    await writeFile(join(partial, 'classify-image.zip'), await readFile(byKey(x64, 'classify').zipPath));
    await expect(readBundles(partial, 'x86_64')).rejects.toThrow(/lacks serialize-image-data\.zip, /);
  });

  it('ships sharp with its linux-x64 native package only where a function imports it', async () => {
    const serialize = await entriesOf(byKey(x64, 'serialize'));
    expect(Object.keys(serialize)).toEqual(
      expect.arrayContaining([
        'node_modules/sharp/package.json',
        'node_modules/@img/sharp-linux-x64/package.json',
      ]),
    );
    expect(
      Object.keys(serialize).some((n) => n.startsWith('node_modules/@img/sharp-libvips-linux-x64/lib/')),
    ).toBe(true);
    expect(nativeMachine(serialize)).toBe(ELF_MACHINE.x86_64);
    for (const key of ['classify', 'filter'] as const) {
      expect(Object.keys(await entriesOf(byKey(x64, key))).some((n) => n.startsWith('node_modules/'))).toBe(
        false,
      );
    }
  });

  it('loads in Node 22 from the unpacked zip alone, native sharp included', async () => {
    const dir = await outDir();
    for (const [name, data] of Object.entries(await entriesOf(byKey(x64, 'serialize')))) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), data);
    }
    const probe =
      "const m = await import('./index.mjs'); const sharp = (await import('sharp')).default;" +
      'console.log(typeof m.handler, Object.keys(sharp.versions).includes("vips"));';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir });
    expect(stdout.trim()).toBe('function true');
  });

  it('packs the arm64 native package from the npm registry when arm64 is asked for', async () => {
    // serialize alone: the predictor's arm64 packages are another download, and nothing here reads them.
    const arm = await buildBundles({ arch: 'arm64', outDir: await outDir(), only: ['serialize'] });
    const serialize = await entriesOf(byKey(arm, 'serialize'));
    expect(byKey(arm, 'serialize').nativePackages.map((p) => p.split('@')[1])).toEqual([
      'img/sharp-linux-arm64',
      'img/sharp-libvips-linux-arm64',
    ]);
    expect(Object.keys(serialize).some((n) => n.includes('linux-x64'))).toBe(false);
    expect(nativeMachine(serialize)).toBe(ELF_MACHINE.arm64);
    // Same handler code, different native payload.
    expect(new TextDecoder().decode(serialize['index.mjs'])).toBe(
      new TextDecoder().decode((await entriesOf(byKey(x64, 'serialize')))['index.mjs']),
    );
  }, 180_000);
});

describe('deterministic zips', () => {
  it('do not depend on insertion order or time', () => {
    const a = new Map([
      ['b.txt', new Uint8Array([1, 2])],
      ['a/c.txt', new Uint8Array([3])],
    ]);
    const first = deterministicZip(a);
    // A clock a minute later, well past the 2 s resolution of zip times.
    vi.useFakeTimers({ toFake: ['Date'] });
    let second: Uint8Array;
    try {
      vi.setSystemTime(Date.now() + 60_000);
      second = deterministicZip(new Map([...a].reverse()));
    } finally {
      vi.useRealTimers();
    }
    expect(codeSha256(second)).toBe(codeSha256(first));
    expect(Object.keys(unzipSync(first))).toEqual(['a/c.txt', 'b.txt']);
  });
});
