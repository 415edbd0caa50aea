/** Synthetic CIFAR-100 files and archives for the reader and staging tests. */

import { createReadStream } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { RECORD_BYTES } from '../../training/cifar-records.ts';

/** Records whose pixels encode (record, byte) so a mix-up of records or planes shows. */
export function syntheticRecords(fineLabels: readonly number[], coarseLabel = 18): Buffer {
  const bytes = Buffer.alloc(fineLabels.length * RECORD_BYTES);
  fineLabels.forEach((fine, record) => {
    const at = record * RECORD_BYTES;
    bytes[at] = coarseLabel;
    bytes[at + 1] = fine;
    for (let i = 0; i < RECORD_BYTES - 2; i++) bytes[at + 2 + i] = (record * 31 + i * 7) % 256;
  });
  return bytes;
}

/** A `cifar-100-binary.tar.gz` with the layout of the official one, built by node-tar. */
export async function buildArchive(
  directory: string,
  files: { train?: Buffer | string; test?: Buffer | string },
  name = 'cifar-100-binary.tar.gz',
): Promise<string> {
  const root = join(directory, 'archive-root');
  await mkdir(join(root, 'cifar-100-binary'), { recursive: true });
  const entries = ['cifar-100-binary/fine_label_names.txt', 'cifar-100-binary/coarse_label_names.txt'];
  await writeFile(join(root, entries[0] as string), 'apple\naquarium_fish\n');
  await writeFile(join(root, entries[1] as string), 'aquatic_mammals\nfish\n');
  for (const split of ['test', 'train'] as const) {
    const content = files[split];
    if (content === undefined) continue;
    const target = join(root, `cifar-100-binary/${split}.bin`);
    if (typeof content === 'string') await copyFile(content, target);
    else await writeFile(target, content);
    entries.push(`cifar-100-binary/${split}.bin`);
  }
  const file = join(directory, name);
  await createTar({ gzip: true, file, cwd: root, portable: true }, entries);
  return file;
}

/** Serves one file over http://127.0.0.1:<port>/<name>; other paths answer 404. */
export async function serveFile(file: string, name: string) {
  const server = createServer((request, response) => {
    if (request.url !== `/${name}`) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/gzip' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
