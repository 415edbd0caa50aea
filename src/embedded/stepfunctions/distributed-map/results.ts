/**
 * A Distributed Map's ResultWriter (`arn:aws:states:::s3:putObject`), as "ResultWriter (Map)"
 * describes the export (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
 * under `<Prefix>/<map run id>/`, one JSON array per status, `SUCCEEDED_<n>.json`, `FAILED_<n>.json`
 * (failed, timed out and aborted children) and `PENDING_<n>.json` (items not started because the
 * Map Run failed), each up to 5 GB (the next index takes the rest), then `manifest.json` naming them
 * (`DestinationBucket`, `MapRunArn`, `ResultFiles` by status, each file's `Key` and `Size`); files of
 * a status with no execution are not written. Records go to temporary files as children finish, so
 * memory holds none of them; the files are uploaded when the Map Run ends, failed or not.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  RESULT_STATUSES,
  type ResultManifest,
  type ResultRecord,
  type ResultStatus,
} from '../../../workflow/batch-types.ts';
import { TaskError } from '../../shared/index.ts';
import { bucketAndPrefix } from './paths.ts';
import type { MapContext, ResultDestination, ResultWriterDefinition } from './types.ts';

export const PUT_OBJECT = 'arn:aws:states:::s3:putObject';
/** Step Functions' limit per result file. */
export const RESULT_FILE_MAX_BYTES = 5 * 1024 ** 3;
/** Records are appended to their file in blocks of about this size. */
const FLUSH_BYTES = 64 * 1024;

/** Checks the field at build time; the returned function evaluates Bucket and Prefix per Map Run. */
export function resultDestinationFor(
  stateName: string,
  writer: ResultWriterDefinition,
): (input: unknown, context: MapContext) => Promise<ResultDestination> {
  if (writer.Resource !== PUT_OBJECT || writer.WriterConfig !== undefined) {
    throw new Error(
      `State ${stateName}: only a ResultWriter with Resource ${PUT_OBJECT} and Parameters Bucket and Prefix is supported in-process`,
    );
  }
  return bucketAndPrefix(stateName, 'ResultWriter', writer.Parameters ?? {});
}

/** `<Prefix>/<map run id>/`: a prefix that does not end in `/` gets one. */
export function resultKeyPrefix(prefix: string, mapRunId: string): string {
  return `${prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`}${mapRunId}/`;
}

interface PartFile {
  file: string;
  bytes: number;
  records: number;
}

export class ResultFiles {
  readonly destination: ResultDestination;
  readonly mapRunArn: string;
  readonly keyPrefix: string;
  readonly #folder: string;
  readonly #maxFileBytes: number;
  readonly #parts: Record<ResultStatus, PartFile[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  readonly #pending: Record<ResultStatus, string[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  #pendingBytes = 0;
  #writes: Promise<void> = Promise.resolve();
  /** The first failed append; later appends are skipped and finish() throws it. */
  #writeError: Error | undefined;

  private constructor(
    destination: ResultDestination,
    mapRunArn: string,
    folder: string,
    maxFileBytes: number,
  ) {
    this.destination = destination;
    this.mapRunArn = mapRunArn;
    this.keyPrefix = resultKeyPrefix(destination.prefix, mapRunArn.split(':').at(-1) as string);
    this.#folder = folder;
    this.#maxFileBytes = maxFileBytes;
  }

  static async open(
    destination: ResultDestination,
    mapRunArn: string,
    maxFileBytes = RESULT_FILE_MAX_BYTES,
  ): Promise<ResultFiles> {
    return new ResultFiles(
      destination,
      mapRunArn,
      await mkdtemp(path.join(tmpdir(), 'scones-map-run-')),
      maxFileBytes,
    );
  }

  /** Adds one record to its status's file (a new file when this one would pass the size limit). */
  add(status: ResultStatus, record: ResultRecord): void {
    const json = JSON.stringify(record);
    const size = Buffer.byteLength(json) + 1; // its separator: `[` or `,`
    const parts = this.#parts[status];
    let part = parts.at(-1);
    if (!part || (part.records > 0 && part.bytes + size + 1 > this.#maxFileBytes)) {
      this.#flush();
      if (part) this.#chain(part.file, ']');
      // bytes counts the file without its closing `]`.
      part = { file: path.join(this.#folder, `${status}_${parts.length}.json`), bytes: 0, records: 0 };
      parts.push(part);
    }
    this.#pending[status].push(`${part.records === 0 ? '[' : ','}${json}`);
    part.bytes += size;
    part.records++;
    this.#pendingBytes += size;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
  }

  /** Uploads every file, then the manifest; returns the manifest's key. Removes the local files. */
  async finish(s3: S3Client): Promise<string> {
    try {
      this.#flush();
      for (const parts of Object.values(this.#parts)) {
        const last = parts.at(-1);
        if (last) this.#chain(last.file, ']');
      }
      await this.#writes;
      if (this.#writeError) throw this.#writeError;
      const manifest: ResultManifest = {
        DestinationBucket: this.destination.bucket,
        MapRunArn: this.mapRunArn,
        ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] },
      };
      for (const status of RESULT_STATUSES) {
        for (const [index, part] of this.#parts[status].entries()) {
          const key = `${this.keyPrefix}${status}_${index}.json`;
          await this.#put(s3, key, createReadStream(part.file), part.bytes + 1);
          manifest.ResultFiles[status].push({ Key: key, Size: part.bytes + 1 });
        }
      }
      const manifestKey = `${this.keyPrefix}manifest.json`;
      const body = JSON.stringify(manifest);
      await this.#put(s3, manifestKey, body, Buffer.byteLength(body));
      return manifestKey;
    } finally {
      await this.discard();
    }
  }

  async discard(): Promise<void> {
    await this.#writes;
    await rm(this.#folder, { recursive: true, force: true });
  }

  #flush(): void {
    for (const status of RESULT_STATUSES) {
      const lines = this.#pending[status];
      if (lines.length === 0) continue;
      const part = this.#parts[status].at(-1) as PartFile;
      this.#chain(part.file, lines.join(''));
      this.#pending[status] = [];
    }
    this.#pendingBytes = 0;
  }

  /** Appends in order, one write at a time (records arrive from concurrent children). */
  #chain(file: string, text: string): void {
    this.#writes = this.#writes
      .then(() => (this.#writeError ? undefined : appendFile(file, text)))
      .catch((error: Error) => {
        this.#writeError ??= error;
      });
  }

  async #put(s3: S3Client, key: string, body: string | NodeJS.ReadableStream, length: number): Promise<void> {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: this.destination.bucket,
          Key: key,
          Body: body as never,
          ContentLength: length,
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      const err = error as Error;
      throw new TaskError(
        'States.ResultWriterFailed',
        `PutObject s3://${this.destination.bucket}/${key} failed: ${err.name}: ${err.message}`,
      );
    }
  }
}
