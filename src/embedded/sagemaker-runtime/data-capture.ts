/**
 * Endpoint data capture in SageMaker's format: sampled invocations become JSON Lines records
 * under `<destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl`, each
 * `{captureData: {endpointInput, endpointOutput}, eventMetadata, eventVersion: "0"}`.
 *
 * Records are buffered and written in batches (every `flushIntervalMs`, when `maxBufferedRecords`
 * is reached, and on stop), so a capture never adds an S3 round trip to a request.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/clients.ts';
import { parseS3Uri } from '../../aws/s3-uri.ts';
import { loadConfig } from '../../config.ts';
import { INFERENCE_ID_MAX_LENGTH, isValidInferenceId } from '../../workflow/inference-id.ts';

export type CaptureMode = 'Input' | 'Output';

/** As SageMaker's `DataCaptureConfig`, plus the local knobs. */
export interface CaptureOptions {
  /** `s3://bucket/prefix` (DestinationS3Uri). */
  destinationS3Uri: string;
  /** Percentage of invocations captured, 0-100 (InitialSamplingPercentage; default 100). */
  samplingPercentage?: number;
  /** What is captured (CaptureOptions; default both). */
  captureModes?: CaptureMode[];
  /** Content types captured as JSON text (CaptureContentTypeHeader.JsonContentTypes). */
  jsonContentTypes?: string[];
  /** Content types captured as CSV text (CaptureContentTypeHeader.CsvContentTypes). */
  csvContentTypes?: string[];
  /** Client the files are written with; default one built from the environment's config. */
  s3?: S3Client;
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** Flush early when this many records wait (default 1000). */
  maxBufferedRecords?: number;
  /** Source of randomness for sampling (tests pin it). */
  random?: () => number;
}

export interface CapturedPayload {
  observedContentType: string;
  mode: 'INPUT' | 'OUTPUT';
  data: string;
  encoding: 'BASE64' | 'JSON' | 'CSV';
}

export interface CaptureRecord {
  captureData: { endpointInput?: CapturedPayload; endpointOutput?: CapturedPayload };
  eventMetadata: { eventId: string; inferenceId?: string; inferenceTime: string };
  eventVersion: '0';
}

export interface Invocation {
  input: Buffer;
  inputContentType: string;
  output: Buffer;
  outputContentType: string;
  inferenceId?: string;
  time: Date;
}

/**
 * What SageMaker Runtime answers (ValidationError) for an `X-Amzn-SageMaker-Inference-Id` header
 * it refuses, else undefined. InvokeEndpoint's InferenceId is 1-64 characters matching
 * `\A\S[\p{Print}]*\z` (SageMaker Runtime API reference); the captured record keeps it as
 * `eventMetadata.inferenceId`.
 */
export function inferenceIdProblem(header: string | string[] | undefined): string | undefined {
  if (header === undefined || (typeof header === 'string' && isValidInferenceId(header))) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  const constraint =
    value.length > INFERENCE_ID_MAX_LENGTH
      ? `Member must have length less than or equal to ${INFERENCE_ID_MAX_LENGTH}`
      : value.length === 0
        ? 'Member must have length greater than or equal to 1'
        : 'Member must satisfy regular expression pattern: \\A\\S[\\p{Print}]*\\z';
  return `1 validation error detected: Value '${value}' at 'inferenceId' failed to satisfy constraint: ${constraint}`;
}

/** A flush that failed keeps at most this many records for the next attempt. */
const MAX_RETAINED_RECORDS = 100_000;

function captureDestination(uri: string): { bucket: string; prefix: string } {
  const location = parseS3Uri(uri);
  if (!location) throw new TypeError(`capture destination must be an s3://bucket/prefix URI; got "${uri}"`);
  return { bucket: location.bucket, prefix: location.key.replace(/\/+$/, '') };
}

