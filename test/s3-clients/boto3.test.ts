/** boto3's managed transfers (`upload_file` / `download_file`, multipart with threads) against the local S3 server. */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { md5, patterned } from '../embedded/s3-helpers.ts';
import { withPythonClients } from './python-clients.ts';

const run = promisify(execFile);
const BUCKET = 'boto-bucket';
const SCRIPT = join(import.meta.dirname, 'boto3_transfer.py');

describe('boto3 against the local S3 server', () => {
  const python = withPythonClients([BUCKET]);

  it('uploads and downloads a multipart object with threads, byte-identical', async (context) => {
    const clients = python.get(context);
    const { server } = python;
    const body = patterned(23 * 1024 * 1024 + 17, 5);
    const source = join(clients.folder, 'source.bin');
    const destination = join(clients.folder, 'destination.bin');
    await writeFile(source, body);
    const { stdout } = await run(
      clients.python.python,
      [SCRIPT, server.endpoint, BUCKET, 'boto/object.bin', source, destination],
      {
        env: clients.env,
      },
    );
    const result = JSON.parse(stdout);
    // 5 MiB chunks: four full parts and a short last one.
    expect(result).toEqual({ etag: expect.stringMatching(/^"[0-9a-f]{32}-5"$/), size: body.length });
    expect(md5(await readFile(destination))).toBe(md5(body));
  }, 120_000);
});