function matchesType(contentType: string, types: string[]): boolean {
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return types.some((type) => type.toLowerCase() === base);
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** SageMaker's hourly folder for a UTC time: `yyyy/mm/dd/hh`. */
export function hourPath(time: Date): string {
  return `${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}/${pad(time.getUTCHours())}`;
}

export class DataCapture {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpointName: string;
  readonly variantName: string;
  readonly #options: Required<Omit<CaptureOptions, 's3' | 'destinationS3Uri'>>;
  readonly #s3: S3Client;
  readonly #ownsClient: boolean;
  #buffer: CaptureRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Keys of every file written, oldest first. */
  readonly writtenKeys: string[] = [];
  captured = 0;
  lastError: Error | undefined;

  constructor(options: CaptureOptions, endpointName: string, variantName: string) {
    const { bucket, prefix } = captureDestination(options.destinationS3Uri);
    const samplingPercentage = options.samplingPercentage ?? 100;
    if (!(samplingPercentage >= 0 && samplingPercentage <= 100)) {
      throw new RangeError(`samplingPercentage must be between 0 and 100; got ${samplingPercentage}`);
    }
    this.bucket = bucket;
    this.prefix = prefix;
    this.endpointName = endpointName;
    this.variantName = variantName;
    this.#options = {
      samplingPercentage,
      captureModes: options.captureModes ?? ['Input', 'Output'],
      jsonContentTypes: options.jsonContentTypes ?? ['application/json'],
      csvContentTypes: options.csvContentTypes ?? ['text/csv'],
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxBufferedRecords: options.maxBufferedRecords ?? 1000,
      random: options.random ?? Math.random,
    };
    this.#ownsClient = !options.s3;
    this.#s3 = options.s3 ?? createS3Client(loadConfig());
  }

  /** Buffers the invocation when it is sampled; never waits for S3. */
  record(invocation: Invocation): void {
    if (this.#options.random() * 100 >= this.#options.samplingPercentage) return;
    const modes = this.#options.captureModes;
    const record: CaptureRecord = {
      captureData: {
        ...(modes.includes('Input')
          ? { endpointInput: this.#payload(invocation.input, invocation.inputContentType, 'INPUT') }
          : {}),
        ...(modes.includes('Output')
          ? { endpointOutput: this.#payload(invocation.output, invocation.outputContentType, 'OUTPUT') }
          : {}),
      },
      eventMetadata: {
        eventId: randomUUID(),
        ...(invocation.inferenceId ? { inferenceId: invocation.inferenceId } : {}),
        // SageMaker writes whole seconds: 2020-07-30T13:36:30Z.
        inferenceTime: `${invocation.time.toISOString().slice(0, 19)}Z`,
      },
      eventVersion: '0',
    };
    this.#buffer.push(record);
    this.captured++;
    if (this.#buffer.length >= this.#options.maxBufferedRecords) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes every buffered record: one file per hour folder. Resolves when they are in S3. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    // Serialize flushes so files appear in order and stop() waits for all of them.
    this.#flushing = this.#flushing.then(() => this.#write(batch));
    return this.#flushing;
  }

  async stop(): Promise<void> {
    await this.flush();
    clearTimeout(this.#timer);
    if (this.#buffer.length > 0) {
      // Nothing more will retry them: say what is lost and why.
      console.error(
        `data capture: ${this.#buffer.length} records not written to s3://${this.bucket}/${this.prefix}: ${this.lastError?.message}`,
      );
    }
    if (this.#ownsClient) this.#s3.destroy();
  }

  #payload(data: Buffer, contentType: string, mode: 'INPUT' | 'OUTPUT'): CapturedPayload {
    if (matchesType(contentType, this.#options.jsonContentTypes)) {
      return { observedContentType: contentType, mode, data: data.toString('utf8'), encoding: 'JSON' };
    }
    if (matchesType(contentType, this.#options.csvContentTypes)) {
      return { observedContentType: contentType, mode, data: data.toString('utf8'), encoding: 'CSV' };
    }
    return { observedContentType: contentType, mode, data: data.toString('base64'), encoding: 'BASE64' };
  }

  async #write(batch: CaptureRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const byHour = new Map<string, CaptureRecord[]>();
    for (const record of batch) {
      const hour = hourPath(new Date(record.eventMetadata.inferenceTime));
      const records = byHour.get(hour);
      if (records) records.push(record);
      else byHour.set(hour, [record]);
    }
    const failed: CaptureRecord[] = [];
    for (const [hour, records] of byHour) {
      const now = new Date();
      const fileName = `${pad(now.getUTCMinutes())}-${pad(now.getUTCSeconds())}-${pad(now.getUTCMilliseconds(), 3)}-${randomUUID()}.jsonl`;
      const key = [this.prefix, this.endpointName, this.variantName, hour, fileName]
        .filter(Boolean)
        .join('/');
      const body = `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
      try {
        await this.#s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: 'application/jsonlines',
          }),
        );
        this.writtenKeys.push(key);
      } catch (error) {
        this.lastError = error as Error;
        failed.push(...records);
      }
    }
    if (failed.length > 0) {
      // Keep them for the next flush (bounded), so a short S3 outage loses nothing.
      this.#buffer = [...failed, ...this.#buffer].slice(-MAX_RETAINED_RECORDS);
      if (!this.#timer) {
        this.#timer = setTimeout(() => void this.flush(), this.#options.flushIntervalMs);
        this.#timer.unref();
      }
    }
  }
}
